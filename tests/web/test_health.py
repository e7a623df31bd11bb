"""/health/ for monitors: both stores and the last daily run, without login, without client data."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import duckdb
import pytest
from django.core.cache import cache

from panhuo.clients.models import ClientSnapshot
from panhuo.warehouse import open_warehouse


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path))
    cache.clear()
    yield tmp_path
    cache.clear()


def test_health_reports_both_stores_and_the_last_daily_run(client, cast, home):
    assert client.get("/health/").json() == {"status": "ok", "operational_store": "ok",
                                             "analytical_store": "absent", "last_daily_run": None}
    open_warehouse(home / "warehouse.duckdb").close()
    ClientSnapshot.objects.create(client=cast.clients["CA001"], as_of=date(2026, 11, 30), is_latest=True)
    cache.clear()
    body = client.get("/health/").json()        # not logged in
    assert body == {"status": "ok", "operational_store": "ok", "analytical_store": "ok",
                    "last_daily_run": "2026-11-30"}
    assert "CA001" not in str(body) and "客户" not in str(body)


def test_a_store_held_by_a_job_is_busy_and_a_broken_one_fails(client, db, home):
    path = home / "warehouse.duckdb"
    open_warehouse(path).close()
    holder = duckdb.connect(str(path))          # the daily run writing: busy is normal work, still healthy
    try:
        # DuckDB's file lock is per process: ask from another one, as the web server would
        code = "from panhuo.web.health import _analytical; print(_analytical())"
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PANHUO_HOME": str(home)},
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == "busy"
    finally:
        holder.close()
    path.write_bytes(b"not a duckdb file")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["analytical_store"] == "error"

