"""One owner per client field: what staff decide in panhuo survives the next import, an import touches only the
clients in its files, says what it kept, and every change of assignment or do-not-contact is audited with
before, after and source."""

from __future__ import annotations

import pytest

from panhuo.accounts.models import User
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import (
    Advisor,
    AssignmentConflict,
    Client,
    ConflictStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from panhuo.clients.selectors import client_get_for_user
from panhuo.imports.services import import_batch
from panhuo.workbench.services.clients import assignment_conflict_settle, client_reassign
from panhuo.workbench.services.contacts import contact_log
from tests.ingest.exports import ADVISORS_H, CLIENTS_H, clients_rows, simulator_export, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def branch(home, tmp_path):
    """The exported branch B001 imported once (C0001, C0004 with A01; C0002 with A02; C0003 unassigned), with a
    director, an advisor user for A01 and an administrator who runs the imports."""
    admin = User.objects.create(username="admin", role="admin")
    import_batch(paths=[simulator_export(tmp_path / "first")], profile="simulator", user=admin)
    b001 = Client.objects.get(client_id="C0001").branch
    director = User.objects.create(username="director", role="director", branch=b001)
    alice = User.objects.create(username="alice", role="advisor", advisor=Advisor.objects.get(advisor_id="A01"))

    class Branch:
        pass

    b = Branch()
    b.admin, b.director, b.alice = admin, director, alice
    return b


def clients_file(folder, rows=None, *, changes: dict | None = None):
    """The clients export again, with {client_id: {column index: value}} changed."""
    rows = [list(r) for r in (rows or clients_rows())]
    for r in rows:
        for i, v in (changes or {}).get(r[0], {}).items():
            r[i] = v
    return write_csv(folder / "客户资料.csv", CLIENTS_H, rows)


ADVISOR, DNC, PHONE, RISK, RISK_ON = 12, 13, 4, 10, 11


def advisor_of(client_id: str) -> str | None:
    c = Client.objects.select_related("advisor").get(client_id=client_id)
    return c.advisor.advisor_id if c.advisor else None


def test_a_reassignment_made_in_panhuo_survives_the_next_import_and_the_import_says_so(branch, tmp_path):
    client_reassign(user=branch.director, client_ids=["C0001"], advisor_id="A02", reason="客户要求更换顾问")
    # The back office still says A01 and sends a new phone number: the phone follows, the assignment stays.
    batch = import_batch(paths=[clients_file(tmp_path / "again", changes={"C0001": {PHONE: "13811112222"}})],
                         profile="simulator", user=branch.admin)
    c = Client.objects.get(client_id="C0001")
    assert advisor_of("C0001") == "A02"
    assert c.phone == "13811112222"
    assert "保留了在系统内做出的1 项分配调整" in batch.message
    sync = next(ch for ch in batch.changes if ch["table"] == "client_master")
    assert sync["kept_assignments"] == 1 and sync["assignment_conflicts"] == 0
    # The old back-office word was already overruled: not a conflict.
    assert not AssignmentConflict.objects.exists()
    # No import event moved the client back.
    assert not [e for e in AuditEvent.objects.filter(action="client.reassign")
                if e.detail.get("source") == "import"]


def test_a_do_not_contact_recorded_by_an_advisor_is_never_cleared_by_an_import(branch, tmp_path):
    contact_log(user=branch.alice, client=client_get_for_user(user=branch.alice, client_id="C0001"), channel="phone", outcome="do_not_contact", note="不要再打电话")
    batch = import_batch(paths=[clients_file(tmp_path / "again", changes={"C0001": {PHONE: "13811112222"}})],
                         profile="simulator", user=branch.admin)
    c = Client.objects.get(client_id="C0001")
    assert c.do_not_contact is True and c.do_not_contact_source == "panhuo"
    assert "1 项拒绝联系" in batch.message


def test_an_import_may_set_do_not_contact_and_clear_its_own_but_not_panhuos(branch, tmp_path):
    # C0003 came in as 拒绝联系=是 from the back office; the back office now lifts it: that is its to lift.
    import_batch(paths=[clients_file(tmp_path / "b1", changes={"C0003": {DNC: "否"}, "C0002": {DNC: "是"}})],
                 profile="simulator", user=branch.admin)
    assert Client.objects.get(client_id="C0003").do_not_contact is False
    assert Client.objects.get(client_id="C0002").do_not_contact is True
    events = [e for e in AuditEvent.objects.filter(action="client.do_not_contact")
              if e.detail.get("source") == "import"]
    changes = {c["client"]: (c["before"], c["after"]) for e in events for c in e.detail["changes"]}
    assert changes == {"C0002": (False, True), "C0003": (True, False)}
    assert all(e.username == "admin" for e in events)


def test_when_the_back_office_later_changes_an_assignment_panhuo_changed_it_is_a_conflict_to_settle(branch, tmp_path):
    client_reassign(user=branch.director, client_ids=["C0001"], advisor_id="A02", reason="客户要求更换顾问")
    write_csv(tmp_path / "b1" / "投资顾问.csv", ADVISORS_H, [["A03", "查理", "初级", "北京", "300", "", "20240101", "是"]])
    batch = import_batch(paths=[clients_file(tmp_path / "b1", changes={"C0001": {ADVISOR: "A03"}}),
                                tmp_path / "b1" / "投资顾问.csv"], profile="simulator", user=branch.admin)
    assert advisor_of("C0001") == "A02"
    conflict = AssignmentConflict.objects.get()
    assert (conflict.client.client_id, conflict.kept_advisor_code, conflict.backoffice_advisor_code) == \
        ("C0001", "A02", "A03")
    assert "1 项分配与柜台系统冲突" in batch.message
    # The same file again changes nothing and files no second conflict.
    import_batch(paths=[clients_file(tmp_path / "b2", changes={"C0001": {ADVISOR: "A03", PHONE: "13900000000"}})],
                 profile="simulator", user=branch.admin)
    assert AssignmentConflict.objects.count() == 1
    # The director takes the back office's: applied, audited, settled.
    assignment_conflict_settle(user=branch.director, conflict_id=conflict.pk, take_backoffice=True)
    assert advisor_of("C0001") == "A03"
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.ACCEPTED and conflict.settled_by == "director"
    assert AuditEvent.objects.filter(action="client.assignment_conflict").exists()


def test_a_back_office_reassignment_is_applied_audited_and_takes_the_open_tasks_along(branch, tmp_path):
    c = Client.objects.get(client_id="C0004")
    task = Task.objects.create(client=c, advisor=c.advisor, kind=TaskKind.CHURN_RISK, created_on=c.open_date)
    import_batch(paths=[clients_file(tmp_path / "b1", changes={"C0004": {ADVISOR: "A02"}})],
                 profile="simulator", user=branch.admin)
    assert advisor_of("C0004") == "A02"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.advisor.advisor_id == "A02"      # not orphaned with A01
    (event,) = [e for e in AuditEvent.objects.filter(action="client.reassign") if e.detail.get("source") == "import"]
    assert event.detail["changes"] == [{"client": "C0004", "before": "A01", "after": "A02"}]
    assert event.detail["batch"]


def test_an_import_touches_only_the_clients_in_its_files(branch, tmp_path):
    Client.objects.filter(client_id="C0002").update(name="李吉（柜台更名待导入）")
    rows = [r for r in clients_rows() if r[0] == "C0001"]
    batch = import_batch(paths=[clients_file(tmp_path / "b1", rows, changes={"C0001": {PHONE: "13811112222"}})],
                         profile="simulator", user=branch.admin)
    sync = next(ch for ch in batch.changes if ch["table"] == "client_master")
    assert sync["clients_changed"] == 1
    assert Client.objects.get(client_id="C0002").name == "李吉（柜台更名待导入）"


def test_an_older_risk_assessment_never_replaces_a_newer_one(branch, tmp_path):
    Client.objects.filter(client_id="C0001").update(risk_level="C2", risk_assessed_on="2025-06-01")
    import_batch(paths=[clients_file(tmp_path / "b1", changes={"C0002": {RISK: "C5", RISK_ON: "20250101"}})],
                 profile="simulator", user=branch.admin)
    c1, c2 = Client.objects.get(client_id="C0001"), Client.objects.get(client_id="C0002")
    assert (c1.risk_level, str(c1.risk_assessed_on)) == ("C2", "2025-06-01")     # file's 2023 assessment is older
    assert (c2.risk_level, str(c2.risk_assessed_on)) == ("C5", "2025-01-01")


def test_an_assessment_taken_in_panhuo_stands_against_the_files_until_the_file_has_a_newer_one(branch, tmp_path):
    from datetime import date

    from panhuo.clients.suitability import risk_assessment_record

    c = Client.objects.get(client_id="C0002")
    assert c.risk_level and c.risk_source == "backoffice"                 # set by the import that created it
    risk_assessment_record(client=c, level="C4", assessed_on=date(2025, 1, 1))
    import_batch(paths=[clients_file(tmp_path / "b1", changes={"C0002": {RISK: "C1", RISK_ON: "20250101"}})],
                 profile="simulator", user=branch.admin)
    c.refresh_from_db()
    assert (c.risk_level, c.risk_source) == ("C4", "panhuo")             # the same date: panhuo's stands
    import_batch(paths=[clients_file(tmp_path / "b2", changes={"C0002": {RISK: "C2", RISK_ON: "20250301"}})],
                 profile="simulator", user=branch.admin)
    c.refresh_from_db()
    assert (c.risk_level, str(c.risk_assessed_on), c.risk_source) == ("C2", "2025-03-01", "backoffice")


def test_do_not_contact_closes_every_open_task_and_stops_new_ones(branch):
    from datetime import date

    from panhuo.clients.models import ClientSnapshot
    from panhuo.workbench.services.tasks import tasks_generate

    c = Client.objects.get(client_id="C0001")
    ClientSnapshot.objects.create(client=c, as_of=date(2024, 1, 31), churn_risk=0.9, is_dormant=False)
    tasks_generate(as_of=date(2024, 1, 31))
    visit = Task.objects.create(client=c, advisor=c.advisor, kind=TaskKind.CAMPAIGN, created_on=date(2024, 1, 31))
    assert Task.objects.filter(client=c, status=TaskStatus.OPEN).count() == 2
    contact_log(user=branch.alice, client=client_get_for_user(user=branch.alice, client_id="C0001"), channel="phone", outcome="do_not_contact")
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE
    assert not Task.objects.filter(client=c, status__in=["open", "snoozed"]).exists()
    tasks_generate(as_of=date(2024, 2, 1))
    assert not Task.objects.filter(client=c, status__in=["open", "snoozed"]).exists()
    (event,) = AuditEvent.objects.filter(action="client.do_not_contact")
    assert event.detail["source"] == "contact" and event.detail["changes"][0]["after"] is True


def test_rows_sent_again_unchanged_change_nothing_yet_the_import_still_says_what_it_kept(branch, tmp_path):
    """The sync leaves alone, without loading them, the rows that already equal the client; a row that differs
    only by panhuo's own decision still reaches the merge, which counts it as kept."""
    client_reassign(user=branch.director, client_ids=["C0001"], advisor_id="A02", reason="客户要求更换顾问")
    for k in (1, 2):     # one other phone changes, so the file is new to the store
        batch = import_batch(paths=[clients_file(tmp_path / f"again{k}", changes={"C0002": {PHONE: f"1380000000{k}"}})],
                             profile="simulator", user=branch.admin)
        sync = next(ch for ch in batch.changes if ch["table"] == "client_master")
        assert (sync["clients_new"], sync["clients_changed"], sync["kept_assignments"]) == (0, 1, 1)
    assert advisor_of("C0001") == "A02"
