"""What the market page reads: one row per session, written by services.market_daily (never computed per request)."""

from django.db import models

from panhuo.clients.models import Client


class SwitchDraft(models.Model):
    """The latest switch suggestion (换股) prepared for a client's holdings, for an advisor to review.

    A draft is not advice: only a registered investment advisor sends it (services.switch_send), which
    is recorded in the audit trail with the models and date.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="switch_draft", primary_key=True)
    date = models.DateField()
    regime = models.CharField(max_length=16)
    weak = models.JSONField(default=list)        # [{symbol, name, close, reasons}]
    candidates = models.JSONField(default=list)  # pool entries: {model, model_zh, date, rank, symbol, name, reason, ...}
    model_names = models.JSONField(default=list)  # the models for the regime
    notes = models.JSONField(default=list)       # "no_weak", "empty_pool"
    disclosure = models.TextField()

    def __str__(self) -> str:
        return f"switch {self.client_id} {self.date}"
