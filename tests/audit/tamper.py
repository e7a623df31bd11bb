"""What someone with write access to the database could do to the trail, below the ORM and the triggers.

The triggers are dropped for the length of the block and created again after it (inside a test's transaction
the drop is rolled back anyway: DDL is transactional on SQLite and PostgreSQL).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, models

from panhuo.audit.models import AuditEvent
from panhuo.audit.triggers import triggers_create, triggers_drop


@contextmanager
def tampering():
    if connection.vendor == "postgresql":   # PostgreSQL will not drop a trigger with deferred FK checks pending
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    triggers_drop(connection)
    try:
        with connection.cursor() as cur:
            yield cur
    finally:
        triggers_create(connection)


def sql(cur, statement: str, params=()) -> int:
    cur.execute(statement.replace("{t}", AuditEvent._meta.db_table), list(params))
    return cur.rowcount


def renumber_from(cur, seq: int, by: int = 1) -> None:
    """Shift the events from `seq` on by `by`, in two steps so the unique seq never collides."""
    sql(cur, "UPDATE {t} SET seq = seq + 1000000 WHERE seq >= %s", [seq])
    sql(cur, "UPDATE {t} SET seq = seq - %s WHERE seq >= 1000000", [1000000 - by])


def forge(event: AuditEvent) -> AuditEvent:
    """Insert `event` as the database would take it from anyone, bypassing audit_record and the chain head."""
    models.Model.save(event, force_insert=True)
    return event
