"""The Django side: import_batch writes both stores or neither, records every batch, takes one lock; the
imports pages are for administrators (compliance may read the list), everyone else gets 404."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panhuo.clients.models import Advisor, Branch, Client
from panhuo.config import warehouse_path
from panhuo.imports.journal import journal_batch, journal_batches, journal_path
from panhuo.imports.models import BatchStatus, ImportBatch
from panhuo.imports.services import ImportLocked, ImportRejected, import_batch
from panhuo.ingest.lock import import_lock

from .exports import CLIENTS_H, clients_rows, simulator_export, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def staff(db):
    """One user per role, without passwords (hashing seven passwords costs seconds; force_login needs none)."""
    from panhuo.accounts.models import User

    branch = Branch.objects.create(branch_id="B001", name="营业部")
    alice = Advisor.objects.create(advisor_id="A01", branch=branch, name="Alice")
    users = {"admin": User(username="admin", role="admin"), "compliance": User(username="compliance", role="compliance"),
             "manager_a": User(username="manager_a", role="manager", branch=branch),
             "director_a": User(username="director_a", role="director", branch=branch),
             "alice": User(username="alice", role="advisor", advisor=alice)}
    for u in users.values():
        u.set_unusable_password()
        u.save()

    class Staff:
        pass

    s = Staff()
    s.users = users
    return s


def master() -> list:
    return [list(Branch.objects.order_by("pk").values_list()), list(Advisor.objects.order_by("pk").values_list()),
            list(Client.objects.order_by("pk").values_list())]


def test_import_writes_store_and_client_master_and_records_the_batch(home, tmp_path, staff):
    batch = import_batch(paths=[simulator_export(tmp_path)], profile="simulator", user=staff.users["admin"])
    assert batch.status == BatchStatus.LOADED and batch.username == "admin"
    assert batch.rows_read == batch.rows_loaded == 21 and len(batch.files) == 8
    assert all(len(f["sha256"]) == 64 for f in batch.files)
    assert batch.control_totals["trades"]["amount"] == {"source": "21470.00", "loaded": "21470.00"}
    c1 = Client.objects.select_related("advisor", "branch").get(client_id="C0001")
    assert (c1.name, c1.branch.branch_id, c1.advisor.advisor_id, c1.risk_level) == ("张三", "B001", "A01", "C3")
    assert str(c1.assigned_on) == "2015-01-05"
    assert Client.objects.get(client_id="C0003").advisor is None
    # the existing advisor A01 was updated from the export, not duplicated
    assert Advisor.objects.get(advisor_id="A01").level == "senior"
    again = import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    assert again.status == BatchStatus.UNCHANGED and "already loaded" in again.message
    assert ImportBatch.objects.count() == 1               # a batch that wrote nothing is in the journal
    assert [b.key for b in journal_batches(recorded={batch.key})] == [again.key]


def test_advisor_change_sets_assigned_on_to_the_business_date(home, tmp_path, db):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    rows = clients_rows()
    rows[2][CLIENTS_H.index("投资顾问编号")] = "A02"
    write_csv(tmp_path / "d2" / "客户资料.csv", CLIENTS_H, rows)
    write_csv(tmp_path / "d2" / "日终资产.csv", ["客户号", "日期", "资金余额", "证券市值", "总资产", "当日净转入"],
              [["C0003", "20240201", "1.00", "0.00", "1.00", "0.00"]])
    import_batch(paths=[tmp_path / "d2"], profile="simulator")
    c3 = Client.objects.get(client_id="C0003")
    assert (c3.advisor.advisor_id, str(c3.assigned_on)) == ("A02", "2024-02-01")


def test_rejected_batch_leaves_both_stores_as_they_were(home, tmp_path, db):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    before_store = hashlib.sha256(warehouse_path().read_bytes()).hexdigest()
    before_master = master()
    rows = clients_rows()
    rows[0][CLIENTS_H.index("客户姓名")] = "张三改"               # a valid change that must not land …
    rows[1][CLIENTS_H.index("手机号码")] = "1390000222"            # … because this row is wrong
    write_csv(tmp_path / "bad" / "客户资料.csv", CLIENTS_H, rows)
    with pytest.raises(ImportRejected) as info:
        import_batch(paths=[tmp_path / "bad"], profile="simulator")
    p = info.value.problems[0]
    assert (p.file, p.row, p.column, p.code) == ("客户资料.csv", 3, "手机号码", "bad_phone")
    assert p.value != "1390000222" and "手机号码不是 11 位数字" in p.zh and "not 11 digits" in p.en
    assert hashlib.sha256(warehouse_path().read_bytes()).hexdigest() == before_store
    assert master() == before_master
    assert not ImportBatch.objects.filter(status=BatchStatus.REJECTED).exists()
    rejected = journal_batch(info.value.batch.key)           # recorded beside the stores, not in them
    assert rejected.status == BatchStatus.REJECTED and rejected.username == "system"
    assert rejected.problem_count == 1 and rejected.problems[0]["column"] == "手机号码"
    assert "1390000222" not in journal_path().read_text(encoding="utf-8")
    assert oct(journal_path().stat().st_mode & 0o777) == "0o600"


def test_a_second_import_while_one_runs_stops_with_a_clear_message(home, tmp_path, db):
    with import_lock(home, owner="someone"):
        with pytest.raises(ImportLocked, match="another import is running"):
            import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    assert import_batch(paths=[simulator_export(tmp_path)], profile="simulator").status == BatchStatus.LOADED


def test_batch_killed_between_the_two_commits_is_completed_by_the_next_run(home, tmp_path, db, monkeypatch):
    import panhuo.imports.services as services

    def crash(**kwargs):
        raise KeyboardInterrupt   # stands in for a kill after the store committed
    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(services, "sync_client_master", crash)
        import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    assert Client.objects.count() == 0
    ImportBatch.objects.update(status=BatchStatus.RUNNING)   # as a killed process leaves it
    again = import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    assert again.status == BatchStatus.UNCHANGED
    assert Client.objects.count() == 4
    assert ImportBatch.objects.filter(status=BatchStatus.LOADED).count() == 1


# --- pages ---------------------------------------------------------------------------------------------------

def login(client, staff, who):
    client.force_login(staff.users[who])
    return client


@pytest.mark.parametrize("who", ["admin", "compliance", "manager_a", "director_a", "alice"])
def test_pages_by_role(client, staff, home, who):
    """The pages hide themselves (404) from a role without the capability (accounts.permissions): reading the
    batches needs read_imports, uploading run_import."""
    from panhuo.accounts.permissions import Capability, can

    user = staff.users[who]
    list_status = 200 if can(user, Capability.READ_IMPORTS) else 404
    upload_status = 200 if can(user, Capability.RUN_IMPORT) else 404
    batch = ImportBatch.objects.create(key="k", profile="generic", username="admin")
    login(client, staff, who)
    assert (reverse("imports:list") in client.get("/").content.decode()) == (list_status == 200)    # the nav link
    assert client.get(reverse("imports:list")).status_code == list_status
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == list_status
    assert client.get(reverse("imports:upload")).status_code == upload_status
    if upload_status == 404:
        f = SimpleUploadedFile("trades.csv", b"x")
        assert client.post(reverse("imports:upload"), {"profile": "generic", "files": [f]}).status_code == 404
        assert ImportBatch.objects.count() == 1


def test_upload_imports_one_batch_and_shows_it(client, staff, home, tmp_path):
    login(client, staff, "admin")
    export = simulator_export(tmp_path)
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(export.iterdir())]
    response = client.post(reverse("imports:upload"), {"profile": "simulator", "files": files}, follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.LOADED and batch.username == "admin" and batch.rows_loaded == 21
    assert "成交明细.csv" in response.content.decode()
    listing = client.get(reverse("imports:list")).content.decode()
    assert reverse("imports:batch", args=[batch.key]) in listing


def test_upload_of_a_bad_file_shows_the_problems_masked(client, staff, home):
    login(client, staff, "admin")
    body = "客户号,营业部代码,客户姓名,证件号码\r\nC0101,B001,张三,110101199003071234\r\n".encode("gbk")
    response = client.post(reverse("imports:upload"), {"profile": "generic",
                                                       "files": [SimpleUploadedFile("clients.csv", body)]}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "110101199003071234" not in page and "证件号码" in page
    assert not ImportBatch.objects.exists()
    (rejected,) = journal_batches()
    assert rejected.status == BatchStatus.REJECTED and rejected.username == "admin"
    listing = client.get(reverse("imports:list")).content.decode()
    assert reverse("imports:batch", args=[rejected.key]) in listing


def test_batch_killed_before_the_store_commit_is_listed_as_interrupted(client, staff, home, tmp_path, monkeypatch):
    import panhuo.imports.services as services

    def crash(**kwargs):
        raise KeyboardInterrupt   # stands in for a SIGKILL while the batch loads (test_kill kills for real)
    monkeypatch.setattr(services, "run_batch", crash)
    with pytest.raises(KeyboardInterrupt):
        import_batch(paths=[simulator_export(tmp_path)], profile="simulator", user=staff.users["admin"])
    login(client, staff, "admin")
    (batch,) = journal_batches()
    assert batch.status == BatchStatus.INTERRUPTED and not ImportBatch.objects.exists()
    page = client.get(reverse("imports:batch", args=[batch.key])).content.decode()
    assert "进程中断，未提交" in page and "interrupted before commit" not in page     # the reader's language


def test_batch_killed_after_the_store_commit_says_so_and_the_next_import_finishes_it(client, staff, home, tmp_path,
                                                                                     monkeypatch):
    import panhuo.imports.services as services

    real_sync = services.sync_client_master

    def crash(**kwargs):
        raise KeyboardInterrupt   # dies between the analytical store's commit and the client master's
    monkeypatch.setattr(services, "sync_client_master", crash)
    export = simulator_export(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        import_batch(paths=[export], profile="simulator", user=staff.users["admin"])
    (batch,) = journal_batches()
    assert batch.status == BatchStatus.INTERRUPTED and batch.rows_loaded > 0
    assert "analytical store committed" in batch.message and not ImportBatch.objects.exists()
    monkeypatch.setattr(services, "sync_client_master", real_sync)
    again = import_batch(paths=[export], profile="simulator", user=staff.users["admin"])   # same files: unchanged
    assert again.status == BatchStatus.UNCHANGED
    assert ImportBatch.objects.get(key=batch.key).status == BatchStatus.LOADED           # finished by recovery
    assert Client.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd.csv", ".hidden.csv", "evil.exe", "a|b.csv"])
def test_upload_refuses_unsafe_file_names(client, staff, home, name):
    login(client, staff, "admin")
    response = client.post(reverse("imports:upload"), {"profile": "generic",
                                                       "files": [SimpleUploadedFile(name, b"a,b\r\n")]})
    if name.startswith("../"):   # the browser-supplied path is cut to its base name, which is harmless
        assert response.status_code in (302, 400)
        assert not (home.parent / "etc").exists()
    else:
        assert response.status_code == 400
    shutil.rmtree(home, ignore_errors=True)


def test_cli_reports_problems_and_exits_non_zero(home, tmp_path, db):
    import json

    from typer.testing import CliRunner

    from panhuo.cli import app

    write_csv(tmp_path / "bad" / "客户资料.csv", CLIENTS_H, [clients_rows()[0][:3] + ["11010119900307123X"] +
                                                           clients_rows()[0][4:]])
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(tmp_path / "bad"), "--profile", "simulator", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problem_count"] >= 1
    p = next(p for p in data["problems"] if p["code"] == "bad_id_number")
    assert (p["file"], p["row"], p["column"]) == ("客户资料.csv", 2, "证件号码")
    assert "11010119900307123X" not in result.stdout
    ok = runner.invoke(app, ["import", str(simulator_export(tmp_path)), "--profile", "simulator", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] == "loaded"


def test_a_torn_journal_line_does_not_swallow_the_next_batch(home):
    """A crash mid-write leaves a line without its end (even mid-character); the next batch still stands alone."""
    import datetime as dt

    from panhuo.imports.journal import journal_append

    def batch(key):
        return ImportBatch(key=key, profile="generic", status=BatchStatus.REJECTED,
                           started_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC))

    journal_append(batch("a"))
    with journal_path().open("ab") as fh:
        fh.write('{"key":"b","profile":"王'.encode()[:-1])           # torn inside a Chinese character
    journal_append(batch("c"))
    assert sorted(b.key for b in journal_batches()) == ["a", "c"]


def test_asking_whether_an_import_runs_does_not_refuse_one_that_starts(tmp_path):
    """The imports page's probe holds a shared lock for a moment; an import starting then still gets its lock."""
    import fcntl
    import os
    import threading

    from panhuo.ingest.lock import import_lock_held

    (tmp_path / "import.lock").write_text("")
    probe = os.open(tmp_path / "import.lock", os.O_RDONLY)
    fcntl.flock(probe, fcntl.LOCK_SH)                      # the probe, caught mid-check
    threading.Timer(0.05, os.close, [probe]).start()       # …and let go a moment later
    with import_lock(tmp_path, owner="test"):
        assert import_lock_held(tmp_path)
    assert not import_lock_held(tmp_path)
