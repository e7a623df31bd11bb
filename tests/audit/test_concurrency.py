"""Appends from many connections at once make one chain without gaps or forks, also when some of the writing
transactions roll back; the lock that orders them on PostgreSQL is a row lock on the chain head.

The threads run on SQLite (the suite's runs have no PostgreSQL to share between helpers); the PostgreSQL code
path is checked by compiling the head query for it.
"""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from panhuo.audit import services
from panhuo.audit.models import AuditChainHead, AuditEvent
from panhuo.audit.services import audit_record
from panhuo.audit.triggers import triggers_present
from panhuo.audit.verify import audit_verify

THREADS, EACH = 6, 15


def _writer(n: int, errors: list) -> None:
    try:
        for i in range(EACH):
            if i % 5 == 4:    # a caller that audits, then fails: its event and its place in the chain go
                try:
                    with transaction.atomic():
                        audit_record(user=None, action="client.view", object_ids=[f"T{n}-{i}"], detail={"undone": 1})
                        raise RuntimeError
                except RuntimeError:
                    pass
            else:
                with transaction.atomic():
                    audit_record(user=None, action="client.view", object_ids=[f"T{n}-{i}"])
    except Exception as exc:   # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain_without_gaps():
    errors: list = []
    threads = [threading.Thread(target=_writer, args=(n, errors)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    kept = THREADS * (EACH - EACH // 5)
    assert AuditEvent.objects.count() == kept and not AuditEvent.objects.filter(detail__has_key="undone").exists()
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, kept + 1))
    report = audit_verify()
    assert report.ok, report.problems[:3]
    assert report.head_seq == kept


def test_the_append_locks_the_chain_head_on_postgresql(monkeypatch):
    """audit_record reads the head through head_locked(), which PostgreSQL runs as SELECT … FOR UPDATE."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    settings = {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql", "NAME": "compile_only"}
    pg = DatabaseWrapper(settings, alias="compile_only")
    pg.get_autocommit = lambda: False        # compile as inside a transaction; nothing connects
    sql, _ = services.head_locked().query.get_compiler(connection=pg).as_sql()
    assert sql.endswith("FOR UPDATE") and '"audit_auditchainhead"' in sql


@pytest.mark.django_db
def test_audit_record_goes_through_the_locked_head(monkeypatch):
    calls = []
    real = services.head_locked

    def spy():
        calls.append(1)
        return real()
    monkeypatch.setattr(services, "head_locked", spy)
    audit_record(user=None, action="client.view")
    assert calls and AuditChainHead.objects.get().seq == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_keeps_its_triggers():
    audit_record(user=None, action="client.view")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and triggers_present(connection)
    audit_record(user=None, action="client.view")                 # the chain starts again after a flush
    assert audit_verify().ok and AuditEvent.objects.get().seq == 1
