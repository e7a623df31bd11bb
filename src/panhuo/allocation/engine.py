"""allocate(): clients and advisors in, a fair and explained allocation out (docs/allocation.md).

1. read the inputs into a canonical, id-blind problem (inputs.py);
2. refuse, naming the rule, what cannot be done (total capacity, VIP capacity);
3. stage 1, an LP over pools of alike clients (lp.py, OR-Tools GLOP);
4. stage 2, whole clients by min-cost flow (assign.py, OR-Tools);
5. stage 3, exact capacity and band by single moves and swaps (repair.py);
6. the lower bound: the LP's prices in a min-cost flow over all clients (bound.py);
7. per-advisor figures and reasons for every client (result.py).
"""

from __future__ import annotations

import time

from panhuo.allocation.assign import assign_clients
from panhuo.allocation.bound import flow_bound, objective
from panhuo.allocation.inputs import Problem, read_problem
from panhuo.allocation.lp import LPInfeasible, build_pools, solve_lp
from panhuo.allocation.repair import repair
from panhuo.allocation.result import Allocation, build_allocation
from panhuo.allocation.settings import Settings

FIT_CLASSES = 32        # fit classes of the LP's pools: finer fits better and solves slower (docs/allocation.md)
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


def _diagnose(p: Problem, pools, settings: Settings) -> InfeasibleAllocation:
    """Name the band that makes the LP infeasible: each (measure, level) alone, in a fixed order."""
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
    return InfeasibleAllocation("band", f"the ±{settings.band:.0%} bands cannot all be met together",
                                {"band": settings.band})


def allocate(clients, advisors, settings: Settings | None = None) -> Allocation:
    """Assign every client of one branch to an active advisor; see the module docstring and docs/allocation.md."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    timings = {}
    p = read_problem(clients, advisors, settings)
    timings["read"] = time.perf_counter() - t0
    _precheck(p, settings)
    t = time.perf_counter()
    pools = build_pools(p, settings, FIT_CLASSES)
    try:
        plan = solve_lp(p, pools, settings, band=max(settings.band - MARGIN, settings.band / 2))
    except LPInfeasible:
        try:
            plan = solve_lp(p, pools, settings, band=settings.band)
        except LPInfeasible:
            raise _diagnose(p, pools, settings) from None
    timings["lp"] = time.perf_counter() - t
    t = time.perf_counter()
    advisor = assign_clients(p, pools, plan, settings)
    timings["flow"] = time.perf_counter() - t
    t = time.perf_counter()
    advisor, left = repair(p, advisor, settings)
    timings["repair"] = time.perf_counter() - t
    t = time.perf_counter()
    bound = flow_bound(p, pools, plan, settings)
    timings["bound"] = time.perf_counter() - t
    t = time.perf_counter()
    result = build_allocation(p, advisor, settings, objective=objective(p, advisor, settings), bound=bound,
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

