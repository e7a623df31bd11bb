"""allocate(): clients and advisors in, a fair and explained allocation out (docs/allocation.md).

1. read the inputs into a canonical, id-blind problem (inputs.py);
2. refuse, naming the rule, what cannot be done (total capacity, VIP capacity);
3. stage 1, an LP over pools of alike clients (lp.py, OR-Tools GLOP);
4. stage 2, whole clients by min-cost flow (assign.py, OR-Tools);
5. stage 3, exact capacity and band by single moves and swaps (repair.py);
6. the lower bound: the LP's prices in a min-cost flow over all clients (bound.py);
7. small branches (or stage 3 stuck): the client-level model solved exactly by SCIP (exact.py);
8. per-advisor figures and reasons for every client (result.py).
"""

from __future__ import annotations

import time

import numpy as np

from panhuo.allocation.assign import assign_clients
from panhuo.allocation.bound import flow_bound, objective
from panhuo.allocation.exact import EXACT_PAIRS, solve_exact
from panhuo.allocation.inputs import Problem, read_problem
from panhuo.allocation.lp import LPInfeasible, build_pools, solve_lp
from panhuo.allocation.repair import repair
from panhuo.allocation.result import Allocation, build_allocation
from panhuo.allocation.settings import Settings

# Fit classes of the LP's pools: finer fits better and solves slower; the LP grows with classes × advisors,
# so small branches afford more (32 at 100,000 clients, 128 at 6,000 or fewer).
FIT_CLASSES = (32, 128)
LARGE_BOOKS = 1000      # clients per active advisor from which stage 2 keeps the LP's counts per VIP class only
MARGIN = 0.01           # the LP aims this much inside the band, room for whole clients and asset bands


class InfeasibleAllocation(ValueError):
    """No allocation meets the rules; `constraint` names the rule, `figures` the numbers behind it."""

    def __init__(self, constraint: str, message: str, figures: dict | None = None, allocation=None):
        super().__init__(message)
        self.constraint = constraint
        self.figures = figures or {}
        self.allocation = allocation


def _precheck(p: Problem, settings: Settings) -> None:
    n = p.n_clients
    act = p.active & (p.limit > 0)
    if n and not act.any():
        raise InfeasibleAllocation("capacity", f"{n} clients but no active advisor with capacity",
                                   {"clients": n, "capacity": 0})
    total = int(p.limit[p.active].sum())
    if n > total:
        raise InfeasibleAllocation(
            "capacity", f"{n} clients exceed the active advisors' capacity of {total} (after ramp-up); "
            "add advisors, raise capacities, or share the overload (over_capacity='share')",
            {"clients": n, "capacity": total})
    n_vip = int(p.vip.sum())
    vip_cap = int(p.limit[p.eligible[1]].sum())
    if n_vip > vip_cap:
        raise InfeasibleAllocation(
            "vip_rule", f"{n_vip} VIP clients exceed the capacity of the {', '.join(settings.vip_levels)} "
            f"advisors ({vip_cap})", {"vip_clients": n_vip, "capacity": vip_cap})


def _diagnose(p: Problem, pools, settings: Settings, left=()) -> InfeasibleAllocation:
    """Name the band that makes the branch infeasible: each (measure, level) alone, in a fixed order; else the
    rule the best attempt still broke."""
    try:
        solve_lp(p, pools, settings, band=settings.band, with_band=False)
    except LPInfeasible:
        return InfeasibleAllocation("capacity", "capacity and the VIP rule cannot both be met", {})
    for lv in sorted({int(x) for x in p.level_index[p.active]}):
        for m in settings.balance:
            try:
                solve_lp(p, pools, settings, band=settings.band, only=(m, lv))
            except LPInfeasible:
                level = p.levels[lv]
                return InfeasibleAllocation(
                    f"band_{m}", f"the ±{settings.band:.0%} band on {m} cannot be met among {level} advisors",
                    {"measure": m, "level": level, "band": settings.band})
    if left:
        worst = left[0]
        return InfeasibleAllocation(
            f"band_{worst.measure}" if worst.measure != "capacity" else "capacity",
            f"the ±{settings.band:.0%} band on {worst.measure} cannot be met among {worst.level} advisors "
            "together with capacity and the VIP rule",
            {"measure": worst.measure, "level": worst.level, "band": settings.band})
    return InfeasibleAllocation("band", f"the ±{settings.band:.0%} bands cannot all be met together",
                                {"band": settings.band})


def _stage2(p: Problem, pools, plan, settings: Settings):
    """Stages 2 and 3 for three readings of the plan, best repaired result kept (ties: the first).

    Keeping the LP's counts per VIP class only leaves the flow most freedom and suits large branches, where
    whole clients average out; keeping them per dormancy and asset band too leaves the repair less to do, which
    suits small ones.
    """
    best = None
    vip = pools.vip.astype(np.int64)
    units = [vip, vip * 2 + pools.dormant,
             np.unique(vip * 2 + pools.dormant + 4 * pools.asset_band, return_inverse=True)[1].ravel()]
    if p.n_clients >= LARGE_BOOKS * max(int(p.active.sum()), 1):
        units = units[:1]           # books this large average out: the freest reading wins (and saves a second)
    for unit in units:
        advisor, left = repair(p, assign_clients(p, pools, plan, settings, unit_of_pool=unit), settings)
        key = (len(left), objective(p, advisor, settings))
        if best is None or key < best[0]:
            best = (key, advisor, left)
    return best[1], best[2]


def allocate(clients, advisors, settings: Settings | None = None) -> Allocation:
    """Assign every client of one branch to an active advisor; see the module docstring and docs/allocation.md."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    timings = {}
    p = read_problem(clients, advisors, settings)
    timings["read"] = time.perf_counter() - t0
    _precheck(p, settings)
    if p.n_clients == 0:
        return build_allocation(p, p.origin.copy(), settings, objective=0.0, bound=0.0, violations=[],
                                timings=timings)
    t = time.perf_counter()
    lo, hi = FIT_CLASSES
    pools = build_pools(p, settings, int(np.clip(lo * np.sqrt(100_000 / max(p.n_clients, 1)), lo, hi)))
    plan = None
    for band in (max(settings.band - MARGIN, settings.band / 2), settings.band):
        try:
            plan = solve_lp(p, pools, settings, band=band)
            break
        except LPInfeasible:
            continue
    timings["lp"] = time.perf_counter() - t
    advisor, left, bound = None, [], -np.inf
    if plan is not None:
        t = time.perf_counter()
        advisor, left = _stage2(p, pools, plan, settings)
        timings["flow+repair"] = time.perf_counter() - t
        t = time.perf_counter()
        bound = flow_bound(p, pools, plan, settings)
        timings["bound"] = time.perf_counter() - t
    pairs = p.n_clients * int(p.active.sum())
    if pairs <= EXACT_PAIRS or ((plan is None or left) and pairs <= 10 * EXACT_PAIRS):
        # small enough to solve the client-level model exactly, or the stages are stuck: ask SCIP
        t = time.perf_counter()
        exact = solve_exact(p, settings, hint=advisor if plan is not None and not left else None)
        timings["exact"] = time.perf_counter() - t
        if exact.advisor is not None:
            candidate, still = repair(p, exact.advisor, settings)
            if not still and (advisor is None or left
                              or objective(p, candidate, settings) <= objective(p, advisor, settings)):
                advisor, left = candidate, []
        elif exact.optimal:
            raise _diagnose(p, pools, settings, left)
        bound = max(bound, exact.bound)
    if advisor is None:
        raise _diagnose(p, pools, settings)
    t = time.perf_counter()
    value = objective(p, advisor, settings)
    # SCIP's bound may pass an optimum it proved by a rounding hair
    result = build_allocation(p, advisor, settings, objective=value, bound=min(bound, value),
                              violations=left, timings=timings)
    timings["result"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - t0
    if left:
        worst = left[0]
        raise InfeasibleAllocation(
            "capacity" if worst.measure == "capacity" else f"band_{worst.measure}",
            f"{worst.measure} of advisor {p.advisor_id[worst.advisor]} ({worst.level}) stays at {worst.value:,.0f}, "
            f"outside {worst.low:,.0f}–{worst.high:,.0f}", {"advisor_id": p.advisor_id[worst.advisor],
                                                            "measure": worst.measure, "level": worst.level},
            allocation=result)
    return result

