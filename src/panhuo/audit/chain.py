"""The audit trail's hash chain: how one event is serialised and hashed. Pure Python, no database.

Each event's hash covers its own fields, its sequence number and the previous event's hash, so editing,
deleting, inserting or reordering events breaks the chain at the first event touched (see audit.verify).
The serialisation must give the same bytes for the values written and for the values read back from SQLite
or PostgreSQL, so it normalises what the stores may represent differently (time zone, IP spelling, JSON numbers).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64          # prev_hash of the first event
HASHED_FIELDS = ("at", "user", "username", "role", "action", "object_type", "object_ids", "outcome", "detail",
                 "ip", "seq", "prev_hash")


def _number_safe(value: Any) -> Any:
    """JSON values as both stores return them: PostgreSQL's jsonb gives an integral float such as 1e16 back as
    an integer, so integral floats are hashed as integers; tuples are lists, keys are strings."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _number_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_number_safe(v) for v in value]
    return value


def _ip(value: str | None) -> str | None:
    """The address's bytes: PostgreSQL's inet and Python versions spell some IPv6 addresses differently."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).packed.hex()
    except ValueError:
        return str(value)


def _at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes an event's hash is taken over: sorted-keys JSON of HASHED_FIELDS (`user` is the user's id)."""
    data = {name: fields[name] for name in HASHED_FIELDS}
    data["at"] = _at(data["at"])
    data["ip"] = _ip(data["ip"])
    data["object_ids"] = _number_safe(list(data["object_ids"] or []))
    data["detail"] = _number_safe(data["detail"] or {})
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "surrogatepass")


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def fields_of(event) -> dict[str, Any]:
    """The hashed fields of an AuditEvent (or a historical model instance in a migration)."""
    return {"at": event.at, "user": event.user_id, "username": event.username, "role": event.role,
            "action": event.action, "object_type": event.object_type, "object_ids": event.object_ids,
            "outcome": event.outcome, "detail": event.detail, "ip": event.ip, "seq": event.seq,
            "prev_hash": event.prev_hash}
