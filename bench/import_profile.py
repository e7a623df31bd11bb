"""Where an import's time goes: every DuckDB statement of one run_batch timed on its own.

    PYTHONPATH=src .venv/bin/python -m bench.import_profile --rows 2000000 [--dry-run] [--top 15]

Writes the benchmark's GBK export (bench_import.write_export) of `--rows` trades to a temporary folder, then
loads it into a fresh store with the connection run_batch opens wrapped so that each statement's CPU seconds
(time.process_time: all threads of the process) and wall seconds are recorded. A profiling aid, not a
benchmark: it prints the statements costing most, and the totals, and writes no results file.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from bench.bench_import import write_export


class _Timed:
    """A DuckDB connection whose execute() records (cpu, wall, sql) for each statement."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list):
        self._con, self._log = con, log

    def execute(self, sql, *args):
        c, w = time.process_time(), time.perf_counter()
        out = self._con.execute(sql, *args)
        self._log.append((time.process_time() - c, time.perf_counter() - w, " ".join(str(sql).split())))
        return out

    def __getattr__(self, name):
        return getattr(self._con, name)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_profile")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dry-run", action="store_true", help="validate only, no store write")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    from panhuo.ingest import batch

    log: list[tuple[float, float, str]] = []
    connect = duckdb.connect
    scan = batch.scan_file

    def timed_scan(path, **kw):
        c, w = time.process_time(), time.perf_counter()
        out = scan(path, **kw)
        # A big file is scanned in a thread while DuckDB reads it: that read's CPU seconds include the scan's.
        log.append((time.process_time() - c, time.perf_counter() - w, f"scan_file({path.name}, {kw}): hash, line ends"))
        return out

    batch.duckdb.connect = lambda *a, **k: _Timed(connect(*a, **k), log)
    batch.scan_file = timed_scan
    with tempfile.TemporaryDirectory(prefix="panhuo-import-profile-") as tmp:
        export = write_export(Path(tmp) / "export", args.rows)
        c, w = time.process_time(), time.perf_counter()
        r = batch.run_batch(store_path=Path(tmp) / "warehouse.duckdb", paths=[export], profile="simulator",
                            batch_key="profile", dry_run=args.dry_run)
        cpu, wall = time.process_time() - c, time.perf_counter() - w
    print(f"{r.status}: {r.total('rows_loaded'):,} rows, {wall:.2f} s wall, {cpu:.2f} CPU s "
          f"({sum(x[0] for x in log):.2f} of them in the {len(log)} statements below)")
    print(" CPU s  wall s  statement")
    for c_s, w_s, sql in sorted(log, reverse=True)[:args.top]:
        print(f"{c_s:6.2f} {w_s:7.2f}  {sql[:140]}")


if __name__ == "__main__":
    main()
