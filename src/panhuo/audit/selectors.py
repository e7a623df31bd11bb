"""Reads of the audit trail: the events a filter selects (the page, the export, the CLI).

Who may read it is `Capability.READ_AUDIT` (accounts.permissions): compliance and administrators, the whole
trail. Branch managers and directors do not: the trail holds the reasons staff gave for seeing personal data and
their refused attempts, which compliance reviews independently of the branch's line management
(docs/workbench.md, "Audit trail").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from panhuo.audit.models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""            # a username, exactly
    client: str = ""          # a client code among the event's objects
    action: str = ""          # an action code, or a family ("client" is client.*)
    since: date | None = None
    until: date | None = None  # inclusive

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(self).items() if v}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _naming_client(qs: QuerySet[AuditEvent], code: str) -> QuerySet[AuditEvent]:
    """Events about one client: client events whose object list holds the code (jsonb containment on
    PostgreSQL; SQLite has no JSON containment, so its stored JSON text must hold the quoted code, which
    matches whole codes only)."""
    qs = qs.filter(object_type="client")
    if connection.vendor == "postgresql":
        return qs.filter(object_ids__contains=[code])
    return qs.annotate(ids_text=Cast("object_ids", TextField())).filter(ids_text__contains=json.dumps(code))


def audit_events(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events matching `filters`, newest first. Callers check `can(user, Capability.READ_AUDIT)` (or run as the operator)."""
    qs = AuditEvent.objects.all()
    if filters.user:
        qs = qs.filter(username=filters.user)
    if filters.client:
        qs = _naming_client(qs, filters.client)
    if filters.action:
        qs = qs.filter(Q(action=filters.action) | Q(action__startswith=filters.action + "."))
    if filters.since:
        qs = qs.filter(at__gte=_day_start(filters.since))
    if filters.until:
        qs = qs.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    return qs.order_by("-seq")


def audit_usernames() -> list[str]:
    """The staff's usernames, for the page's user box (the users table, not a scan of the trail)."""
    return list(get_user_model().objects.order_by("username").values_list("username", flat=True)[:2000])
