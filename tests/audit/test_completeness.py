"""What the trail must hold besides the views: refused access to a client or a campaign, with the user and the
code asked for; batches finished by crash recovery; and a label for every action the code writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import Http404

from panhuo.audit.labels import ACTIONS
from panhuo.audit.models import AuditEvent
from panhuo.campaigns.selectors import campaign_get_for_user
from panhuo.clients.selectors import client_get_for_user

SRC = Path(__file__).resolve().parents[2] / "src/panhuo"


@pytest.mark.parametrize(("username", "path", "code"), [
    ("alice", "/clients/CC001/", "CC001"),            # another branch's client
    ("bob", "/clients/CA001/contact/", "CA001"),      # a colleague's client
    ("director_a", "/clients/CC002/", "CC002"),       # a director outside their branch
    ("charlie", "/clients/NOSUCH/", "NOSUCH"),        # a code that does not exist is asked for all the same
])
def test_a_client_out_of_reach_is_a_404_recorded_with_user_and_code(client, cast, username, path, code):
    client.force_login(cast.users[username])
    assert client.get(path).status_code == 404
    (event,) = AuditEvent.objects.filter(action="access.denied")
    assert (event.username, event.role, event.object_type, event.object_ids, event.outcome) == (
        username, cast.users[username].role, "client", [code], "denied")


def test_a_bulk_list_and_a_task_out_of_reach_are_recorded(client, cast):
    client.force_login(cast.users["alice"])
    assert client.get("/clients/export/?ids=CA001&ids=CC001&ids=CB001").status_code == 404
    assert client.post("/tasks/987654/", {"action": "done"}).status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied").order_by("seq")
    assert [(e.object_type, e.object_ids) for e in denied] == [("client", ["CB001", "CC001"]), ("task", ["987654"])]


def test_a_client_in_reach_records_no_denial(client, cast):
    client.force_login(cast.users["alice"])
    assert client.get("/clients/CA001/").status_code == 200
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_the_access_function_records_the_denial_for_every_caller(cast):
    with pytest.raises(Http404):
        client_get_for_user(user=cast.users["charlie"], client_id="CA002")
    assert AuditEvent.objects.get(action="access.denied").object_ids == ["CA002"]


def test_a_campaign_out_of_reach_is_recorded(cast):
    with pytest.raises(Http404):
        campaign_get_for_user(user=cast.users["director_a"], campaign_id=424242)
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.username, event.object_type, event.object_ids, event.outcome) == (
        "director_a", "campaign", ["424242"], "denied")


def _written_actions() -> set[str]:
    """Every action code the source passes to audit_record as a literal, and the task actions it builds."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        # an audit action is family.verb; a bare action="x" is some other keyword (task_act's action, a form's)
        found |= set(re.findall(r'\baction="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    from panhuo.workbench.services import tasks
    found |= {f"task.{a}" for a in re.findall(r'action == "([a-z_]+)"', Path(tasks.__file__).read_text())}
    return found


def test_every_action_the_code_writes_has_a_label():
    written = _written_actions()
    assert {"client.unmask", "access.denied", "import.recover", "task.hand_back"} <= written
    assert sorted(written - set(ACTIONS)) == [], "add a label to panhuo.audit.labels.ACTIONS"


def test_a_batch_finished_by_crash_recovery_is_audited(cast, tmp_path, monkeypatch):
    import panhuo.imports.services as imports
    from panhuo.imports.models import BatchStatus, ImportBatch
    from panhuo.imports.services import import_batch
    from tests.ingest.exports import simulator_export

    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    real_sync = imports.sync_client_master

    def crash(**kwargs):
        raise KeyboardInterrupt   # dies between the analytical store's commit and the client master's
    monkeypatch.setattr(imports, "sync_client_master", crash)
    export = simulator_export(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        import_batch(paths=[export], profile="simulator", user=cast.users["admin"])
    assert not AuditEvent.objects.filter(action__startswith="import").exists()
    monkeypatch.setattr(imports, "sync_client_master", real_sync)
    import_batch(paths=[export], profile="simulator", user=cast.users["admin"])        # recovers, then runs
    (batch,) = ImportBatch.objects.filter(status=BatchStatus.LOADED)
    event = AuditEvent.objects.get(action="import.recover")
    assert (event.object_type, event.object_ids, event.outcome) == ("import_batch", [batch.key], "loaded")
    assert event.detail == {"rows_loaded": batch.rows_loaded, "started_by": "admin"}
