"""Activity targets per advisor and the monthly scorecards (绩效考核表). Only the appraisal reads them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import Advisor, Branch


class LockedError(Exception):
    """A signed scorecard changes no more."""


class ActivityTarget(models.Model):
    """What the director expects of one advisor (活动量管理); an advisor without a row has the defaults."""

    advisor = models.OneToOneField(Advisor, on_delete=models.CASCADE, related_name="activity_target",
                                   primary_key=True)
    phone_per_week = models.PositiveSmallIntegerField(_("phone calls per week"), default=30)
    visit_per_week = models.PositiveSmallIntegerField(_("visits per week"), default=2)
    wechat_per_week = models.PositiveSmallIntegerField(_("WeChat contacts per week"), default=20)
    other_per_week = models.PositiveSmallIntegerField(_("other contacts per week"), default=0,
                                                      help_text=_("SMS, email and events"))
    coverage_pct = models.PositiveSmallIntegerField(_("coverage of VIP and core clients (%)"), default=90)
    on_time_pct = models.PositiveSmallIntegerField(_("tasks closed on time (%)"), default=80)
    follow_ups_pct = models.PositiveSmallIntegerField(_("follow-ups done (%)"), default=90)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activity target")
        verbose_name_plural = _("activity targets")

    def __str__(self) -> str:
        return f"targets {self.advisor_id}"


class ScorecardWeights(models.Model):
    """A branch's own weights, targets and caps over the defaults in scorecard.toml: {item: {weight, target, cap}}."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="scorecard_weights",
                                  primary_key=True)
    items = models.JSONField(_("items"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scorecard weights")
        verbose_name_plural = _("scorecard weights")

    def __str__(self) -> str:
        return f"weights {self.branch_id}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed off")


class Scorecard(models.Model):
    """One advisor's month: the items as computed (kept, so later data changes leave a signed month as signed),
    the director's comment and sign-off. Signed is final: save() refuses any change after it."""

    advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="scorecards")
    month = models.DateField(_("month"), help_text="the month's first day")
    items = models.JSONField(default=list)
    total = models.FloatField(_("score"), default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("director's comment"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ScorecardStatus.choices,
                              default=ScorecardStatus.DRAFT)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["advisor", "month"], name="one_scorecard_per_advisor_month")]
        ordering = ["-month", "advisor_id"]

    def __str__(self) -> str:
        return f"{self.advisor_id} {self.month:%Y-%m} ({self.status})"

    def save(self, *args, **kwargs):
        # The lock holds whatever path writes: the row as stored decides, not the object in hand.
        if self.pk and Scorecard.objects.filter(pk=self.pk, status=ScorecardStatus.SIGNED).exists():
            raise LockedError(self)
        super().save(*args, **kwargs)

    @property
    def locked(self) -> bool:
        return self.status == ScorecardStatus.SIGNED
