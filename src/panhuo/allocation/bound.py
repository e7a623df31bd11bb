"""The objective of an allocation and an honest lower bound on it.

Objective: the cost of the changes. A client moved off an active advisor costs `move_cost` plus the change in
mismatch (new advisor's minus old advisor's); a client placed (unassigned, or off a departed advisor) costs the
mismatch at the new advisor; a client who stays costs nothing. It equals the full cost (every client's mismatch
plus the moves) less the mismatch the branch already has, a constant; so the gap is measured on what the
decision changes, not diluted by what it cannot.

Bound: a Lagrangian relaxation of the client-level problem (every client to one eligible advisor; capacity and
the fairness band for every advisor). The fairness rows are priced with the stage-1 LP's dual values and moved
into the costs; capacity is kept as a hard limit. What remains is a min-cost flow (clients -> advisors with
capacities), solved exactly; clients of one type (current advisor, fit, VIP, dormant, asset band) are one node,
each charged the lowest priced cost any member could have, and costs are rounded down. By weak duality the
result is at most the optimum of the client-level LP relaxation, so at most the best whole-client allocation:
the true optimum lies between bound and objective.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from panhuo.allocation.inputs import Problem
from panhuo.allocation.lp import Plan, Pools, band_slack, measures, stayable
from panhuo.allocation.settings import Settings

BOUND_SCALE = 1000      # costs to 1/1000, rounded down


def pays_move(p: Problem) -> np.ndarray:
    """Per client: leaving the current advisor is a move (the advisor is active)."""
    o = p.origin
    active = np.zeros(p.n_clients, dtype=bool)
    active[o >= 0] = p.active[o[o >= 0]]
    return active


def baseline(p: Problem) -> float:
    """The mismatch the branch already has: clients with an active advisor, at that advisor."""
    has = pays_move(p)
    return float(p.fit_cost[p.fit_key[has], p.origin[has]].sum())


def objective(p: Problem, advisor: np.ndarray, settings: Settings) -> float:
    moved = (advisor != p.origin) & pays_move(p)
    full = p.fit_cost[p.fit_key, advisor].sum() + settings.move_cost * moved.sum()
    return float(full) - baseline(p)


def band_prices(p: Problem, plan: Plan, settings: Settings) -> dict[str, np.ndarray]:
    """Per advisor and measure, the price the LP puts on one more unit held (from the band rows' duals).

    A band row of advisor b reads X_b - (1 +/- band) * share_b * T_level; its dual d prices X_b by d and every
    X of the level by -(1 +/- band) * share_b * d. Signs are clipped to those a valid relaxation needs.
    """
    theta = {m: np.zeros(p.n_advisors) for m in measures(settings)}
    for (m, _lv, sign), (members, d) in plan.duals["band"].items():
        d = np.minimum(d, 0.0) if sign > 0 else np.maximum(d, 0.0)
        share = p.effective[members] / p.effective[members].sum()
        theta[m][members] += d
        theta[m][members] -= (1 + sign * settings.band) * float((share * d).sum())
    return theta


def flow_bound(p: Problem, pools: Pools, plan: Plan, settings: Settings) -> float:
    # the band rows' right-hand sides (one client of slack on counts) enter the Lagrangian as a constant
    const = 0.0
    for (m, _lv, sign), (_members, d) in plan.duals["band"].items():
        d = np.minimum(d, 0.0) if sign > 0 else np.maximum(d, 0.0)
        const += float(d.sum()) * sign * band_slack(m)
    return priced_flow(p, pools, band_prices(p, plan, settings), settings)[0] + const


def priced_flow(p: Problem, pools: Pools, theta: dict, settings: Settings):
    """The min-cost flow with the band priced in; returns (bound, usage per advisor and measure)."""
    a_s = p.assets / pools.scale
    pays = pays_move(p)
    can = stayable(p)
    origin = np.where(can, p.origin, -1)
    n_adv, n_f = p.n_advisors, len(p.fit_keys)
    # asset bands in pairs: a third fewer nodes and arcs, for 0.03% of the bound on the benchmark's branch
    band = pools.band // 2
    n_q = int(band.max()) + 1 if p.n_clients else 1
    key = (((((origin + 1) * n_f + p.fit_key) * 2 + p.dormant) * 2 + p.vip) * n_q + band) * 2 + pays
    tk, t_of = np.unique(key, return_inverse=True)
    t_n = np.bincount(t_of)
    t_lo = np.full(len(tk), np.inf)
    np.minimum.at(t_lo, t_of, a_s)
    t_hi = np.zeros(len(tk))
    np.maximum.at(t_hi, t_of, a_s)
    t_pay = (tk % 2).astype(bool)
    r = tk // 2
    t_q = r % n_q
    r //= n_q
    t_v = r % 2
    r //= 2
    t_d = r % 2
    r //= 2
    t_f = r % n_f
    t_o = r // n_f - 1
    lk, t_l = np.unique(((t_f * 2 + t_d) * 2 + t_v) * n_q + t_q, return_inverse=True)
    l_lo = np.full(len(lk), np.inf)
    np.minimum.at(l_lo, t_l, t_lo)
    l_hi = np.zeros(len(lk))
    np.maximum.at(l_hi, t_l, t_hi)
    l_v = (lk // n_q) % 2
    l_d = (lk // n_q // 2) % 2
    l_f = lk // n_q // 4

    def priced(b, lo, hi, d):
        # the lowest the priced cost can be for any member: assets at whichever end the price favours
        th = theta["assets"][b]
        return -theta["clients"][b] - th * np.where(th >= 0, hi, lo) - theta["dormant"][b] * d

    n_t, n_l = len(tk), len(lk)
    base_l, base_b = n_t, n_t + n_l
    sink = base_b + n_adv
    st = np.flatnonzero(t_o >= 0)
    li, bi = np.nonzero(p.eligible[l_v])
    act = np.flatnonzero(p.active)
    tails = np.concatenate([st, np.arange(n_t), base_l + li, base_b + act])
    heads = np.concatenate([base_b + t_o[st], base_l + t_l, base_b + bi, np.full(len(act), sink)])
    cost = np.concatenate([p.fit_cost[t_f[st], t_o[st]] + priced(t_o[st], t_lo[st], t_hi[st], t_d[st]),
                           np.where(t_pay, settings.move_cost, 0.0),
                           p.fit_cost[l_f[li], bi] + priced(bi, l_lo[li], l_hi[li], l_d[li]),
                           np.zeros(len(act))])
    caps = np.full(len(tails), p.n_clients, dtype=np.int64)
    caps[-len(act):] = p.limit[act]
    mcf = min_cost_flow.SimpleMinCostFlow()
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps,
                                                    np.floor(cost * BOUND_SCALE).astype(np.int64))
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:n_t] = t_n
    supply[sink] = -p.n_clients
    mcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supply)
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("the bound's min-cost flow found no solution")
    flow = np.asarray(mcf.flows(arcs))
    t_mean = np.bincount(t_of, weights=a_s) / t_n
    l_mean = np.bincount(t_l, weights=t_mean * t_n) / np.bincount(t_l, weights=t_n)
    stay_f, arr_f = flow[:len(st)], flow[len(st) + n_t:len(st) + n_t + len(li)]
    usage = {"clients": np.bincount(np.r_[t_o[st], bi], weights=np.r_[stay_f, arr_f], minlength=n_adv),
             "dormant": np.bincount(np.r_[t_o[st], bi], weights=np.r_[stay_f * t_d[st], arr_f * l_d[li]],
                                    minlength=n_adv),
             "assets": np.bincount(np.r_[t_o[st], bi], weights=np.r_[stay_f * t_mean[st], arr_f * l_mean[li]],
                                   minlength=n_adv)}
    return mcf.optimal_cost() / BOUND_SCALE - baseline(p), usage
