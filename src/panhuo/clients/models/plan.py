"""The service plan (服务计划书) of a client, structured and versioned (docs/service-plan.md).

- ServicePlan: one per client, the head: the current version's review date (the coverage figure counts VIP clients
  whose plan's review date has not passed) and who saved it last.
- ServicePlanVersion: each save is a new version, never changed afterwards, so earlier versions stay readable with
  who wrote them and when. A version keeps the client's profile as it was prefilled (tier, position level, P&L
  state, trading personality, investment goal, needs, risk level and its validity, holdings, the market's position
  guidance), the goals, the actions (each with a due date; a product action carries the suitability check's
  result), the review date and a note. The free text of the plans before this structure became the note of their
  version 1 (migration 0011).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.assessment import KeptRecord
from panhuo.clients.models.master import Client


class ServicePlan(models.Model):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="service_plan")
    review_on = models.DateField(_("review date"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "workbench_serviceplan"   # moved from the workbench app; the table keeps its name
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")

    def __str__(self) -> str:
        return f"plan {self.client_id}"


class PlanActionKind(models.TextChoices):
    CONTACT = "contact", _("Contact or visit")
    PRODUCT = "product", _("Product or service to offer")
    EVENT = "event", _("Training or client event")
    REVIEW = "review", _("Account review")


class ServicePlanVersion(KeptRecord):
    plan = models.ForeignKey(ServicePlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    profile = models.JSONField(_("client profile"), default=dict, blank=True)
    goals = models.JSONField(_("goals"), default=list, blank=True)         # [text, ...]
    # [{"kind", "what", "due" (ISO date), "product", "product_risk", "allowed", "reasons"}, ...]
    actions = models.JSONField(_("actions"), default=list, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service plan version")
        verbose_name_plural = _("service plan versions")
        ordering = ["plan", "-version"]
        base_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="one_plan_version_number")]

    def __str__(self) -> str:
        return f"plan {self.plan_id} v{self.version}"
