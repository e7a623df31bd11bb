"""What integer client keys would do to the features step and to the scan it is measured against (not a bench
module: run by hand on a warehouse the analytics bench kept).

    PANHUO_BENCH_KEEP=/tmp/keep python -m bench --scale quick analytics       # builds the warehouse once
    python -m bench.int_keys /tmp/keep/100k_clients_5m_trades/wh.duckdb [repeats]

Copies every table the features read (not `trades`) with `client_id` as an INTEGER (the bench's ids are 'C' and
digits), then runs `features_sql` and the bench's input scan on both stores, alternated, best of `repeats`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.analytics_data import AS_OF
from bench.analytics_data import FEATURE_READS as READS
from panhuo.analytics.engines import DuckDBEngine
from panhuo.analytics.features import features_sql
from panhuo.analytics.pipeline import _feature_kw
from panhuo.warehouse import Warehouse


def integer_copy(src: Path, dst: Path) -> None:
    con = duckdb.connect(str(dst))
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{src}' AS s (READ_ONLY)")
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 's' "
                                "AND table_name <> 'trades'").fetchall():
        cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 's' "
                                          "AND table_name = ? ORDER BY column_index", [table]).fetchall()]
        select = ", ".join("CAST(substr(client_id, 2) AS INTEGER) AS client_id" if c == "client_id" else c
                           for c in cols)
        con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM s.{table}")
    con.close()


def scans(wh: Warehouse, kw: dict) -> list[str]:
    """The bench's scan of the feature step's inputs (bench_analytics._STEPS): sum of numbers, min of the rest."""
    numeric = {(t, c) for t, c in wh.con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type IN "
        "('DOUBLE', 'BIGINT', 'INTEGER', 'HUGEINT', 'FLOAT') OR data_type LIKE 'DECIMAL%'").fetchall()}
    out = []
    for table, cols in READS.items():
        if table == "contacts" and not kw["has_contacts"]:
            continue
        cols = cols.split()
        aggs = [f"sum({c})" if (table, c) in numeric else f"min({c})" for c in cols]
        if not any(a.startswith("sum") for a in aggs):
            aggs[0] = f"sum(length({cols[0]}))"
        out.append(f"SELECT {', '.join(aggs)} FROM {table}")
    return out


def main(src: str, repeats: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "int.duckdb"
        integer_copy(Path(src), dst)
        stores = {"text": Warehouse(src, read_only=True), "integer": Warehouse(dst, read_only=True)}
        best: dict[str, float] = {}
        for _ in range(repeats):
            for key, wh in stores.items():
                eng = DuckDBEngine(wh)
                kw = _feature_kw(eng)
                inputs, sql = scans(wh, kw), features_sql(AS_OF, **kw)
                t = time.perf_counter()
                for q in inputs:
                    wh.con.execute(q).fetchall()
                t1 = time.perf_counter()
                eng.query(sql)
                t2 = time.perf_counter()
                for name, secs in (("scan", t1 - t), ("features", t2 - t1)):
                    best[f"{key}_{name}"] = min(best.get(f"{key}_{name}", float("inf")), secs)
        for wh in stores.values():
            wh.close()
    return {**best, **{f"{k}_ratio": best[f"{k}_features"] / best[f"{k}_scan"] for k in stores}}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3), indent=1))
