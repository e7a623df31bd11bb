"""Simulator benchmarks (issue #3): the demo branch in <= 30 s, and 1,000,000 clients with about 100M
trades and monthly assets in <= 10 minutes and <= 8 GiB peak memory on 2 cores.

Each run is a fresh child process, so its peak RSS is its own. The demo's peer is the same branch with
monthly instead of daily asset rows, which shows what the daily rows cost.
"""

from __future__ import annotations

import shutil
import tempfile

from bench.common import Result, run_child

CHILD = """
import json, resource, sys, time
from pathlib import Path
from panhuo.simulate import SimConfig, simulate
clients, years, assets, export, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", sys.argv[5]
t0 = time.perf_counter()
s = simulate(SimConfig(clients=clients, years=years, assets=assets), Path(out), export=export)
sec = time.perf_counter() - t0
size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
usage = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)   # the worker processes of large runs
workers = 2 if clients >= 200_000 else 0
print(json.dumps({"seconds": sec, "cpu_seconds": usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime,
                  "main_rss_gib": usage.ru_maxrss / 1024**2, "worker_rss_gib": kids.ru_maxrss / 1024**2,
                  "rows": s.rows, "ceiling_auc": s.ceiling_auc, "bytes": size,
                  # upper bound of the combined peak: main process plus each worker at its own peak
                  "peak_rss_gib": (usage.ru_maxrss + workers * kids.ru_maxrss) / 1024**2}))
"""


def _run(clients: int, years: float, assets: str, export: bool) -> dict:
    out = tempfile.mkdtemp(prefix="panhuo-bench-sim-")
    try:
        return run_child(CHILD, str(clients), str(years), assets, "1" if export else "0", out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run(scale: str) -> list[Result]:
    results = []
    demo = _run(20_000, 2.0, "daily", False)
    monthly = _run(20_000, 2.0, "monthly", False)
    results.append(Result("simulate.demo_20k_daily", "seconds", demo["seconds"], "<= 30 s", demo["seconds"] <= 30,
                          {"same run, monthly assets": monthly["seconds"]},
                          f"{demo['rows']['trades']:,} trades, {demo['rows']['daily_assets']:,} asset rows, "
                          f"peak {demo['peak_rss_gib']:.2f} GiB, CPU {demo['cpu_seconds']:.1f} s, "
                          f"ceiling AUC {demo['ceiling_auc']:.3f}"))
    export = _run(20_000, 2.0, "daily", True)
    results.append(Result("simulate.demo_20k_daily_with_export", "seconds", export["seconds"], "<= 30 s",
                          export["seconds"] <= 30, {}, f"{export['bytes'] / 2**20:,.0f} MiB written"))
    if scale == "full":
        big = _run(1_000_000, 2.0, "monthly", False)
        note = (f"{big['rows']['trades']:,} trades, {big['rows']['daily_assets']:,} asset rows, "
                f"{big['bytes'] / 2**30:.1f} GiB of Parquet, ceiling AUC {big['ceiling_auc']:.3f}")
        results.append(Result("simulate.1m_clients_monthly", "seconds", big["seconds"], "<= 600 s",
                              big["seconds"] <= 600, {}, note))
        results.append(Result("simulate.1m_clients_monthly", "peak_rss_gib", big["peak_rss_gib"], "<= 8 GiB",
                              big["peak_rss_gib"] <= 8, {},
                              f"main {big['main_rss_gib']:.2f} GiB + 2 workers × {big['worker_rss_gib']:.2f} GiB "
                              "(each at its own peak: an upper bound)"))
        results.append(Result("simulate.1m_clients_monthly", "cpu_seconds", big["cpu_seconds"], "", None, {},
                              "user + system CPU of the run and its workers"))
        results.append(Result("simulate.1m_clients_monthly", "trades_per_second",
                              big["rows"]["trades"] / big["seconds"], "", None, {}, ""))
    return results
