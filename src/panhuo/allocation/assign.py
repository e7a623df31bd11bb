"""Stage 2: from the LP's plan to individual clients, exactly, with OR-Tools' min-cost flow.

From the plan only two kinds of count are kept, per VIP class (VIP or not): how many of each advisor's current
clients stay, and how many arrive at each advisor. Within them one min-cost flow chooses, exactly, which clients
stay, which leave and where each goes (costs: the move, the mismatch at the new advisor), over every fit type
and asset band; so the LP's coarse view of fit costs nothing here. Clients of one fit type differ only in assets:
they are dealt out evenly over their destinations (`deal`). The band, which the LP planned with asset bands, is
then made exact by stage 3.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from panhuo.allocation.inputs import Problem
from panhuo.allocation.lp import Plan, Pools
from panhuo.allocation.settings import Settings

COST_SCALE = 100        # min-cost flow wants whole-number costs: weights to 1/100


def deal(item_set: np.ndarray, item_key: np.ndarray, out_set: np.ndarray, out_label: np.ndarray,
         out_count: np.ndarray) -> np.ndarray:
    """Spread each set's items, ranked by key, evenly over the set's outlets (systematic sampling).

    Outlet j with c_j places takes the items at ranks near (i + 0.5) / c_j of the set, so each outlet's items
    span the set's range of keys. Each set's outlet counts must add up to its number of items.
    """
    order = np.lexsort((np.arange(len(item_key)), item_key, item_set))
    rep = np.repeat(np.arange(len(out_count)), out_count)
    start = np.repeat(np.cumsum(out_count) - out_count, out_count)
    pos = (np.arange(len(rep)) - start + 0.5) / out_count[rep]
    slot = np.lexsort((np.arange(len(rep)), pos, out_set[rep]))
    label = np.empty(len(item_key), dtype=out_label.dtype)
    label[order] = out_label[rep[slot]]
    return label


def assign_clients(p: Problem, pools: Pools, plan: Plan, settings: Settings,
                   unit_of_pool: np.ndarray | None = None) -> np.ndarray:
    """Advisor (canonical index) of every client after the move.

    `unit_of_pool` says which of the LP's pools are merged into one unit whose counts are kept (default: by VIP
    class; merging less keeps more of the plan and leaves the flow less to choose).
    """
    n = p.n_clients
    n_adv = p.n_advisors
    n_f = len(p.fit_keys)
    if unit_of_pool is None:
        unit_of_pool = pools.vip.astype(np.int64)
    n_unit = int(unit_of_pool.max()) + 1 if len(unit_of_pool) else 0
    unit = unit_of_pool[pools.pool]
    # the LP's counts, per (current advisor, unit) and per (unit, advisor)
    pg = pools.client_group
    can_stay = pg >= 0
    key = np.where(can_stay, p.origin * n_unit + unit, -1)
    ug_keys, ug_of = np.unique(key[can_stay], return_inverse=True)
    client_ug = np.full(n, -1, dtype=np.int64)
    client_ug[can_stay] = ug_of
    ug_n = np.bincount(ug_of, minlength=len(ug_keys))
    pg_key = pools.group_origin * n_unit + unit_of_pool[pools.group_pool]
    ug_stay = np.bincount(np.searchsorted(ug_keys, pg_key), weights=plan.stay,
                          minlength=len(ug_keys)).astype(np.int64)
    arrive = np.zeros((n_unit, n_adv), dtype=np.int64)
    np.add.at(arrive, unit_of_pool, plan.arrive)

    result = p.origin.copy()
    fixed = can_stay.copy()
    fixed[can_stay] = ug_stay[client_ug[can_stay]] == ug_n[client_ug[can_stay]]     # the whole group stays
    live = np.flatnonzero(~fixed)
    if len(live) == 0:
        return result
    k, f = unit[live], p.fit_key[live]
    o = np.where(can_stay[live], p.origin[live], -1)
    # node families: fit type per (unit, origin) | stay per group | leave per (unit, fit type) | arrive per (unit, b)
    sg_key = (k * (n_adv + 1) + (o + 1)) * n_f + f
    sg, sg_of = np.unique(sg_key, return_inverse=True)
    sg_n = np.bincount(sg_of)
    sg_f = sg % n_f
    sg_o = (sg // n_f) % (n_adv + 1) - 1
    sg_k = sg // n_f // (n_adv + 1)
    live_ug = np.unique(client_ug[live][client_ug[live] >= 0])
    st_groups = live_ug[ug_stay[live_ug] > 0]
    lv, sg_lv = np.unique(sg_k * n_f + sg_f, return_inverse=True)
    dk, db = np.nonzero(arrive)
    n_sg, n_st, n_lv, n_d = len(sg), len(st_groups), len(lv), len(dk)
    base_st, base_lv, base_d = n_sg, n_sg + n_st, n_sg + n_st + n_lv

    tails, heads, costs = [], [], []
    # fit type -> stay with the current advisor
    st_keys = ug_keys[st_groups]
    want = np.where(sg_o >= 0, sg_o * n_unit + sg_k, -1)
    at = np.minimum(np.searchsorted(st_keys, want), max(n_st - 1, 0))
    has_stay = (sg_o >= 0) & (n_st > 0) & (st_keys[at] == want) if n_st else np.zeros(n_sg, dtype=bool)
    i = np.flatnonzero(has_stay)
    tails.append(i)
    heads.append(base_st + at[i])
    costs.append(p.fit_cost[sg_f[i], sg_o[i]])
    # fit type -> leave (a move, when leaving a current, active advisor)
    tails.append(np.arange(n_sg))
    heads.append(base_lv + sg_lv)
    costs.append(np.where(sg_o >= 0, settings.move_cost, 0.0))
    # leave -> arrive at b, for every advisor the LP sends this unit to
    lv_k, lv_f = lv // n_f, lv % n_f
    per_pool = np.bincount(dk, minlength=n_unit)
    rep = np.repeat(np.arange(n_lv), per_pool[lv_k])
    starts = np.cumsum(per_pool) - per_pool
    within = np.arange(len(rep)) - np.repeat(np.cumsum(per_pool[lv_k]) - per_pool[lv_k], per_pool[lv_k])
    order_d = np.argsort(dk, kind="stable")
    d_of = order_d[starts[lv_k[rep]] + within]
    tails.append(base_lv + rep)
    heads.append(base_d + d_of)
    costs.append(p.fit_cost[lv_f[rep], db[d_of]])

    tails = np.concatenate(tails).astype(np.int32)
    heads = np.concatenate(heads).astype(np.int32)
    cost = np.rint(np.concatenate(costs) * COST_SCALE).astype(np.int64)
    caps = np.full(len(tails), n, dtype=np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, cost)
    supply = np.zeros(base_d + n_d, dtype=np.int64)
    supply[:n_sg] = sg_n
    supply[base_st:base_lv] = -ug_stay[st_groups]
    supply[base_d:] = -arrive[dk, db]
    mcf.set_nodes_supplies(np.arange(len(supply), dtype=np.int32), supply)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"stage 2 (min-cost flow) stopped with {status}")
    flow = np.asarray(mcf.flows(arcs))

    # which clients of each fit type leave: dealt evenly by assets between staying and leaving
    n_stay_arcs = len(i)
    stay_flow = np.zeros(n_sg, dtype=np.int64)
    stay_flow[i] = flow[:n_stay_arcs]
    leave_flow = flow[n_stay_arcs:n_stay_arcs + n_sg]
    out_set = np.r_[np.arange(n_sg), np.arange(n_sg)]
    out_label = np.r_[np.zeros(n_sg, dtype=np.int64), np.ones(n_sg, dtype=np.int64)]
    out_count = np.r_[stay_flow, leave_flow]
    keep = out_count > 0
    leaving = deal(sg_of, p.assets[live], out_set[keep], out_label[keep], out_count[keep]) == 1
    # where the leavers of each (unit, fit type) go: dealt evenly by assets over their destinations
    arr_flow = flow[n_stay_arcs + n_sg:]
    keep = arr_flow > 0
    movers = live[leaving]
    dest = deal(sg_lv[sg_of[leaving]], p.assets[movers], rep[keep], db[d_of[keep]], arr_flow[keep])
    result[movers] = dest
    return result

