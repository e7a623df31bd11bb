"""Call-backs (回访) by staff independent of the advisor (docs/complaints.md).

- CallbackSample: one branch's draw for one month: the shares, the server seed it was drawn with, the sizes of
  the two populations. The draw is a function of the seed and the populations, so it can be drawn again and checked.
- Callback: one sampled client to call back, of a kind (a new account, an advised client), with the advisor at the
  time of the draw; once made, the outcome (not reached, confirmed, a finding with its category), the script's
  answers, who called (never the client's advisor), and what the finding led to (a complaint, a compliance note).
Both are kept like complaints (retention class complaint_20y): evidence of the sales process, never deleted.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import Advisor, Branch, Client, Complaint
from panhuo.clients.models.complaints import COMPLAINT_RETENTION, NeverDeletedQuerySet


class CallbackKind(models.TextChoices):
    NEW_ACCOUNT = "new_account", _("New account")
    ADVISED = "advised", _("Advised client")


class CallbackOutcome(models.TextChoices):
    PENDING = "pending", _("To call")
    NOT_REACHED = "not_reached", _("Not reached")
    CONFIRMED = "confirmed", _("Confirmed, nothing found")
    FINDING = "finding", _("Finding")


class FindingCategory(models.TextChoices):
    NOT_SELF_OPENED = "not_self_opened", _("Account not opened by the client")
    RISK_NOT_EXPLAINED = "risk_not_explained", _("Risks not explained")
    NO_ASSESSMENT = "no_assessment", _("Risk assessment not done")
    RETURN_PROMISED = "return_promised", _("Returns or profit promised")
    FEES_UNCLEAR = "fees_unclear", _("Fees not explained")
    UNSUITABLE = "unsuitable", _("Recommendation above the client's level")
    OTHER = "other", _("Other")


class CallbackSample(models.Model):
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text="the month's first day")
    seed = models.CharField(_("seed"), max_length=32)
    new_share = models.FloatField(_("share of new accounts"))
    advised_share = models.FloatField(_("share of advised clients"))
    new_population = models.PositiveIntegerField(default=0)
    advised_population = models.PositiveIntegerField(default=0)
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    retention = models.CharField(_("retention class"), max_length=24, default=COMPLAINT_RETENTION, editable=False)

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back sample")
        verbose_name_plural = _("call-back samples")
        base_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["branch", "month"], name="one_callback_sample_per_month")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.month:%Y-%m}"


class Callback(models.Model):
    sample = models.ForeignKey(CallbackSample, on_delete=models.PROTECT, related_name="callbacks")
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=CallbackKind.choices)
    advisor = models.ForeignKey(Advisor, verbose_name=_("advisor"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallbackOutcome.choices,
                               default=CallbackOutcome.PENDING)
    answers = models.JSONField(_("answers"), default=dict, blank=True)     # {question key: "yes" | "no"}
    finding_category = models.CharField(_("finding"), max_length=20, choices=FindingCategory.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    compliance_note = models.BooleanField(_("noted for compliance"), default=False)
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("called at"), null=True, blank=True)

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        base_manager_name = "objects"
        ordering = ["sample", "kind", "client__client_id"]
        constraints = [models.UniqueConstraint(fields=["sample", "client", "kind"], name="one_callback_per_kind")]

    def __str__(self) -> str:
        return f"{self.sample} {self.client_id} {self.kind}: {self.outcome}"

    def delete(self, *args, **kwargs):
        from panhuo.clients.models import KeptRecordError

        raise KeptRecordError("call-backs are never deleted")
