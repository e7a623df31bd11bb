"""The exact client-level model as a mixed-integer programme (SCIP through OR-Tools), for small branches.

One 0/1 variable per client and eligible advisor; capacity and the band as rows; the same costs. Used when the
branch is small enough to solve this way in a moment, and as the fallback when stage 3 cannot reach the band
by single moves and swaps (a few clients in a small book: the band may need two moves at once). It returns the
proven optimum or the best found in the time allowed, with SCIP's own lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from panhuo.allocation.bound import baseline, pays_move
from panhuo.allocation.inputs import Problem
from panhuo.allocation.lp import band_slack
from panhuo.allocation.settings import Settings

EXACT_PAIRS = 4000          # clients × active advisors up to which a branch is solved exactly
TIME_LIMIT = 10.0


@dataclass
class Exact:
    advisor: np.ndarray | None      # None: no allocation meets the rules
    bound: float
    optimal: bool


def solve_exact(p: Problem, settings: Settings, *, hint: np.ndarray | None = None,
                time_limit: float = TIME_LIMIT) -> Exact:
    act = np.flatnonzero(p.active)
    elig = p.eligible[p.vip.astype(int)][:, act]
    ci, aj = np.nonzero(elig)
    b = act[aj]
    nv = len(ci)
    cost = p.fit_cost[p.fit_key[ci], b] + np.where((b != p.origin[ci]) & pays_move(p)[ci], settings.move_cost, 0.0)
    x = {"clients": np.ones(p.n_clients), "assets": p.assets / max(float(p.assets.mean()), 1e-9),
         "dormant": p.dormant.astype(float)}
    ms = list(settings.balance)
    levels = sorted({int(v) for v in p.level_index[act]})
    pos = {int(a): i for i, a in enumerate(act)}
    xc = {m: nv + k * len(act) for k, m in enumerate(ms)}                  # X[b, m]
    tc = {(lv, m): nv + len(ms) * len(act) + i * len(ms) + k for i, lv in enumerate(levels) for k, m in enumerate(ms)}
    n_cols = nv + len(ms) * len(act) + len(levels) * len(ms)
    r, c, v, lo, hi = [], [], [], [], []
    row = 0

    def add(rows, cols, vals):
        r.append(np.asarray(rows))
        c.append(np.asarray(cols))
        v.append(np.asarray(vals, dtype=float))

    add(ci, np.arange(nv), np.ones(nv))                                      # each client exactly once
    lo += [1.0] * p.n_clients
    hi += [1.0] * p.n_clients
    row = p.n_clients
    add(row + aj, np.arange(nv), np.ones(nv))                                # capacity
    lo += [-np.inf] * len(act)
    hi += p.limit[act].astype(float).tolist()
    row += len(act)
    for m in ms:                                                             # X[b, m] = what b holds
        add(row + aj, np.arange(nv), -x[m][ci])
        add(row + np.arange(len(act)), xc[m] + np.arange(len(act)), np.ones(len(act)))
        lo += [0.0] * len(act)
        hi += [0.0] * len(act)
        row += len(act)
    for lv in levels:
        members = act[p.level_index[act] == lv]
        share = p.effective[members] / max(p.effective[members].sum(), 1e-12)
        cols = [xc[m] for m in ms]
        for k, m in enumerate(ms):
            idx = [pos[int(a)] for a in members]
            add(np.full(len(members) + 1, row), [tc[(lv, m)]] + [cols[k] + i for i in idx],
                np.r_[1.0, -np.ones(len(members))])
            lo.append(0.0)
            hi.append(0.0)
            row += 1
            slack = band_slack(m)
            for j, i in enumerate(idx):
                for sign in (+1, -1):
                    add([row, row], [cols[k] + i, tc[(lv, m)]], [1.0, -(1 + sign * settings.band) * share[j]])
                    lo.append(-np.inf if sign > 0 else -slack)
                    hi.append(slack if sign > 0 else np.inf)
                    row += 1
    matrix = sp.csr_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(row, n_cols))
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(np.r_[np.zeros(nv), np.full(n_cols - nv, -np.inf)],
                                      np.r_[np.ones(nv), np.full(n_cols - nv, np.inf)],
                                      np.r_[cost, np.zeros(n_cols - nv)], np.array(lo), np.array(hi), matrix)
    for i in range(nv):
        model.set_var_integrality(i, True)
    if hint is not None:
        for i in np.flatnonzero(hint[ci] == b):
            model.add_hint(int(i), 1.0)
    solver = mbh.ModelSolverHelper("scip")
    solver.set_time_limit_in_seconds(time_limit)
    solver.solve(model)
    status = solver.status()
    base = baseline(p)
    if status == mbh.SolveStatus.INFEASIBLE:
        return Exact(None, np.inf, True)
    if status not in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
        return Exact(None, -np.inf, False)
    values = solver.variable_values()[:nv]
    advisor = p.origin.copy()
    pick = values > 0.5
    advisor[ci[pick]] = b[pick]
    return Exact(advisor, float(solver.best_objective_bound()) - base, status == mbh.SolveStatus.OPTIMAL)
