"""The head office's lake: the analytical tables as Parquet, partitioned by branch and month, that the Spark
engine reads on a cluster (analytics.engines.SparkEngine(lake=...)).

Layout: `ROOT/<table>/branch_id=<code>/month=<YYYY-MM>/*.parquet` for the tables of clients' activity,
`ROOT/clients/branch_id=<code>/*.parquet`, `ROOT/bars/month=<YYYY-MM>/*.parquet` for the market (no branch), and
`ROOT/_tables.json`, each table's own columns in order (the partition columns are path, not data: a reader
selects these columns, so a table reads back exactly as it was).

A branch's export replaces that branch's partitions and nothing else (a branch sends only its own data), and
is written beside them first, then swapped in, so a killed export leaves the lake as it was before. Written with
DuckDB's partitioned COPY: no hand-written Parquet code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from panhuo.warehouse.connection import Warehouse

# table -> the date column its month partition comes from (None: no month partition)
CLIENT_TABLES = {"client_days": "trade_date", "client_symbols": None, "client_life": None, "daily_assets": "date",
                 "transfers": "transfer_time", "positions": "as_of_date", "trades": "trade_date",
                 "contacts": "contact_time", "questionnaires": None}
MANIFEST = "_tables.json"


def _tables(wh: Warehouse) -> set[str]:
    return {r[0] for r in wh.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _columns(wh: Warehouse, table: str) -> list[str]:
    return [r[0] for r in wh.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]


# DuckDB's column types as Spark's DDL names them: the reader gives Spark the schema, so a branch with no rows
# in a table (an empty partition directory) reads as an empty table, not as an error.
SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "DATE": "DATE",
               "TIMESTAMP": "TIMESTAMP", "BOOLEAN": "BOOLEAN", "FLOAT": "FLOAT", "SMALLINT": "SMALLINT"}


def _spec(wh: Warehouse, table: str) -> dict:
    rows = wh.con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                          "ORDER BY ordinal_position", [table]).fetchall()
    return {"columns": [r[0] for r in rows],
            "spark": ", ".join(f"`{n}` {SPARK_TYPES.get(t, t)}" for n, t in rows)}


def _swap(tmp: Path, final: Path) -> None:
    """Put `tmp` where `final` is: the old one moves aside first, so at every moment one complete copy exists."""
    old = final.with_name("_old-" + final.name)
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _copy(wh: Warehouse, select: str, dest: Path, *, month_of: str | None) -> None:
    tmp = dest.with_name("_tmp-" + dest.name)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if month_of:
        sql = (f"COPY (SELECT *, strftime(CAST({month_of} AS DATE), '%Y-%m') AS month FROM ({select})) "
               f"TO '{tmp}' (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
    else:
        sql = f"COPY ({select}) TO '{tmp / 'data_0.parquet'}' (FORMAT parquet)"
    wh.con.execute(sql)
    _swap(tmp, dest)


def lake_export(wh: Warehouse, root: Path, *, branches: list[str] | None = None, progress=None) -> dict:
    """Write the store's tables into the lake at `root`, one branch at a time (all the store's branches unless
    `branches` is given); the market's bars are written whole. Returns {"branches", "tables", "rows"}."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    present = _tables(wh)
    codes = branches or [r[0] for r in wh.con.execute(
        "SELECT DISTINCT branch_id FROM clients ORDER BY 1").fetchall()]
    manifest_path = root / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    rows = 0
    for code in codes:
        lit = "'" + str(code).replace("'", "''") + "'"
        cols = [c for c in _columns(wh, "clients") if c != "branch_id"]
        manifest["clients"] = _spec(wh, "clients")
        _copy(wh, f"SELECT {', '.join(cols)} FROM clients WHERE branch_id = {lit}",
              root / "clients" / f"branch_id={code}", month_of=None)
        rows += wh.con.execute(f"SELECT count(*) FROM clients WHERE branch_id = {lit}").fetchone()[0]
        for table, month_of in CLIENT_TABLES.items():
            if table not in present:
                continue
            cols = _columns(wh, table)
            manifest[table] = _spec(wh, table)
            select = (f"SELECT {', '.join('t.' + c for c in cols)} FROM {table} t "
                      f"WHERE t.client_id IN (SELECT client_id FROM clients WHERE branch_id = {lit})")
            _copy(wh, select, root / table / f"branch_id={code}", month_of=month_of)
        if progress is not None:
            progress(code)
    if "bars" in present:
        manifest["bars"] = _spec(wh, "bars")
        _copy(wh, "SELECT * FROM bars", root / "bars", month_of="trade_date")
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    tmp.replace(manifest_path)
    return {"branches": codes, "tables": sorted(manifest), "rows": rows}


def lake_tables(root: Path) -> dict[str, dict]:
    """{table: {"columns": its own columns in order, "spark": their Spark DDL, "partitions": [...]}} of the
    lake at `root` ({} for an empty lake)."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return {}
    out = {}
    for name, spec in json.loads(path.read_text()).items():
        if name == "clients":
            parts = ["branch_id"]
        elif name == "bars":
            parts = ["month"]
        else:
            parts = ["branch_id", "month"] if CLIENT_TABLES.get(name) else ["branch_id"]
        out[name] = {**spec, "partitions": parts}
    return out
