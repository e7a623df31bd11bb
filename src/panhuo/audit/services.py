from __future__ import annotations

from collections.abc import Iterable

from panhuo.audit.models import AuditEvent


def audit_record(*, user, action: str, object_type: str = "", object_ids: Iterable[str] = (),
                 outcome: str = "ok", detail: dict | None = None, request=None) -> AuditEvent:
    """Append one audit event. Called by every view or export of client data."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "system",
        role=getattr(user, "role", ""),
        action=action,
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        outcome=outcome,
        detail=detail or {},
        ip=ip,
    )
