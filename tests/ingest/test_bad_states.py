"""Bad states get clear words, never a traceback or a 500: an import while another process holds the analytical
store (the page answers 503 "分析任务正在运行，请稍后再试", the CLI exits 3); `panhuo import` before `panhuo migrate`
(exit 4, nothing written); a batch killed right after the analytical commit shows at once as "in the warehouse,
client master pending", and the daily run finishes it first or refuses to start while an import runs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panhuo.clients.models import Client
from panhuo.config import warehouse_path
from panhuo.imports.journal import journal_batches
from panhuo.imports.models import BatchStatus, ImportBatch
from panhuo.imports.services import StoreBusy, import_batch
from panhuo.ingest.lock import STORE_BUSY, import_lock

from .exports import ASSETS_H, simulator_export, write_csv

BUSY_ZH = "分析任务正在运行，请稍后再试"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def admin(db):
    from panhuo.accounts.models import User

    user = User(username="admin", role="admin")
    user.set_unusable_password()
    user.save()
    return user


def day2(folder: Path) -> Path:
    write_csv(folder / "day2" / "日终资产.csv", ASSETS_H, [["C0001", "20240201", "1.00", "0.00", "1.00", "0.00"]])
    return folder / "day2"


class Holder:
    """Another process with the DuckDB file open, as the daily run or a notebook has it."""

    def __init__(self, path: Path, *, read_only: bool):
        code = (f"import duckdb, sys, time; con = duckdb.connect({str(path)!r}, read_only={read_only}); "
                "print('held', flush=True); sys.stdin.read()")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout.readline().strip() == "held"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()         # the holder ends when its input closes
        self.proc.wait(timeout=30)


def store_bytes() -> bytes:
    return warehouse_path().read_bytes()


# --- the analytical store held by another process ----------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("read_only", [False, True], ids=["held-for-writing", "held-for-reading"])
def test_upload_while_another_job_holds_the_store_is_a_503_with_clear_words(client, admin, home, tmp_path,
                                                                          read_only):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    before = store_bytes()
    client.force_login(admin)
    data = (day2(tmp_path) / "日终资产.csv").read_bytes()

    def upload():
        return {"profile": "simulator", "files": [SimpleUploadedFile("日终资产.csv", data)]}
    with Holder(warehouse_path(), read_only=read_only):
        r = client.post(reverse("imports:upload"), upload())
        assert r.status_code == 503 and r["Retry-After"]
        assert BUSY_ZH in r.content.decode() and "Traceback" not in r.content.decode()
        client.cookies["django_language"] = "en"
        r = client.post(reverse("imports:upload"), upload())
        assert r.status_code == 503 and "An analysis job is running; try again shortly." in r.content.decode()
    assert store_bytes() == before and ImportBatch.objects.count() == 1
    # A writer blocks even the first, read-only look, so no batch starts; a reader lets the batch read and
    # validate, and the write is refused: the journal records it as failed, in the same words.
    failed = [b for b in journal_batches() if b.status == BatchStatus.FAILED]
    assert len(failed) == (2 if read_only else 0) and all(b.message == STORE_BUSY for b in failed)
    assert client.post(reverse("imports:upload"), upload()).status_code == 302      # once it has finished: loads
    assert ImportBatch.objects.count() == 2


@pytest.mark.django_db
def test_recovery_with_the_store_held_raises_store_busy_not_a_duckdb_error(home, tmp_path):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    with Holder(warehouse_path(), read_only=False), pytest.raises(StoreBusy, match="try again shortly"):
        import_batch(paths=[day2(tmp_path)], profile="simulator")    # fails at the first, read-only look


@pytest.mark.django_db
def test_cli_import_while_another_job_holds_the_store_exits_3_with_clear_words(home, tmp_path):
    from typer.testing import CliRunner

    from panhuo.cli import app

    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    with Holder(warehouse_path(), read_only=True):
        result = CliRunner().invoke(app, ["import", str(day2(tmp_path)), "--profile", "simulator", "--json"])
    assert result.exit_code == 3, result.output
    out = json.loads(result.stdout)
    assert out == {"ok": False, "error": STORE_BUSY} and BUSY_ZH in out["error"]


# --- subprocess runs of the CLI, on a store of their own --------------------------------------------------------

def cli(home: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANHUO_HOME": str(home), "PANHUO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    env.pop("PANHUO_IMPORT_KILL_AT", None)
    env.pop("DATABASE_URL", None)
    if kill_at:
        env["PANHUO_IMPORT_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-c", "from panhuo.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def batches(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "panhuo.sqlite3") as con:
        return con.execute("SELECT key, status FROM imports_importbatch ORDER BY started_at").fetchall()


@pytest.mark.slow
def test_import_before_migrate_says_run_migrate_and_writes_nothing(tmp_path):
    home = tmp_path / "fresh"
    export = simulator_export(tmp_path)
    r = cli(home, "import", str(export), "--profile", "simulator", "--json")
    assert r.returncode == 4, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is False and "panhuo migrate" in out["error"] and "运行 panhuo migrate 先升级数据库" in out["error"]
    assert out["pending"] and "Traceback" not in r.stderr
    assert not (home / "warehouse.duckdb").exists() and not (home / "panhuo.sqlite3").exists()
    human = cli(home, "import", str(export), "--profile", "simulator")
    assert human.returncode == 4 and "panhuo migrate" in human.stderr
    assert cli(home, "migrate").returncode == 0
    ok = cli(home, "import", str(export), "--profile", "simulator", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "loaded"


@pytest.fixture(scope="module")
def killed_after_commit(tmp_path_factory) -> tuple[Path, str]:
    """A migrated store with the base export loaded, then a second batch SIGKILLed right after the analytical
    store committed it (before the journal or the operational store heard of it)."""
    root = tmp_path_factory.mktemp("killed")
    home = root / "home"
    assert cli(home, "migrate").returncode == 0
    assert cli(home, "import", str(simulator_export(root)), "--profile", "simulator").returncode == 0
    killed = cli(home, "import", str(day2(root)), "--profile", "simulator", kill_at="committed")
    assert killed.returncode == -9, killed.stderr[-2000:]
    last = json.loads((home / "import-journal.jsonl").read_text().splitlines()[-1])
    assert last["status"] == "running" and not last["rows_loaded"]     # the journal never heard of the commit
    return home, last["key"]


@pytest.mark.slow
def test_the_daily_run_refuses_while_an_import_runs_then_finishes_the_recovery_first(killed_after_commit,
                                                                                  tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(killed_after_commit[0], home)
    key = killed_after_commit[1]
    assert key not in dict(batches(home))
    with import_lock(home, owner="someone"):
        refused = cli(home, "run-daily", "--json")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    err = json.loads(refused.stdout)["error"]
    assert "another import is running" in err and "the daily run did not start" in err
    assert key not in dict(batches(home))
    ran = cli(home, "run-daily", "--json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(ran.stdout)["imports_recovered"] == 1
    assert dict(batches(home))[key] == "loaded"


@pytest.mark.slow
def test_the_daily_run_refuses_while_another_job_holds_the_store(killed_after_commit, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(killed_after_commit[0], home)
    with Holder(home / "warehouse.duckdb", read_only=False):
        refused = cli(home, "run-daily", "--json")
    assert refused.returncode == 3 and BUSY_ZH in json.loads(refused.stdout)["error"], refused.stdout + refused.stderr


# --- a batch killed between the two commits, on the imports page ------------------------------------------------

@pytest.mark.django_db
def test_a_batch_killed_right_after_the_store_commit_shows_as_in_the_warehouse_at_once(client, admin, home, tmp_path,
                                                                                    monkeypatch):
    import panhuo.imports.services as services
    from panhuo.daily import imports_settle

    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    real_run_batch = services.run_batch

    def committed_then_killed(**kwargs):
        real_run_batch(**kwargs)
        raise KeyboardInterrupt     # dies as the store's commit returns: the journal still says "running", 0 rows
    monkeypatch.setattr(services, "run_batch", committed_then_killed)
    with pytest.raises(KeyboardInterrupt):
        import_batch(paths=[day2(tmp_path)], profile="simulator", user=admin)
    monkeypatch.setattr(services, "run_batch", real_run_batch)
    recorded = set(ImportBatch.objects.values_list("key", flat=True))
    (journalled,) = journal_batches(recorded=recorded)
    assert journalled.rows_loaded == 0          # all the journal knows

    client.force_login(admin)
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("imports:list")).content.decode()
    row = listing.split(reverse("imports:batch", args=[journalled.key]))[1].split("</tr>")[0]
    assert "In the warehouse, client master pending" in row and '<td class="num">1</td>' in row
    detail = client.get(reverse("imports:batch", args=[journalled.key])).content.decode()
    assert "In the warehouse, client master pending" in detail and "client master pending" in detail
    assert "nothing was loaded" not in detail
    client.cookies["django_language"] = "zh-hans"
    assert "已写入分析库，客户主数据待补完" in client.get(reverse("imports:list")).content.decode()

    assert imports_settle() == 1                # the daily run's first step
    assert ImportBatch.objects.get(key=journalled.key).status == BatchStatus.LOADED
    assert imports_settle() == 0 and Client.objects.count() == 4
    client.cookies["django_language"] = "en"
    assert "client master pending" not in client.get(reverse("imports:list")).content.decode()
