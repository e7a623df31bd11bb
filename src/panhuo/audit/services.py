"""Writes to the audit trail: appending an event (the only way in), and the audited export."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.chain import event_hash, fields_of
from panhuo.audit.export import audit_workbook
from panhuo.audit.models import AuditChainHead, AuditEvent
from panhuo.audit.selectors import AuditFilters, audit_events


def _stored(value):
    """The JSON value as the store will give it back (dates as text, tuples as lists), so the hash taken now
    matches the one verify takes from the row later."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def head_locked():
    """The chain head, to be locked until the calling transaction ends (PostgreSQL: SELECT … FOR UPDATE;
    SQLite runs one writer at a time anyway, transaction_mode=IMMEDIATE)."""
    return AuditChainHead.objects.select_for_update().filter(pk=1)


def chain_head_for_update() -> AuditChainHead:
    """The locked chain head; created on first use (e.g. after a flush) where the chain ends."""
    head = head_locked().first()
    if head is None:
        last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first() or {}
        AuditChainHead.objects.get_or_create(pk=1, defaults=last)
        head = head_locked().get()
    return head


def audit_record(*, user, action: str, object_type: str = "", object_ids: Iterable[str] = (),
                 outcome: str = "ok", detail: dict | None = None, request=None) -> AuditEvent:
    """Append one audit event to the chain. Called by every view or export of client data.

    Inside a caller's transaction the event commits or rolls back with it, together with the head, so the
    chain has no gap either way. The head stays locked until that transaction ends: on PostgreSQL other
    writers of the trail wait for it, so a long transaction should audit near its end.
    """
    ip = (request.META.get("REMOTE_ADDR") or None) if request is not None else None
    event = AuditEvent(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or ("anonymous" if getattr(user, "is_anonymous", False) else "system"),
        role=getattr(user, "role", "") or "",
        action=action,
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        outcome=outcome,
        detail=_stored(detail or {}),
        ip=ip,
    )
    # No savepoint of its own: an action whose audit event cannot be written must not commit either.
    with transaction.atomic(savepoint=False):
        head = chain_head_for_update()
        # The time is taken under the lock, so the chain's order is the order of `at` too.
        event.at, event.seq, event.prev_hash = timezone.now(), head.seq + 1, head.hash
        event.hash = event_hash(fields_of(event))
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def audit_require_reader(*, user, request=None) -> None:
    """PermissionDenied, recorded as a denied access, for anyone who may not read the audit trail."""
    if not can(user, Capability.READ_AUDIT):
        audit_record(user=user, action="access.denied", object_type="audit", outcome="denied",
                     detail={"path": request.path[:200]} if request is not None else {}, request=request)
        raise PermissionDenied


def audit_export(*, user, filters: AuditFilters, request=None) -> tuple[bytes, int]:
    """The filtered trail as .xlsx for a reader of the trail; the export is itself an audit event."""
    audit_require_reader(user=user, request=request)
    data, rows = audit_workbook(events=audit_events(filters=filters))
    audit_record(user=user, action="audit.export", object_type="audit", detail={"filters": filters.as_dict(),
                                                                                 "rows": rows}, request=request)
    return data, rows
