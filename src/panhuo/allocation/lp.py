"""Stage 1: a linear programme over pools of alike clients, solved by OR-Tools' GLOP (dual simplex).

A pool gathers clients who look alike to every rule: VIP or not, dormant or not, an asset band (finer at the
top, where a few clients hold much) and a fit class (clients whom the advisors fit alike: k-means over each fit
key's mismatch cost at every active advisor, region included). For each (current advisor, pool) the LP decides
how many stay and, for each pool, how many go to each eligible advisor; each advisor's clients, dormant clients
and assets are linear in these counts, so capacity and the fairness band are plain rows. Fit enters as the
pool's mean mismatch at each advisor. The plan is only a plan: stage 2 (assign.py) keeps its counts per advisor
and VIP class and chooses the clients exactly; stage 3 (repair.py) makes the band exact. The LP's row prices
are kept: they give the lower bound (bound.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from panhuo.allocation.inputs import Problem
from panhuo.allocation.settings import Settings

VIP_EDGES = (0.4, 0.7, 0.88, 0.96, 0.99)     # asset quantiles splitting VIP clients into bands
OTHER_EDGES = (0.25, 0.5, 0.75, 0.9)


class LPInfeasible(Exception):
    pass


@dataclass
class Pools:
    pool: np.ndarray            # per client: pool index
    band: np.ndarray            # per client: asset band (VIP bands above the others)
    n: np.ndarray               # per pool: clients
    mean_assets: np.ndarray     # per pool: mean assets (scaled)
    dormant: np.ndarray         # per pool: bool
    vip: np.ndarray             # per pool: bool
    asset_band: np.ndarray      # per pool: its asset band
    arrive_cost: np.ndarray     # pool x advisor: mean mismatch of the pool's clients at that advisor
    group_origin: np.ndarray    # per stay group: current advisor
    group_pool: np.ndarray      # per stay group: pool
    group_n: np.ndarray
    group_assets: np.ndarray    # scaled assets sum
    group_cost: np.ndarray      # mean mismatch at the current advisor
    client_group: np.ndarray    # per client: stay group or -1 (must be placed)
    scale: float                # assets are divided by this (the mean client's assets) for the LP


@dataclass
class Plan:
    stay: np.ndarray            # per stay group: clients who stay (int)
    arrive: np.ndarray          # pool x advisor: clients who arrive (int)
    duals: dict                 # row family -> prices, for the bound
    lp_objective: float
    lp_seconds: float
    status: str


def stayable(p: Problem) -> np.ndarray:
    """Per client: may keep the current advisor (active, and the VIP rule allows)."""
    o = p.origin
    ok = o >= 0
    ok[ok] = p.eligible[p.vip[ok].astype(int), o[ok]]
    return ok


def _kmeans(vec: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Deterministic weighted k-means: farthest-point start from the heaviest row, then Lloyd's iterations."""
    uniq, inv = np.unique(vec, axis=0, return_inverse=True)
    inv = inv.ravel()
    w = np.bincount(inv, weights=weight, minlength=len(uniq))
    if len(uniq) <= k:
        return inv
    sq = (uniq ** 2).sum(axis=1)
    centres = [int(np.argmax(w))]
    d = sq - 2 * uniq @ uniq[centres[0]] + sq[centres[0]]
    while len(centres) < k:
        nxt = int(np.argmax(np.where(w > 0, d, -1.0)))
        if d[nxt] <= 0:
            break
        centres.append(nxt)
        d = np.minimum(d, sq - 2 * uniq @ uniq[nxt] + sq[nxt])
    c = uniq[centres].astype(float)
    label = np.zeros(len(uniq), dtype=np.int64)
    for _ in range(20):
        new_label = (-2 * uniq @ c.T + (c ** 2).sum(axis=1)[None, :]).argmin(axis=1)
        if (new_label == label).all() and _ > 0:
            break
        label = new_label
        mass = np.bincount(label, weights=w, minlength=len(c))
        sums = np.zeros_like(c)
        np.add.at(sums, label, uniq * w[:, None])
        c = np.where(mass[:, None] > 0, sums / np.maximum(mass, 1e-12)[:, None], c)
    return label[inv]


def fit_classes(p: Problem, n_classes: int) -> np.ndarray:
    """Per fit key: a class of clients whom the advisors fit alike (k-means over the mismatch costs at the
    active advisors, weighted by clients)."""
    weight = np.bincount(p.fit_key, minlength=len(p.fit_keys)).astype(float)
    return _kmeans(p.fit_cost[:, np.flatnonzero(p.active)], weight, n_classes)


def build_pools(p: Problem, settings: Settings, n_classes: int) -> Pools:
    n = p.n_clients
    assets = p.assets
    scale = float(assets.mean()) if n and assets.mean() > 0 else 1.0
    q = np.zeros(n, dtype=np.int64)
    for mask, edges, offset in ((p.vip, VIP_EDGES, len(OTHER_EDGES) + 1), (~p.vip, OTHER_EDGES, 0)):
        if mask.any():
            cuts = np.quantile(assets[mask], edges)
            q[mask] = offset + np.searchsorted(cuts, assets[mask], side="right")
    n_q = len(OTHER_EDGES) + len(VIP_EDGES) + 2
    raw = ((fit_classes(p, n_classes)[p.fit_key] * 2 + p.vip) * 2 + p.dormant) * n_q + q
    keys, pool = np.unique(raw, return_inverse=True)
    n_pool = np.bincount(pool, minlength=len(keys))
    sum_assets = np.bincount(pool, weights=assets / scale, minlength=len(keys))
    counts = sp.csr_matrix((np.ones(n), (pool, p.fit_key)), shape=(len(keys), len(p.fit_keys)))
    arrive_cost = np.asarray(counts @ p.fit_cost) / n_pool[:, None]

    can_stay = stayable(p)
    gkey = np.where(can_stay, p.origin * len(keys) + pool, -1)
    gkeys, ginv = np.unique(gkey[can_stay], return_inverse=True)
    client_group = np.full(n, -1, dtype=np.int64)
    client_group[can_stay] = ginv
    stay_cost = p.fit_cost[p.fit_key[can_stay], p.origin[can_stay]]
    g_n = np.bincount(ginv, minlength=len(gkeys))
    return Pools(pool=pool, band=q, n=n_pool, mean_assets=sum_assets / n_pool, dormant=(keys // n_q) % 2 == 1,
                 vip=(keys // n_q // 2) % 2 == 1, asset_band=keys % n_q, arrive_cost=arrive_cost,
                 group_origin=gkeys // len(keys), group_pool=gkeys % len(keys), group_n=g_n,
                 group_assets=np.bincount(ginv, weights=assets[can_stay] / scale, minlength=len(gkeys)),
                 group_cost=np.bincount(ginv, weights=stay_cost, minlength=len(gkeys)) / g_n,
                 client_group=client_group, scale=scale)


class _Rows:
    """Sparse rows collected as COO triplets."""

    def __init__(self):
        self.r, self.c, self.v, self.lo, self.hi = [], [], [], [], []
        self.count = 0

    def add(self, rows, cols, vals):
        self.r.append(np.asarray(rows, dtype=np.int64))
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=np.float64))

    def new(self, k, lo, hi) -> np.ndarray:
        idx = np.arange(self.count, self.count + k)
        self.count += k
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (k,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (k,)))
        return idx

    def matrix(self, n_cols):
        return (sp.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                              shape=(self.count, n_cols)), np.concatenate(self.lo), np.concatenate(self.hi))


def band_slack(measure: str) -> float:
    """Counts may stray one whole client from the level's mean even where the band is narrower: a book of 20
    cannot hold 19.8 clients. Assets have no such floor."""
    return 0.0 if measure == "assets" else 1.0


def measures(settings: Settings) -> list[str]:
    return ["clients"] + [m for m in ("assets", "dormant") if m in settings.balance]


def solve_lp(p: Problem, pools: Pools, settings: Settings, *, band: float, with_band: bool = True,
             only: tuple[str, int] | None = None) -> Plan:
    """The stage-1 LP. `band` may be narrower than settings.band to leave room for stage 2's rounding.

    `only` keeps the band rows of one (measure, level) alone: used to name the constraint that makes a branch
    infeasible.
    """
    act = np.flatnonzero(p.active)
    n_pool, n_adv = len(pools.n), p.n_advisors
    elig = p.eligible[pools.vip.astype(int)][:, act]              # pool x active advisor
    y_pool, y_adv_local = np.nonzero(elig)
    y_adv = act[y_adv_local]
    n_s, n_y = len(pools.group_n), len(y_pool)
    ms = measures(settings)
    levels = sorted({int(p.level_index[a]) for a in act})
    col_x = n_s + n_y                                              # X[b, m] for active b
    x_index = {(int(b), m): col_x + i * len(ms) + j for i, b in enumerate(act) for j, m in enumerate(ms)}
    col_t = col_x + len(act) * len(ms)
    t_index = {(lv, m): col_t + i * len(ms) + j for i, lv in enumerate(levels) for j, m in enumerate(ms)}
    n_cols = col_t + len(levels) * len(ms)

    lb = np.zeros(n_cols)
    ub = np.full(n_cols, np.inf)
    ub[:n_s] = pools.group_n
    cost = np.zeros(n_cols)
    cost[:n_s] = pools.group_cost - settings.move_cost
    cost[n_s:n_s + n_y] = pools.arrive_cost[y_pool, y_adv]

    rows = _Rows()
    # every client of a pool stays or arrives somewhere
    pr = rows.new(n_pool, pools.n, pools.n)
    rows.add(pr[pools.group_pool], np.arange(n_s), np.ones(n_s))
    rows.add(pr[y_pool], n_s + np.arange(n_y), np.ones(n_y))
    # X[b, m] = what b holds after the move
    per = {"clients": np.ones(n_pool), "dormant": pools.dormant.astype(float), "assets": pools.mean_assets}
    const = {m: np.zeros(n_adv) for m in ms}
    const["assets"] = np.bincount(pools.group_origin, weights=pools.group_assets - pools.group_n
                                  * pools.mean_assets[pools.group_pool], minlength=n_adv)
    def_rows = {}
    for m in ms:
        idx = rows.new(len(act), const[m][act], const[m][act])
        row_of = np.full(n_adv, -1)
        row_of[act] = idx
        def_rows[m] = idx
        rows.add(idx, [x_index[(int(b), m)] for b in act], np.ones(len(act)))
        rows.add(row_of[pools.group_origin], np.arange(n_s), -per[m][pools.group_pool])
        rows.add(row_of[y_adv], n_s + np.arange(n_y), -per[m][y_pool])
    cap = rows.new(len(act), -np.inf, p.limit[act])
    rows.add(cap, [x_index[(int(b), "clients")] for b in act], np.ones(len(act)))
    band_rows = {}
    for lv in levels:
        members = act[p.level_index[act] == lv]
        k_l = p.effective[members].sum()
        for m in ms:
            tot = rows.new(1, 0.0, 0.0)
            rows.add(np.repeat(tot, len(members) + 1), [t_index[(lv, m)]] + [x_index[(int(b), m)] for b in members],
                     np.r_[1.0, -np.ones(len(members))])
            if not with_band or m not in settings.balance or k_l <= 0:
                continue
            if only is not None and only != (m, lv):
                continue
            share = p.effective[members] / k_l
            slack = band_slack(m)
            for sign, lo, hi in ((+1, -np.inf, slack), (-1, -slack, np.inf)):
                idx = rows.new(len(members), lo, hi)
                rows.add(idx, [x_index[(int(b), m)] for b in members], np.ones(len(members)))
                rows.add(idx, np.full(len(members), t_index[(lv, m)]), -(1 + sign * band) * share)
                band_rows[(m, lv, sign)] = (members, idx)
    matrix, row_lo, row_hi = rows.matrix(n_cols)

    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(lb, ub, cost, row_lo, row_hi, matrix)
    solver = mbh.ModelSolverHelper("glop")
    solver.set_time_limit_in_seconds(settings.time_limit)
    # dual simplex: 20x faster than primal here (0.2 s against 4 s); GLOP is single-threaded and deterministic
    solver.set_solver_specific_parameters("use_dual_simplex: true")
    solver.solve(model)
    status = solver.status()
    if status == mbh.SolveStatus.INFEASIBLE:
        raise LPInfeasible()
    if status not in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
        raise RuntimeError(f"the LP solver stopped with {status.name}")
    values = solver.variable_values()
    duals = solver.dual_values()
    stay_f = values[:n_s]
    arrive_f = np.zeros((n_pool, n_adv))
    arrive_f[y_pool, y_adv] = values[n_s:n_s + n_y]
    stay, arrive = _round(pools, stay_f, arrive_f)
    prices = {"capacity": (act, duals[cap]),
              "band": {key: (members, duals[idx]) for key, (members, idx) in band_rows.items()}}
    return Plan(stay=stay, arrive=arrive, duals=prices, lp_objective=float(solver.objective_value())
                + settings.move_cost * float(pools.group_n.sum()), lp_seconds=solver.wall_time(),
                status=status.name)


def _round(pools: Pools, stay_f: np.ndarray, arrive_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole clients: stays to the nearest integer, then each pool's arrivals by largest remainder."""
    stay = np.clip(np.rint(stay_f), 0, pools.group_n).astype(np.int64)
    staying = np.bincount(pools.group_pool, weights=stay, minlength=len(pools.n)).astype(np.int64)
    need = pools.n - staying
    base = np.floor(arrive_f + 1e-9).astype(np.int64)
    arrive = base.copy()
    short = need - base.sum(axis=1)
    rem = arrive_f - base
    for k in np.flatnonzero(short != 0):
        if short[k] > 0:
            order = np.argsort(-rem[k], kind="stable")
            arrive[k, order[:short[k]]] += 1
        else:
            order = np.argsort(rem[k] - (arrive[k] > 0) * 2, kind="stable")   # take back from the smallest shares
            take = -short[k]
            for b in order:
                if take == 0:
                    break
                d = min(take, arrive[k, b])
                arrive[k, b] -= d
                take -= d
    return stay, arrive
