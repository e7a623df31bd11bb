"""Allocation benchmark (issue #17): 100,000 clients × 50 advisors to within 1% of the bound in ≤ 6 s.

The branch is `panhuo.allocation.synthetic.synthetic_branch`, shaped like the demo: 12% of clients unassigned,
two departed advisors holding 520 clients, loads from 83 to 2,177 against capacities of 600–1,500 (so the
overload is shared in proportion, over_capacity='share'), a few VIPs with juniors. Our optimiser and the greedy
peer (what a director does by hand) run on the same frames in one fresh process, both warm: imports done and
one small branch allocated by each before the timed run. Both are timed once, wall and CPU.
"""

from __future__ import annotations

import os

from bench.common import Result, run_child

SIZES = {"quick": (10_000, 50, None, None, 52), "full": (100_000, 50, 83, 2177, 520)}
TARGET_SECONDS, TARGET_GAP = 6.0, 0.01

CHILD = r'''
import json, sys, time
from datetime import date
from panhuo.allocation import Settings, allocate, greedy_allocate
from panhuo.allocation.synthetic import synthetic_branch
n, m = int(sys.argv[1]), int(sys.argv[2])
lo = None if sys.argv[3] == "-" else int(sys.argv[3])
hi = None if sys.argv[4] == "-" else int(sys.argv[4])
settings = Settings(as_of=date(2026, 10, 30), over_capacity="share")
clients, advisors = synthetic_branch(n, m, seed=17, min_load=lo, max_load=hi, departed_clients=int(sys.argv[5]))
wc, wa = synthetic_branch(2000, 10, seed=1, min_load=None, max_load=None, departed_clients=10)
allocate(wc, wa, settings); greedy_allocate(wc, wa, settings)          # warm: both, same way

def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    r = fn(clients, advisors, settings)
    return r, time.perf_counter() - w, time.process_time() - c

def figures(r, wall, cpu):
    return {"seconds": wall, "cpu": cpu, "objective": r.objective, "moved": r.moved, "placed": r.placed,
            "band_max": max(v for lv in r.band.values() for v in lv.values()), "band": r.band,
            "band_met": r.band_met, "capacity_met": r.capacity_met, "stretch": float(r.stretch)}

ours, w1, c1 = timed(allocate)
peer, w2, c2 = timed(greedy_allocate)
out = {"ours": figures(ours, w1, c1), "greedy": figures(peer, w2, c2), "bound": ours.bound, "gap": ours.gap,
       "timings": ours.timings, "band_before": max(v for lv in ours.band_before.values() for v in lv.values())}
print(json.dumps(out))
'''


def run(scale: str) -> list[Result]:
    n, m, lo, hi, dep = SIZES[scale]
    load = os.getloadavg()[0]
    d = run_child(CHILD, str(n), str(m), "-" if lo is None else str(lo), "-" if hi is None else str(hi), str(dep))
    ours, peer, bound = d["ours"], d["greedy"], d["bound"]
    peer_gap = (peer["objective"] - bound) / max(abs(bound), 1.0)
    size = f"{n:,} clients × {m} advisors"
    stages = ", ".join(f"{k} {v:.2f}" for k, v in d["timings"].items())
    ok = d["gap"] <= TARGET_GAP and ours["band_met"] and ours["capacity_met"]
    full = scale == "full"          # the targets are for 100,000 clients; the quick run only reports
    common = (f"{size}; both warm, same frames, one fresh process; load average {load:.1f} on "
              f"{os.cpu_count()} cores at start")
    return [
        Result(f"allocation.{n // 1000}k_clients_{m}_advisors", "seconds", ours["seconds"],
               f"<= {TARGET_SECONDS:g} s within {TARGET_GAP:.0%} of the bound" if full else "",
               (ours["seconds"] <= TARGET_SECONDS and ok) if full else None, {"greedy": peer["seconds"]},
               f"{common}; CPU {ours['cpu']:.2f} s (greedy {peer['cpu']:.2f} s); stages (s): {stages}"),
        Result("allocation.gap_to_bound", "gap", d["gap"], f"<= {TARGET_GAP:g}" if full else "",
               d["gap"] <= TARGET_GAP if full else None, {"greedy": peer_gap},
               f"objective {ours['objective']:,.0f} against lower bound {bound:,.0f} (Lagrangian: the LP's band "
               f"prices in an exact min-cost flow); greedy objective {peer['objective']:,.0f}; the objective is "
               "the cost of the changes (100 a moved relationship, plus mismatch: region 20, style/risk/"
               "preference 10 each), docs/allocation.md"),
        Result("allocation.band_max_deviation", "max_deviation", ours["band_max"], "<= 0.1",
               ours["band_max"] <= 0.1 + 1e-9, {"greedy": peer["band_max"]},
               f"largest relative deviation of an advisor's clients, assets or dormant clients per unit of "
               f"capacity from the level's mean, after the move (before: {d['band_before']:.2f}); counts may also "
               f"stray one whole client; greedy meets the band: "
               f"{'yes' if peer['band_met'] else 'no'}, capacity: {'yes' if peer['capacity_met'] else 'no'}; "
               f"capacities stretched ×{ours['stretch']:.2f} to share the overload"),
        Result("allocation.moved_clients", "clients", float(ours["moved"]), "", None,
               {"greedy": float(peer["moved"])},
               f"existing relationships moved; besides, {ours['placed']:,} clients placed (unassigned or with a "
               "departed advisor) by both"),
    ]
