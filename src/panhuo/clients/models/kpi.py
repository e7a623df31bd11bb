"""The monthly KPI snapshot: a branch's and each advisor's figures for a month, as computed then, so the history
survives later changes to the data (a corrected import, a reassignment). Written by `panhuo report snapshot` and
by the daily run at month end (kpis.services.kpi_snapshot); the figures' definitions: analytics/kpis.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.master import Advisor, Branch, Team


class KpiMonth(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="kpi_months")
    advisor = models.ForeignKey(Advisor, null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_months")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_months")
    month = models.DateField(_("month"), help_text="the month's first day")
    figures = models.JSONField(_("figures"), default=dict)   # {name: value} for analytics.kpis.FIGURE_NAMES
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")
        constraints = [
            # One row per branch and month (advisor and team NULL), one per advisor and month, one per team and
            # month: the snapshot is idempotent.
            models.UniqueConstraint(fields=["branch", "month"],
                                    condition=models.Q(advisor__isnull=True, team__isnull=True),
                                    name="one_kpi_row_per_branch_month"),
            models.UniqueConstraint(fields=["team", "month"], condition=models.Q(team__isnull=False),
                                    name="one_kpi_row_per_team_month"),
            models.CheckConstraint(condition=models.Q(advisor__isnull=True) | models.Q(team__isnull=True),
                                   name="kpi_row_is_advisor_or_team"),
            models.UniqueConstraint(fields=["advisor", "month"], condition=models.Q(advisor__isnull=False),
                                    name="one_kpi_row_per_advisor_month"),
        ]
        indexes = [models.Index(fields=["branch", "month"])]

    def __str__(self) -> str:
        who = f"t{self.team_id}" if self.team_id else (self.advisor_id or "-")
        return f"{self.branch_id}/{who} {self.month:%Y-%m}"
