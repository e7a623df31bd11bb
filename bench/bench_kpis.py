"""The month's branch and advisor figures (issue #15): analytics.kpis.kpis_month over 1,000,000 clients.

The warehouse is the analytics benchmark's synthetic branch (bench/analytics_data.py: month-end assets, trades
over three years, transfers) plus 2,000,000 staff contacts for the coverage figure; the month is June 2024, the
data's last. Measured in a fresh process, best of three; the peer is a bare scan of the columns the figures read.

Full scale: 1,000,000 clients / 100,000,000 trades; quick: 100,000 / 5,000,000.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import Result, run_child

SIZES = {"quick": (100_000, 5_000_000), "full": (1_000_000, 100_000_000)}
MONTH = "2024-06"

_BUILD = """
import json, sys, time
from panhuo.warehouse import Warehouse
from panhuo.analytics.aggregates import refresh_aggregates
from bench.analytics_data import build
t = time.perf_counter()
wh = Warehouse(sys.argv[1])
wh.con.execute("SET enable_progress_bar = false")
clients = int(sys.argv[2])
build(wh.con, clients=clients, trades=int(sys.argv[3]))
refresh_aggregates(wh)
wh.con.execute(f'''INSERT INTO contacts SELECT i, 'C' || lpad(CAST(CAST(floor(random() * {clients}) AS BIGINT) AS VARCHAR), 8, '0'),
    TIMESTAMP '2024-06-28 10:00:00' - to_days(CAST(floor(random() * 200) AS INTEGER)), 'phone', 'reached',
    NULL, random() < 0.9 FROM range({2 * clients}) t(i)''')
wh.close()
print(json.dumps({"total_seconds": time.perf_counter() - t}))
"""

_RUN = """
import json, sys, time
from panhuo.warehouse import Warehouse
from panhuo.analytics.kpis import kpis_month
wh = Warehouse(sys.argv[1], read_only=True)
wh.con.execute("SET enable_progress_bar = false")
SCAN = '''SELECT (SELECT sum(total_assets) FROM daily_assets),
  (SELECT sum(trades) + sum(amount) + sum(commission) FROM client_days),
  (SELECT sum(amount) FROM transfers), (SELECT count(contact_time) FROM contacts),
  (SELECT sum(length(client_id)) FROM clients)'''
out = {}
for _ in range(3):
    t = time.perf_counter()
    wh.con.execute(SCAN).fetchall()
    out["scan"] = min(out.get("scan", 1e9), time.perf_counter() - t)
    t = time.perf_counter()
    rows = kpis_month(wh.con, month=sys.argv[2])
    out["kpis"] = min(out.get("kpis", 1e9), time.perf_counter() - t)
branch = next(r for r in rows if r["advisor"] is None)
import resource
out["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
print(json.dumps({**out, "rows": len(rows), "clients": branch["clients_total"], "active": branch["active_clients"],
                  "dormant": branch["dormant_clients"], "coverage": branch["coverage"]}))
"""


def run(scale: str) -> list[Result]:
    clients, trades = SIZES[scale]
    tag = f"{clients // 1000}k_clients"
    keep = os.environ.get("PANHUO_BENCH_KEEP")
    tmp = Path(keep) / f"kpis-{tag}" if keep else Path(tempfile.mkdtemp(prefix="panhuo-bench-kpis-"))
    try:
        db = tmp / "wh.duckdb"
        if not (keep and (tmp / "built.json").exists()):
            tmp.mkdir(parents=True, exist_ok=True)
            db.unlink(missing_ok=True)
            built = run_child(_BUILD, str(db), str(clients), str(trades))
            (tmp / "built.json").write_text(json.dumps(built))
            print(f"    built {tag} in {built['total_seconds']:.0f} s", file=sys.stderr)
        load = os.getloadavg()[0]
        r = run_child(_RUN, str(db), MONTH)
        return [Result(
            f"kpis.month_snapshot.{tag}", "seconds", r["kpis"], "<= 60 s at 1,000,000 clients",
            r["kpis"] <= 60, {"bare scan of the columns it reads": r["scan"]},
            f"{MONTH}: every figure for the branch and its {r['rows'] - 1} advisors ({r['clients']:,} clients, "
            f"{r['active']:,} traded, {r['dormant']:,} dormant, coverage {r['coverage']:.1%}) from {trades:,} trades' "
            f"client_days, month-end assets, transfers and {2 * clients:,} contacts; {r['kpis'] / r['scan']:.1f}x the "
            f"bare scan; peak RSS {r['peak_rss_gib']:.2f} GiB; load average {load:.1f} on {os.cpu_count()} cores at "
            f"start; best of three")]
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
