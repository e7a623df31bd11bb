"""The documented upgrade (docs/deploy.md) from a wave-1 install: back up, install the new wheel, `panhuo migrate`,
and both stores are current with every old row kept; the backup taken first restores the old install."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from panhuo.warehouse.schema import all_tables
from tests.clients.test_migrations import ROWS, WAVE1, _django

pytestmark = pytest.mark.slow
WAVE1_WAREHOUSE = Path(__file__).with_name("wave1_warehouse.sql")


def _panhuo(home: Path, *args: str) -> dict:
    env = {**os.environ, "PANHUO_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    res = subprocess.run([sys.executable, "-m", "panhuo.cli", *args, "--json"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return json.loads(res.stdout)


def test_upgrade_from_a_wave1_install(tmp_path):
    home = tmp_path / "home"
    for target in WAVE1:                              # the operational store as wave 1 left it, with rows
        _django(home, "migrate", *target.split(), "--no-input")
    db = sqlite3.connect(home / "panhuo.sqlite3")
    db.executescript(ROWS)
    db.commit()
    db.close()
    wh = duckdb.connect(str(home / "warehouse.duckdb"))   # and the analytical store, wave 1's schema
    wh.execute(WAVE1_WAREHOUSE.read_text())
    wh.execute("INSERT INTO clients (client_id, branch_id, advisor_id) VALUES ('C0001', 'B001', 'A01')")
    wh.execute("INSERT INTO client_days VALUES ('C0001', DATE '2024-01-02', 2, 1000, 5, 1000, 0), "
               "('C0001', DATE '2024-01-05', 1, 500, 5, 0, 500)")     # two trading days, one of them a buy
    old_columns = {t: {c for (c,) in wh.execute(f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{t}'"
                                               ).fetchall()} for t in ("clients", "trades", "daily_assets")}
    wh.close()

    backup = _panhuo(home, "backup", "--out", str(tmp_path / "backups"))   # step 1: a backup of the old install
    assert backup["rows"]["operational"]["workbench_task"] == 1
    # step 2 (installing the new wheel) is this checkout; step 3: `panhuo migrate` upgrades both stores
    out = subprocess.run([sys.executable, "-m", "panhuo.cli", "migrate"], capture_output=True, text=True,
                         env={**os.environ, "PANHUO_HOME": str(home)}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]

    wh = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    have = {(t, c) for t, c in wh.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall()}
    assert wh.execute("SELECT advisor_id FROM clients WHERE client_id = 'C0001'").fetchone() == ("A01",)
    # client_life (since wave 1) is filled from the days the store already held
    assert wh.execute("SELECT * FROM client_life").fetchall() == [
        ("C0001", date(2024, 1, 2), date(2024, 1, 5), date(2024, 1, 2), 2)]
    wh.close()
    for table in all_tables().values():                 # every current table and column is there
        assert {(table.name, c.name) for c in table.columns} <= have, table.name
    assert ("clients", "status") in have and "status" not in old_columns["clients"]   # added since wave 1
    assert ("contacts", "contact_id") in have                                           # a table since wave 1
    checked = _django(home, code="from panhuo.django_setup import pending_migrations; print(pending_migrations())")
    assert checked.strip() == "[]"

    # the backup of the old install restores it (a failed upgrade is undone this way)
    restored = _panhuo(home, "restore", backup["archive"])
    assert restored["rows"] == backup["rows"]
