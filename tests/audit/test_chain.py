"""The audit trail is append-only and hash-chained: verify passes after many appends and finds the first event
that was edited, deleted, inserted or moved; the ORM and the database refuse changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction

from panhuo.audit.chain import GENESIS, event_hash, fields_of
from panhuo.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from panhuo.audit.services import audit_record
from panhuo.audit.verify import audit_verify
from tests.audit.tamper import forge, renumber_from, sql, tampering

pytestmark = pytest.mark.django_db

# Values the stores give back differently from how they were written: floats jsonb turns into integers,
# IPv6 and IPv4-in-IPv6 spellings, dates and decimals, tuples, non-ASCII text, empty values.
DETAILS = [
    {"reason": "客户来电核对身份", "field": "phone"},
    {"rows": 3, "share": 0.1, "big": 1e16, "huge": 1.5e20, "tiny": 1e-7, "whole": 100.0},
    {"on": date(2026, 11, 20), "amount": Decimal("12.50"), "pair": (1, 2), "nested": {"b": [1, {"a": None}]}},
    {},
]
IPS = ["10.0.0.7", "2001:DB8::1", "::ffff:192.0.2.1", None, ""]


def _append(n: int, user=None) -> list[AuditEvent]:
    req = [SimpleNamespace(META={"REMOTE_ADDR": ip}) for ip in IPS]
    return [audit_record(user=user, action="client.view", object_type="client", object_ids=[f"C{i:04d}", i],
                         detail=DETAILS[i % len(DETAILS)], request=req[i % len(req)]) for i in range(n)]


def test_the_chain_is_valid_after_many_appends(cast):
    _append(240, user=cast.users["alice"])
    report = audit_verify()
    assert report.ok, report.problems[:3]
    assert report.checked == 240 and report.last_seq == 240 == report.head_seq
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [s for s, _, _ in rows] == list(range(1, 241))
    assert rows[0][1] == GENESIS and all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    # Re-read from the store, every event hashes to what was written: nothing the store changed matters.
    assert all(event_hash(fields_of(e)) == e.hash for e in AuditEvent.objects.all())


def test_each_hash_covers_the_fields_named_in_the_design(cast):
    event = audit_record(user=cast.users["alice"], action="client.unmask", object_type="client",
                         object_ids=["CA001"], detail={"field": "phone", "reason": "回访"})
    fields = fields_of(event)
    for name, other in [("at", event.at.replace(year=2000)), ("user", None), ("username", "x"), ("role", "admin"),
                        ("action", "client.view"), ("object_type", "campaign"), ("object_ids", ["CA002"]),
                        ("outcome", "denied"), ("detail", {}), ("ip", "10.0.0.1"), ("seq", 99),
                        ("prev_hash", "f" * 64)]:
        assert event_hash({**fields, name: other}) != event.hash, name


def _first(report):
    assert not report.ok
    return report.problems[0]


def test_verify_locates_an_edited_field(cast):
    events = _append(12)
    with tampering() as cur:     # a denied access covered up as a successful one
        assert sql(cur, "UPDATE {t} SET outcome = 'ok', username = 'someone' WHERE seq = %s", [7]) == 1
    first = _first(audit_verify())
    assert (first.kind, first.seq, first.id) == ("changed", 7, events[6].pk)
    assert "edited" in first.message
    assert len(audit_verify().problems) == 1          # the events after it still link to it as written


def test_verify_locates_an_event_edited_and_rehashed(cast):
    _append(12)
    with tampering() as cur:     # someone who knows the hash function rewrites event 5 consistently
        event = AuditEvent.objects.get(seq=5)
        event.detail = {"reason": "nothing to see"}
        sql(cur, "UPDATE {t} SET detail = %s, hash = %s WHERE seq = 5",
            ['{"reason": "nothing to see"}', event_hash(fields_of(event))])
    first = _first(audit_verify())
    assert (first.kind, first.seq) == ("broken_link", 6)
    assert "event seq 5" in first.message


def test_verify_locates_a_deleted_event(cast):
    events = _append(12)
    with tampering() as cur:
        assert sql(cur, "DELETE FROM {t} WHERE seq IN (4, 5)") == 2
    first = _first(audit_verify())
    assert (first.kind, first.seq, first.id) == ("missing", 6, events[5].pk)
    assert "seq 4–5" in first.message and "deleted" in first.message


def test_verify_finds_events_deleted_from_the_end(cast):
    _append(12)
    with tampering() as cur:
        sql(cur, "DELETE FROM {t} WHERE seq >= 11")
    first = _first(audit_verify())
    assert (first.kind, first.seq) == ("head", 10)
    assert "11–12 were deleted from the end" in first.message


def test_verify_finds_an_event_added_at_the_end_around_the_service(cast):
    _append(12)
    last = AuditEvent.objects.get(seq=12)
    fake = AuditEvent(username="alice", role="advisor", action="client.view", object_type="client",
                      object_ids=["CA001"], outcome="ok", detail={}, seq=13, prev_hash=last.hash, at=last.at)
    fake.hash = event_hash(fields_of(fake))       # a perfectly linked event, but not written by audit_record
    forge(fake)
    first = _first(audit_verify())
    assert (first.kind, first.seq, first.id) == ("head", 13, fake.pk)
    assert "outside the audit service" in first.message


def test_verify_locates_an_event_inserted_in_the_middle(cast):
    _append(12)
    with tampering() as cur:
        renumber_from(cur, 6)             # make room after event 5
    five = AuditEvent.objects.get(seq=5)
    fake = AuditEvent(username="bob", role="advisor", action="client.view", object_type="client",
                      object_ids=["CB001"], outcome="ok", detail={}, seq=6, prev_hash=five.hash, at=five.at)
    fake.hash = event_hash(fields_of(fake))
    forge(fake)
    with tampering() as cur:              # and move the head along, as a careful forger would
        sql(cur, "UPDATE audit_auditchainhead SET seq = 13, hash = (SELECT hash FROM {t} WHERE seq = 13)")
    first = _first(audit_verify())
    # The forged event links to event 5; the event it pushed along no longer matches its own number.
    assert (first.kind, first.seq) == ("broken_link", 7)
    assert {(p.kind, p.seq) for p in audit_verify().problems} >= {("broken_link", 7), ("changed", 7)}


def test_verify_locates_reordered_events(cast):
    _append(12)
    with tampering() as cur:
        sql(cur, "UPDATE {t} SET seq = 999 WHERE seq = 3")
        sql(cur, "UPDATE {t} SET seq = 3 WHERE seq = 8")
        sql(cur, "UPDATE {t} SET seq = 8 WHERE seq = 999")
    problems = audit_verify().problems
    assert (problems[0].kind, problems[0].seq) == ("broken_link", 3)
    assert {p.seq for p in problems} == {3, 4, 8, 9}


def test_the_orm_refuses_to_change_or_remove_events(cast):
    event = _append(1)[0]
    event.outcome = "denied"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome="denied")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["outcome"])
    with pytest.raises(AppendOnlyError):     # around audit_record: no place in the chain
        AuditEvent.objects.create(username="x", action="client.view")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(username="x", action="client.view")])
    assert AuditEvent.objects.get(pk=event.pk).outcome == "ok" and audit_verify().ok


def test_the_database_refuses_update_and_delete_below_the_orm(cast):
    _append(3)
    table = AuditEvent._meta.db_table
    for statement in (f"UPDATE {table} SET outcome = 'denied'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert AuditEvent.objects.count() == 3 and audit_verify().ok


def test_a_rolled_back_caller_leaves_no_gap(cast):
    _append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(user=None, action="client.view", object_ids=["CA001"])
        raise RuntimeError("the caller fails after auditing")
    with transaction.atomic():
        audit_record(user=None, action="client.view", object_ids=["CA002"])
        try:
            with transaction.atomic():      # a savepoint rolled back inside a transaction that commits
                audit_record(user=None, action="client.view", object_ids=["CA003"])
                raise RuntimeError
        except RuntimeError:
            pass
        audit_record(user=None, action="client.view", object_ids=["CA004"])
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "object_ids")) == [
        (1, ["C0000", "0"]), (2, ["C0001", "1"]), (3, ["CA002"]), (4, ["CA004"])]
    assert audit_verify().ok and AuditChainHead.objects.get().seq == 4


def test_the_head_is_recreated_where_the_chain_ends(cast):
    _append(3)
    with connection.cursor() as cur:     # e.g. an operator who emptied the head table
        cur.execute("DELETE FROM audit_auditchainhead")
    audit_record(user=None, action="client.view")
    assert audit_verify().ok and AuditChainHead.objects.get().seq == 4


def test_verify_reports_a_missing_head(cast):
    _append(3)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditchainhead")
    first = _first(audit_verify())
    assert first.kind == "head" and "missing" in first.message
