"""The head office's lake (warehouse.lake) and the daily analytics on a real Spark standalone cluster: a master
and a worker started from the project's own pyspark, reading the lake, agreeing with DuckDB on every column."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from panhuo.warehouse.lake import lake_export, lake_tables
from tests.analytics import timeline
from tests.analytics.simbranch import simulated_branch

ROOT = Path(__file__).resolve().parents[2]


def _count(root: Path, table: str, branch: str) -> int:
    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{root}/{table}/branch_id={branch}/**/*.parquet', "
                      "hive_partitioning = true)").fetchall()[0][0]


def test_a_branchs_export_replaces_its_partitions_and_leaves_the_others(tmp_path, warehouse):
    timeline.load(warehouse)
    warehouse.con.execute("INSERT INTO clients (client_id, branch_id, name) VALUES ('Z1', 'B002', '另一营业部客户')")
    warehouse.con.execute("INSERT INTO client_days (client_id, trade_date, trades, amount, commission) "
                          "VALUES ('Z1', DATE '2024-06-03', 1, 1000, 5)")
    lake = tmp_path / "lake"
    result = lake_export(warehouse, lake)
    assert result["branches"] == ["B001", "B002"] and result["rows"] == 8
    b001 = _count(lake, "client_days", "B001")
    assert b001 == warehouse.con.execute("SELECT count(*) FROM client_days WHERE client_id <> 'Z1'").fetchone()[0]
    assert _count(lake, "client_days", "B002") == 1
    assert (lake / "client_days/branch_id=B001/month=2024-06").is_dir()           # partitioned by month too
    other = sorted(p.stat().st_mtime_ns for p in (lake / "client_days/branch_id=B002").rglob("*.parquet"))

    warehouse.con.execute("DELETE FROM client_days WHERE client_id <> 'Z1' AND trade_date >= DATE '2024-06-01'")
    lake_export(warehouse, lake, branches=["B001"])                                 # B001 sends its day again
    assert _count(lake, "client_days", "B001") < b001
    assert not (lake / "client_days/branch_id=B001/month=2024-06").exists()       # its old month is gone
    assert sorted(p.stat().st_mtime_ns for p in (lake / "client_days/branch_id=B002").rglob("*.parquet")) == other
    assert not list(lake.rglob("_tmp-*")) and not list(lake.rglob("_old-*"))     # nothing half-written left
    specs = lake_tables(lake)
    assert specs["clients"]["partitions"] == ["branch_id"] and "branch_id" in specs["clients"]["columns"]
    assert specs["client_days"]["partitions"] == ["branch_id", "month"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, pattern: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if log.exists() and re.search(pattern, log.read_text(errors="replace")):
            return
        if proc.poll() is not None:
            break
        time.sleep(1)
    raise AssertionError(f"{pattern!r} not seen in {log}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def spark_cluster(tmp_path):
    """A standalone master and one worker (1 core, 1 GiB) from the project's own pyspark, on loopback."""
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java: the Spark cluster needs a JRE")
    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable,
           "SPARK_WORKER_DIR": str(tmp_path / "work"), "SPARK_LOG_DIR": str(tmp_path / "logs")}
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    cls = str(home / "bin" / "spark-class")
    logs = {n: tmp_path / f"{n}.log" for n in ("master", "worker")}
    procs = []
    try:
        with logs["master"].open("w") as out:
            procs.append(subprocess.Popen(
                [cls, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                 "--webui-port", str(_free_port())], env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait_for(logs["master"], r"I have been elected leader|Starting Spark master", procs[0])
        with logs["worker"].open("w") as out:
            procs.append(subprocess.Popen(
                [cls, "org.apache.spark.deploy.worker.Worker", url, "--cores", "1", "--memory", "1g",
                 "--webui-port", str(_free_port())], env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait_for(logs["worker"], r"Successfully registered with master", procs[1])
        yield url, env, logs
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.spark
@pytest.mark.slow
def test_the_daily_analytics_on_a_standalone_cluster_from_the_lake_agree_with_duckdb(tmp_path, warehouse,
                                                                                    spark_cluster):
    from panhuo.analytics.engines import DuckDBEngine
    from panhuo.analytics.pipeline import analytics_run

    url, env, logs = spark_cluster
    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=400, years=1.5, seed=5)
    lake = tmp_path / "lake"
    lake_export(warehouse, lake)
    duck = analytics_run(warehouse, as_of=as_of, engine=DuckDBEngine(warehouse)).table
    out = tmp_path / "scores.parquet"
    run = subprocess.run(
        [sys.executable, "-m", "panhuo.cli", "run-daily", "--engine", "spark", "--spark-master", url, "--lake",
         str(lake), "--as-of", str(as_of), "--export", str(out), "--json"],
        env={**env, "PANHUO_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT / "src")},
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads(run.stdout)
    assert report["master"] == url and report["clients"] == 400
    # the work ran on the cluster's executor, not in the driver's local mode
    assert re.search(r"Launching executor|Asked to launch executor", logs["worker"].read_text())
    spark = pq.read_table(out)
    assert spark.schema.remove_metadata() == duck.schema.remove_metadata()
    for name in duck.column_names:
        a, b = duck.column(name).to_pylist(), spark.column(name).to_pylist()
        if pa.types.is_floating(duck.schema.field(name).type):
            for x, y in zip(a, b, strict=True):
                x, y = (None if v is None or v != v else v for v in (x, y))
                assert (x is None) == (y is None), (name, x, y)
                if x is not None:
                    assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (name, x, y)
        else:
            assert a == b, name
