"""Questionnaire answers, risk assessments and the suitability record: what other features read.

- QuestionnaireAnswer: one completed questionnaire (the personality test, the risk assessment), with the file's key
  and version that scored it, the answers, the total and the band. The latest personality answer is the client's
  self-assessed trading personality (the 360 page shows it as 自评; the segmentation uses it instead of the
  inferred one). It never changes the regulatory level.
- RiskAssessment: one dated regulatory risk-tolerance assessment (C1–C5), in panhuo or from the back office's
  file; the latest dated one is the client's level (Client.risk_level / risk_assessed_on, source in risk_source).
- SuitabilityRecord: every check of a product or service against a client's level (a match or a refusal), every
  special risk warning given and every override a client confirmed in writing. Retention class `suitability_20y`:
  kept at least 20 years (适当性管理办法, research/reliability-and-security.md R5), so the ORM refuses to delete or
  change one, as it does for the audit trail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.master import Client, DecisionSource, RiskLevel

# Retention classes: how long a kind of record is kept, in years. A record of a class is never deleted by panhuo.
RETENTION_YEARS = {"suitability_20y": 20, "complaint_20y": 20}   # complaints: clients/models/complaints.py


class KeptRecordError(Exception):
    """An attempt to delete or change a record that the law says must be kept."""


class KeptQuerySet(models.QuerySet):
    """Reads and single inserts only: the records are evidence."""

    def update(self, **kwargs):
        raise KeptRecordError("suitability records are kept unchanged")

    def delete(self):
        raise KeptRecordError("suitability records are never deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise KeptRecordError("suitability records are kept unchanged")

    def _raw_delete(self, using):
        raise KeptRecordError("suitability records are never deleted")


class KeptRecord(models.Model):
    """A model whose rows are never changed nor deleted once written."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise KeptRecordError(f"{type(self).__name__} rows are kept unchanged")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise KeptRecordError(f"{type(self).__name__} rows are never deleted")


class AnswerVia(models.TextChoices):
    ADVISOR = "advisor", _("With the advisor")
    LINK = "link", _("By the client, through a link")


class QuestionnaireAnswer(KeptRecord):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="questionnaire_answers")
    questionnaire = models.CharField(_("questionnaire"), max_length=32)      # the file's key, e.g. personality
    version = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=24)
    answers = models.JSONField(_("answers"), default=dict)                    # {question key: option key}
    total = models.IntegerField(_("score"))
    band = models.CharField(_("result"), max_length=24)                        # the band's key
    taken_on = models.DateField(_("taken on"))
    taken_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    via = models.CharField(_("answered"), max_length=8, choices=AnswerVia.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    # The contact a satisfaction survey asks about (the link names it); its advisor is the one the answer rates.
    contact = models.ForeignKey("clients.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # The signed link's nonce: a link is answered once.
    link_nonce = models.CharField(max_length=32, null=True, blank=True, unique=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        ordering = ["-taken_on", "-id"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["client", "kind", "-taken_on"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.questionnaire} v{self.version}: {self.total} {self.band}"


class RiskAssessment(KeptRecord):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="risk_assessments")
    level = models.CharField(_("risk level"), max_length=2, choices=RiskLevel.choices)
    assessed_on = models.DateField(_("assessed on"))
    source = models.CharField(_("source"), max_length=10, choices=DecisionSource.choices)
    answer = models.OneToOneField(QuestionnaireAnswer, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="risk_assessment")
    batch_key = models.CharField(_("import batch"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.client_id} {self.level} {self.assessed_on} ({self.source})"


class SuitabilityKind(models.TextChoices):
    CHECK = "check", _("Check")
    WARNING = "warning", _("Special risk warning given")
    OVERRIDE = "override", _("Client confirmed in writing")


class SuitabilityRecord(KeptRecord):
    """One check, warning or override. `place` says where the recommendation would reach the client."""

    RETENTION = "suitability_20y"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SuitabilityKind.choices)
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="suitability_records")
    client_level = models.CharField(_("client's level"), max_length=2, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    product_risk = models.CharField(_("product risk"), max_length=2)
    product = models.CharField(_("product"), max_length=64, blank=True)
    place = models.CharField(_("where"), max_length=24)
    allowed = models.BooleanField(_("allowed"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    text = models.TextField(_("warning text"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    retention = models.CharField(_("retention class"), max_length=24, default=RETENTION, editable=False)

    class Meta:
        verbose_name = _("suitability record")
        verbose_name_plural = _("suitability records")
        ordering = ["-at", "-id"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["client", "kind", "product"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kind} {self.product_risk} {self.product} {self.place}: {self.allowed}"
