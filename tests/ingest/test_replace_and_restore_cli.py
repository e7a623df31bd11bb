"""`panhuo import --replace-dates [--dry-run]` and `panhuo import restore KEY` through the CLI and the services:
the plan is stated before anything is removed and writes nothing, the loaded batch carries the same counts,
and a restore (import lock held, audited) puts every removed row back."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest
from typer.testing import CliRunner

from panhuo.audit.models import AuditEvent
from panhuo.cli import app
from panhuo.config import warehouse_path
from panhuo.imports.models import ImportBatch
from panhuo.imports.services import import_batch
from panhuo.ingest.lock import import_lock

from .exports import simulator_export
from .test_partial_files import B001_DAYS, SUMMARY, generic, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def trades() -> list[tuple]:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        return con.execute("SELECT * FROM trades ORDER BY ALL").fetchall()


def cli(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["import", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_dry_run_states_the_plan_the_load_matches_it_and_restore_puts_it_back(home, tmp_path):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    b002 = [["C0201", "B002", "二部客户甲", "20200101", "individual", "A02"],
            ["C0202", "B002", "二部客户乙", "20200101", "individual", ""]]
    import_batch(paths=[generic(tmp_path / "both", [
        trade("T3001", "C0003", "20240201"), trade("T3002", "C0004", "20240201", "000001.SZ"),
        trade("T3003", "C0001", "20240201", "300750.SZ", price="160.00"),
        trade("T3004", "C0003", "20240202"), trade("T3005", "C0004", "20240202"), trade("T3006", "C0001", "20240202"),
        trade("T3101", "C0201", "20240201"), trade("T3102", "C0202", "20240201", "000001.SZ")], b002)],
        profile="generic")
    b001 = generic(tmp_path / "b001", [trade("T3001", "C0003", "20240201"),
                                      trade("T3002", "C0004", "20240201", "000001.SZ", qty=200),
                                      trade("T3004", "C0003", "20240202")])
    before, store_bytes, batches = trades(), hashlib.sha256(warehouse_path().read_bytes()).digest(), \
        ImportBatch.objects.count()

    code, plan = cli(str(b001), "--replace-dates", "--dry-run")
    assert code == 0 and plan["status"] == "validated" and plan["recorded_in"] is None
    assert (plan["rows_loaded"], plan["rows_rejected"]) == (3, 0)
    assert plan["changes"] == [SUMMARY, *({**d, "rows_added": 0} for d in B001_DAYS)]
    assert hashlib.sha256(warehouse_path().read_bytes()).digest() == store_bytes
    assert ImportBatch.objects.count() == batches

    code, loaded = cli(str(b001), "--replace-dates")
    assert code == 0 and loaded["status"] == "loaded"
    assert [c for c in loaded["changes"] if c["table"] == "trades"] == [SUMMARY, *B001_DAYS]
    assert len(trades()) == len(before) - 3
    assert {r[0] for r in trades()} >= {"T3101", "T3102"}          # branch B002's rows of those days stay

    code, restored = cli("restore", loaded["batch"])
    assert code == 0 and restored["rows_restored"] == 4
    assert trades() == before
    event = AuditEvent.objects.get(action="import.restore")
    assert event.object_ids == [loaded["batch"]] and event.detail["rows_restored"] == 4
    assert ImportBatch.objects.get(key=loaded["batch"]).changes[-1]["rows_restored"] == 4

    code, again = cli("restore", loaded["batch"])
    assert code == 1 and again["ok"] is False and "restored already" in again["error"]
    assert trades() == before


def test_restore_waits_for_no_import_and_says_so(home, tmp_path):
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    with import_lock(home):
        code, out = cli("restore", "somekey")
    assert code == 3 and "another import is running" in out["error"]
    code, out = cli("restore", "somekey")
    assert code == 1 and "no recoverable record" in out["error"]


def test_the_upload_page_replaces_whole_days_only_when_asked(client, home, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from panhuo.accounts.models import User

    admin = User.objects.create(username="admin", role="admin")
    client.force_login(admin)
    import_batch(paths=[simulator_export(tmp_path)], profile="simulator")
    page = client.get(reverse("imports:upload")).content.decode()
    assert 'name="replace_dates"' in page
    one = generic(tmp_path / "one", [trade("T0001", "C0001", "20240131", side="S", qty=500, price="7.10")])

    def upload(**extra):
        files = [SimpleUploadedFile("trades.csv", (one / "trades.csv").read_bytes())]
        client.post(reverse("imports:upload"), {"profile": "generic", "files": files, **extra})
        return ImportBatch.objects.latest("started_at")

    kept = upload()
    assert [c["mode"] for c in kept.changes if "mode" in c] == ["upsert"] and len(trades()) == 3
    (one / "trades.csv").write_bytes((one / "trades.csv").read_bytes() + b"\r\n")     # new bytes, same rows
    replaced = upload(replace_dates="on")
    assert [c["rows_removed"] for c in replaced.changes if "mode" in c] == [2] and len(trades()) == 1
