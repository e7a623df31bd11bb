"""Complaints (投诉): what the client 360 page, the branch figures and the scorecard read (docs/complaints.md).

- Complaint: one complaint of one client, with the advisor concerned (the client's advisor when it was received),
  the staff member who owns its handling, its deadline (the SLA of its category and channel, complaints_sla.toml),
  its status, escalation, resolution and the client's confirmation. Its state changes as it is handled, so it is
  not a KeptRecord; but it is never deleted (retention class `complaint_20y`, the same RETENTION_YEARS mechanism
  as the suitability record: a complaint about misleading sales is evidence of the suitability duty).
- ComplaintEvent: every step of its handling (registered, assigned, investigating, escalated, resolved, client
  confirmed, closed), who and when and why: a KeptRecord, never changed nor deleted. Every step is audited too.

The workflow (who may do what, the SLA, escalation) lives in the complaints app's services; these are the rows.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models.assessment import RETENTION_YEARS, KeptRecord, KeptRecordError
from panhuo.clients.models.master import Advisor, Branch, Client

COMPLAINT_RETENTION = "complaint_20y"
assert COMPLAINT_RETENTION in RETENTION_YEARS   # the years: assessment.RETENTION_YEARS
SLA_PATH = Path(__file__).resolve().parents[1] / "complaints_sla.toml"


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("Telephone")
    COUNTER = "counter", _("At the counter")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online or app")
    REGULATOR = "regulator", _("Forwarded by the regulator (12386)")
    CALLBACK = "callback", _("Found in a call-back")
    OTHER = "other", _("Other")


class ComplaintCategory(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    MISSELLING = "misselling", _("Misleading sales or suitability")
    SYSTEM = "system", _("Trading system")
    FEES = "fees", _("Fees")
    DISCLOSURE = "disclosure", _("Information disclosure")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Investigating")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the client")
    CLOSED = "closed", _("Closed")


OPEN_COMPLAINT = (ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING, ComplaintStatus.ESCALATED)


def sla_config() -> dict:
    with SLA_PATH.open("rb") as fh:
        return tomllib.load(fh)


def sla_days(*, category: str, channel: str, config: dict | None = None) -> int:
    """Calendar days to resolve: the category's (else the default), shortened by the channel's when it has one
    (a complaint the regulator forwards is answered sooner)."""
    cfg = config or sla_config()
    days = int(cfg.get("category", {}).get(category, {}).get("days", cfg["default"]["days"]))
    by_channel = cfg.get("channel", {}).get(channel, {}).get("days")
    return min(days, int(by_channel)) if by_channel else days


def sla_deadline(*, received_on: date, category: str, channel: str) -> date:
    return received_on + timedelta(days=sla_days(category=category, channel=channel))


class NeverDeletedQuerySet(models.QuerySet):
    """Complaints change as they are handled but are never deleted."""

    def delete(self):
        raise KeptRecordError("complaints are never deleted")

    def _raw_delete(self, using):
        raise KeptRecordError("complaints are never deleted")


class Complaint(models.Model):
    RETENTION = COMPLAINT_RETENTION

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="complaints")
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    advisor = models.ForeignKey(Advisor, verbose_name=_("advisor concerned"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(_("channel"), max_length=10, choices=ComplaintChannel.choices)
    category = models.CharField(_("category"), max_length=12, choices=ComplaintCategory.choices)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    description = models.TextField(_("description"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=14, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED, db_index=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_reason = models.CharField(_("escalation reason"), max_length=255, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    confirmed_on = models.DateField(_("client confirmed on"), null=True, blank=True)
    client_satisfied = models.BooleanField(_("client satisfied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    retention = models.CharField(_("retention class"), max_length=24, default=RETENTION, editable=False)

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["branch", "status", "deadline"]),
                   models.Index(fields=["advisor", "received_at"])]

    def __str__(self) -> str:
        return f"{self.client_id} {self.category} {self.received_at:%Y-%m-%d} ({self.status})"

    def delete(self, *args, **kwargs):
        raise KeptRecordError("complaints are never deleted")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT

    def overdue_on(self, day: date) -> bool:
        """Unresolved after its deadline."""
        return self.is_open and day > self.deadline


class ComplaintStep(models.TextChoices):
    REGISTERED = "registered", _("Complaint registered")
    ASSIGNED = "assigned", _("Owner assigned")
    INVESTIGATING = "investigating", _("Investigation started")
    ESCALATED = "escalated", _("Escalated")
    AUTO_ESCALATED = "auto_escalated", _("Escalated: deadline passed")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Client's confirmation recorded")
    CLOSED = "closed", _("Closed")


class ComplaintEvent(KeptRecord):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("step"), max_length=16, choices=ComplaintStep.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    retention = models.CharField(_("retention class"), max_length=24, default=COMPLAINT_RETENTION, editable=False)

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step} {self.at}"
