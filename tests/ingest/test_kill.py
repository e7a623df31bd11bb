"""SIGKILL an import at several points, including around the commit: before the analytical store commits,
both stores are unchanged; after it, the next run completes the client master. Either way a re-run leaves
exactly the state of one clean run, with every file loaded once."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from panhuo.warehouse.schema import all_tables

from .exports import ASSETS_H, CLIENTS_H, TRADES_H, clients_rows, simulator_export, write_csv

pytestmark = pytest.mark.slow
BEFORE_STORE_COMMIT = ["validated", "loaded", "commit"]
AFTER_STORE_COMMIT = ["committed", "master"]


# The CLI with every trades file written straight into the store (batch._direct_write), saying when it was.
DIRECT = ("import sys; from panhuo.ingest import batch; batch.DIRECT_WRITE = 0; write = batch._direct_write; "
          "batch._direct_write = lambda *a: (done := write(*a), print('direct write', file=sys.stderr, flush=True))"
          "[0]; ")


def cli(home: Path, *args: str, kill_at: str | None = None, direct: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANHUO_HOME": str(home), "PANHUO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    env.pop("PANHUO_IMPORT_KILL_AT", None)
    if kill_at:
        env["PANHUO_IMPORT_KILL_AT"] = kill_at
    code = (DIRECT if direct else "") + "from panhuo.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)


def store_state(home: Path) -> dict:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        state = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in all_tables()}
        state["import_files"] = con.execute("SELECT sha256, file_name, rows_loaded FROM import_files ORDER BY ALL"
                                            ).fetchall()
    return state


def master_state(home: Path) -> list:
    with sqlite3.connect(home / "panhuo.sqlite3") as con:
        return [
            con.execute("SELECT branch_id, name FROM clients_branch ORDER BY 1").fetchall(),
            con.execute("SELECT a.advisor_id, a.name, a.level, b.branch_id FROM clients_advisor a "
                        "JOIN clients_branch b ON b.id = a.branch_id ORDER BY 1").fetchall(),
            con.execute("SELECT c.client_id, c.name, c.phone, a.advisor_id, c.assigned_on FROM clients_client c "
                        "LEFT JOIN clients_advisor a ON a.id = c.advisor_id ORDER BY 1").fetchall(),
        ]


def loaded_batches(home: Path) -> int:
    with sqlite3.connect(home / "panhuo.sqlite3") as con:
        return con.execute("SELECT count(*) FROM imports_importbatch WHERE status = 'loaded'").fetchone()[0]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("kill")
    home = root / "template"
    env = {**os.environ, "PANHUO_HOME": str(home), "PANHUO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True, timeout=300)
    base = simulator_export(root / "base")
    assert cli(home, "import", str(base), "--profile", "simulator").returncode == 0
    day2 = root / "day2"
    rows = clients_rows()
    rows[2][CLIENTS_H.index("投资顾问编号")] = "A01"
    rows.append(["C0005", "B001", "赵六", "", "13600005555", "女", "19951010", "广州", "20240201", "个人", "C2",
                 "20240201", "A02", "否"])
    write_csv(day2 / "客户资料.csv", CLIENTS_H, rows)
    write_csv(day2 / "成交明细.csv", TRADES_H, [
        ["T0101", "C0005", "20240201", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01", "网上"],
        ["T0102", "C0001", "20240201", "600000", "1", "2", "500", "7.20", "3600.00", "5.00", "1.80", "0.04", "网上"]])
    write_csv(day2 / "日终资产.csv", ASSETS_H, [["C0005", "20240201", "300.00", "700.00", "1000.00", "1000.00"]])
    return home, day2


@pytest.fixture(scope="module")
def clean_run(template, tmp_path_factory) -> tuple[dict, list]:
    home, day2 = template
    ref = tmp_path_factory.mktemp("ref") / "home"
    shutil.copytree(home, ref)
    assert cli(ref, "import", str(day2), "--profile", "simulator").returncode == 0
    return store_state(ref), master_state(ref)


@pytest.mark.parametrize("direct", [False, True], ids=["staged", "direct"])
@pytest.mark.parametrize("point", BEFORE_STORE_COMMIT + AFTER_STORE_COMMIT)
def test_killed_import_changes_nothing_or_is_completed_and_reruns_load_once(point, direct, template, clean_run,
                                                                            tmp_path):
    home, day2 = template
    run_home = tmp_path / "home"
    shutil.copytree(home, run_home)
    store_before, master_before = store_state(run_home), master_state(run_home)
    killed = cli(run_home, "import", str(day2), "--profile", "simulator", kill_at=point, direct=direct)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert ("direct write" in killed.stderr) == (direct and point != "validated")
    assert master_state(run_home) == master_before
    if point in BEFORE_STORE_COMMIT:
        assert store_state(run_home) == store_before
    rerun = cli(run_home, "import", str(day2), "--profile", "simulator", "--json", direct=direct)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert ("direct write" in rerun.stderr) == (direct and point in BEFORE_STORE_COMMIT)
    assert ('"status": "unchanged"' in rerun.stdout) == (point in AFTER_STORE_COMMIT)
    assert (store_state(run_home), master_state(run_home)) == clean_run
    assert loaded_batches(run_home) == 2     # the base batch and day 2, once
    if point == "master":      # once more for good measure: nothing left to do
        third = cli(run_home, "import", str(day2), "--profile", "simulator", "--json")
        assert '"status": "unchanged"' in third.stdout
        assert (store_state(run_home), master_state(run_home)) == clean_run


def test_two_imports_started_together_load_once(template, clean_run, tmp_path):
    """Whoever gets the lock loads; the other stops with "another import is running" (exit 3) or, if it
    started after the first had finished, reports that everything was already loaded."""
    home, day2 = template
    run_home = tmp_path / "home"
    shutil.copytree(home, run_home)
    env = {**os.environ, "PANHUO_HOME": str(run_home), "PANHUO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    env.pop("PANHUO_IMPORT_KILL_AT", None)
    cmd = [sys.executable, "-c", "from panhuo.cli import main; main()", "import", str(day2), "--profile", "simulator",
           "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [(p.wait(timeout=120), p.stdout.read()) for p in procs]
    loaded = [o for rc, o in outs if rc == 0 and '"status": "loaded"' in o]
    others = [(rc, o) for rc, o in outs if not (rc == 0 and '"status": "loaded"' in o)]
    assert len(loaded) == 1 and len(others) == 1, outs
    rc, out = others[0]
    assert (rc == 3 and "another import is running" in out) or (rc == 0 and '"status": "unchanged"' in out), outs
    assert (store_state(run_home), master_state(run_home)) == clean_run
