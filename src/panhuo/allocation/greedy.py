"""The peer: what a director does by hand in a spreadsheet, for the benchmark and for comparison on a page.

Going down the client list (by client code): a client with no advisor, with a departed advisor, or a VIP with an
advisor whose level may not serve VIPs goes to the least-loaded eligible advisor of the client's region (load =
clients / capacity after ramp-up; among those with room if any), or of the whole branch when the region has
none. Then each advisor over capacity hands clients, down the list, to the least-loaded eligible advisor of each
client's region in the same way until within capacity. No fairness band, no fit.
"""

from __future__ import annotations

import time

import numpy as np

from panhuo.allocation.bound import objective
from panhuo.allocation.engine import _precheck
from panhuo.allocation.inputs import read_problem
from panhuo.allocation.result import Allocation, build_allocation
from panhuo.allocation.settings import Settings


def greedy_allocate(clients, advisors, settings: Settings | None = None) -> Allocation:
    settings = settings or Settings()
    t0 = time.perf_counter()
    p = read_problem(clients, advisors, settings)
    _precheck(p, settings)
    advisor = p.origin.copy()
    has = advisor >= 0
    ok = np.zeros(p.n_clients, dtype=bool)
    ok[has] = p.eligible[p.vip[has].astype(int), advisor[has]]
    todo = np.flatnonzero(~ok)
    todo = todo[np.argsort(p.client_id[todo], kind="stable")]          # down the list by client code
    load = np.bincount(advisor[ok], minlength=p.n_advisors).astype(float)
    limit = p.limit.astype(float)
    room = np.where(p.effective > 0, p.effective, np.inf)
    regions = np.array([r if r is not None else "" for r in p.region], dtype=object)
    candidates = {}

    def least_loaded(c: int, exclude: int = -1) -> int:
        key = (p.client_region[c], bool(p.vip[c]))
        if key not in candidates:
            elig = np.flatnonzero(p.eligible[int(p.vip[c])] & (p.effective > 0))
            local = elig[regions[elig] == (p.client_region[c] or "\x00")]
            candidates[key] = (local, elig)
        for cand in candidates[key]:
            cand = cand[(cand != exclude) & (load[cand] < limit[cand])]
            if len(cand):
                return int(cand[np.argmin(load[cand] / room[cand])])
        cand = candidates[key][1]
        cand = cand[cand != exclude]
        return int(cand[np.argmin(load[cand] / room[cand])])

    for c in todo.tolist():
        b = least_loaded(c)
        advisor[c] = b
        load[b] += 1
    by_code = np.argsort(p.client_id, kind="stable")
    for a in np.flatnonzero(p.active & (load > limit)):
        for c in by_code[advisor[by_code] == a].tolist():
            if load[a] <= limit[a]:
                break
            b = least_loaded(c, exclude=a)
            if load[b] >= limit[b]:
                break                                                    # nobody has room
            advisor[c] = b
            load[a] -= 1
            load[b] += 1
    result = build_allocation(p, advisor, settings, objective=objective(p, advisor, settings), bound=float("nan"),
                              violations=[], timings={})
    result.seconds = time.perf_counter() - t0
    return result
