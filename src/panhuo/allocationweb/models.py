"""A branch's allocation weights, and the previews a director makes and approves.

A preview is the engine's answer saved as it was computed (the settings used and every assignment that changes):
it changes nothing. Approving it applies exactly those assignments through the one write path for assignments
(clients.decisions.assignment_apply), and records who approved it and when.
"""

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.allocation import Settings
from panhuo.clients.models import Advisor, Branch

DEFAULTS = Settings()


class OverCapacity(models.TextChoices):
    REFUSE = "refuse", _("Refuse: say how many clients exceed the capacity")
    SHARE = "share", _("Share the overload in proportion to capacity")


class AllocationPolicy(models.Model):
    """A branch's weights and fairness band (docs/allocation.md); a branch without a row uses the defaults."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, primary_key=True,
                                  related_name="allocation_policy")
    band = models.FloatField(_("fairness band (share of the level's mean)"), default=DEFAULTS.band)
    move_cost = models.FloatField(_("cost of moving a relationship"), default=DEFAULTS.move_cost)
    region_cost = models.FloatField(_("cost of a different region"), default=DEFAULTS.region_cost)
    style_cost = models.FloatField(_("cost of a trading-style mismatch"), default=DEFAULTS.style_cost)
    risk_cost = models.FloatField(_("cost of a risk-level mismatch"), default=DEFAULTS.risk_cost)
    preference_cost = models.FloatField(_("cost of a product-preference mismatch"),
                                        default=DEFAULTS.preference_cost)
    ramp_days = models.PositiveSmallIntegerField(_("ramp-up of a new hire (days)"), default=DEFAULTS.ramp_days)
    over_capacity = models.CharField(_("more clients than capacity"), max_length=8, choices=OverCapacity.choices,
                                     default=OverCapacity.REFUSE)

    class Meta:
        verbose_name = _("allocation policy")
        verbose_name_plural = _("allocation policies")

    def __str__(self) -> str:
        return f"{self.branch_id}: ±{self.band:.0%}"


class PreviewStatus(models.TextChoices):
    DRAFT = "draft", _("Not approved yet")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Replaced by a later approval")


class AllocationPreview(models.Model):
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT,
                               related_name="allocation_previews")
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    created_by = models.CharField(_("made by"), max_length=150)
    # An advisor leaving: the preview treats them as departed; approval marks them inactive.
    departing = models.ForeignKey(Advisor, verbose_name=_("advisor leaving"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    settings = models.JSONField(_("settings used"))
    # Allocation.to_dict(): objective, bound, gap, band figures, every advisor's book before and after, and the
    # assignments that change (client, from, to, reasons).
    result = models.JSONField(_("result"))
    moved = models.PositiveIntegerField(_("clients changing advisor"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=PreviewStatus.choices,
                              default=PreviewStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_by_user = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")

    class Meta:
        verbose_name = _("allocation preview")
        verbose_name_plural = _("allocation previews")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["branch", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"preview {self.pk} {self.branch_id} ({self.status})"
