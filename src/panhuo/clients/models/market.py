"""The day's market results that several features read (the regime, pools, model report), one row per session,
written by the daily run's market step, never computed per request. (Moved here from the market pages' app so
campaigns and service plans can read the regime without importing it; the table keeps its name.)
"""

from django.db import models


class MarketDay(models.Model):
    """The day's regime, index charts, stock pools and model report (compact JSON; see panhuo.market.daily)."""

    date = models.DateField(unique=True)
    index_symbol = models.CharField(max_length=12)
    regime = models.CharField(max_length=16)
    phase = models.CharField(max_length=1)
    position = models.FloatField()
    gauge = models.JSONField(default=dict)      # score, trend, breadth, volatility
    charts = models.JSONField(default=dict)     # symbol -> {dates, close, bands}
    pools = models.JSONField(default=dict)      # model -> {zh, regime, description, entries}
    report = models.JSONField(default=dict)     # {start, end, sessions, stocks, rows, claims}
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "marketweb_marketday"   # moved from the marketweb app; the table keeps its name
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.regime} {self.phase}"
