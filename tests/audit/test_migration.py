"""Events written before the chain existed are chained by the migration in the order they happened."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from panhuo.audit.models import AuditEvent
from panhuo.audit.verify import audit_verify

BEFORE = [("audit", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_chained_in_time_order():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
        # Written out of time order (ids do not follow the times); two share a time, so the id decides.
        times = [datetime(2026, 3, d, 9, tzinfo=UTC) for d in (5, 1, 3, 3)]
        for i, at in enumerate(times):
            e = old.objects.create(username=f"u{i}", action="client.view", object_ids=[f"C{i}"], detail={"i": i})
            old.objects.filter(pk=e.pk).update(at=at)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "username")) == [
        (1, "u1"), (2, "u2"), (3, "u3"), (4, "u0")]
    report = audit_verify()
    assert report.ok and report.head_seq == 4
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:   # triggers in place
        cur.execute("DELETE FROM audit_auditevent")
