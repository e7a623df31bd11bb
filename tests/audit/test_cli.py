"""`panhuo audit verify` and `panhuo audit list --json`: the shapes scripts rely on, filters, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from panhuo.audit.models import AuditEvent
from panhuo.audit.services import audit_record
from panhuo.cli import app
from tests.audit.tamper import sql, tampering

pytestmark = pytest.mark.django_db
EVENT_KEYS = {"seq", "id", "at", "username", "role", "action", "action_label", "object_type", "object_ids", "outcome",
              "detail", "ip", "hash"}


def _run(*args: str):
    result = CliRunner().invoke(app, ["audit", *args])
    return result, (json.loads(result.stdout) if "--json" in args and result.stdout.strip() else None)


@pytest.fixture
def trail(cast):
    u = cast.users
    audit_record(user=u["alice"], action="client.view", object_type="client", object_ids=["CA001"])
    audit_record(user=u["bob"], action="client.unmask", object_type="client", object_ids=["CB001"],
                 detail={"field": "phone", "reason": "回访"})
    audit_record(user=u["alice"], action="access.denied", object_type="client", object_ids=["CC001"],
                 outcome="denied")
    return cast


def test_list_json_shape(trail):
    result, data = _run("list", "--json")
    assert result.exit_code == 0, result.output
    assert set(data) == {"ok", "filters", "count", "events"} and data["ok"] is True and data["count"] == 3
    assert all(set(e) == EVENT_KEYS for e in data["events"])
    newest = data["events"][0]
    assert (newest["seq"], newest["action"], newest["action_label"], newest["object_ids"], newest["outcome"]) == (
        3, "access.denied", "越权访问被拒绝", ["CC001"], "denied")
    assert newest["at"].endswith("+08:00")                   # the branch's local time, ISO 8601


def test_list_filters_and_limit(trail):
    def seqs(*args):
        return [e["seq"] for e in _run("list", "--json", *args)[1]["events"]]
    assert seqs("--user", "alice") == [3, 1]
    assert seqs("--action", "client.unmask") == [2]
    assert seqs("--action", "client") == [2, 1]                # a family: client.*
    assert seqs("--client", "CC001") == [3]
    assert seqs("--user", "alice", "--limit", "1") == [3]
    assert seqs("--until", "2000-01-01") == []
    result, data = _run("list", "--json", "--since", "yesterday")
    assert result.exit_code == 1 and data["ok"] is False


def test_listing_the_trail_is_itself_recorded(trail):
    _run("list", "--json", "--user", "bob")
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "audit.view" and event.username.startswith("os:") and event.role == "operator"
    assert event.detail == {"source": "cli", "filters": {"user": "bob"}, "rows": 1}


def test_verify_passes_on_an_intact_trail(trail):
    result, data = _run("verify", "--json")
    assert result.exit_code == 0
    assert data["ok"] is True and data["checked"] == 3 and data["first_problem"] is None
    assert data["head_seq"] == 3 and len(data["head_hash"]) == 64


def test_verify_names_the_first_tampered_event_and_fails(trail):
    with tampering() as cur:
        sql(cur, "UPDATE {t} SET outcome = 'ok' WHERE seq = 3")
    result, data = _run("verify", "--json")
    assert result.exit_code == 1
    assert data["ok"] is False and data["first_problem"]["seq"] == 3 and data["first_problem"]["kind"] == "changed"
    assert data["first_problem"]["id"] == AuditEvent.objects.get(seq=3).pk
    plain = CliRunner().invoke(app, ["audit", "verify"])
    assert plain.exit_code == 1 and "seq 3" in plain.stdout and "edited" in plain.stdout
