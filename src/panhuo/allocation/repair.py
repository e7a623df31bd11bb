"""Stage 3: make capacity and the fairness band hold exactly for whole clients.

Stages 1 and 2 count assets by asset band, and round; so an advisor can end a little over capacity or outside
the band. This step moves or swaps single clients between advisors of one level until every advisor is inside,
each time taking the change that removes the most violation for the least added cost (re-routing a client who
moves anyway costs only the change in fit; moving a client who stayed costs a move). Deterministic: candidates
are scanned in canonical order and ties keep the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panhuo.allocation.inputs import Problem
from panhuo.allocation.lp import band_slack
from panhuo.allocation.settings import Settings

MAX_STEPS = 2000
SAMPLE = 160            # clients of the worst advisor tried per step (spread over its asset range)
PARTNERS = 24           # swap partners tried per other advisor


@dataclass
class Violation:
    advisor: int
    measure: str        # 'capacity', 'clients', 'assets' or 'dormant'
    level: str
    value: float        # the advisor's figure
    low: float
    high: float


def band_limits(p: Problem, held: np.ndarray, members: np.ndarray, measure: str, band: float):
    """Lowest and highest each advisor of one level may hold: ±band around the level's mean per unit of
    capacity, and for counts at least one whole client either way (lp.band_slack)."""
    k = p.effective[members]
    target = held.sum() * k / k.sum() if k.sum() > 0 else np.zeros(len(members))
    slack = band_slack(measure)
    return np.minimum((1 - band) * target, target - slack), np.maximum((1 + band) * target, target + slack)


def client_cost(p: Problem, settings: Settings, clients: np.ndarray, advisors: np.ndarray) -> np.ndarray:
    """Mismatch plus the move, for each client at the matching advisor."""
    o = p.origin[clients]
    moved = (advisors != o) & (o >= 0)
    moved[moved] &= p.active[o[moved]]
    return p.fit_cost[p.fit_key[clients], advisors] + settings.move_cost * moved


class _Books:
    def __init__(self, p: Problem, advisor: np.ndarray, settings: Settings):
        self.p, self.s = p, settings
        self.adv = advisor
        self.x = {"clients": np.ones(p.n_clients), "assets": p.assets, "dormant": p.dormant.astype(float)}
        self.X = {m: np.bincount(advisor, weights=v, minlength=p.n_advisors) for m, v in self.x.items()}
        self.act = np.flatnonzero(p.active)
        self.levels = {lv: self.act[p.level_index[self.act] == lv] for lv in np.unique(p.level_index[self.act])}

    def limits(self, measure: str, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return band_limits(self.p, self.X[measure][members], members, measure, self.s.band)

    def violations(self) -> list[Violation]:
        out = []
        p = self.p
        over = self.act[self.X["clients"][self.act] > p.limit[self.act]]
        out += [Violation(int(b), "capacity", p.level[b], self.X["clients"][b], 0, p.limit[b]) for b in over]
        for lv, members in self.levels.items():
            for m in self.s.balance:
                lo, hi = self.limits(m, members)
                x = self.X[m][members]
                tol = 1e-9 * max(1.0, float(np.abs(hi).max()) if len(hi) else 1.0)
                for j in np.flatnonzero((x > hi + tol) | (x < lo - tol)):
                    out.append(Violation(int(members[j]), m, p.levels[lv], float(x[j]), float(lo[j]), float(hi[j])))
        return out


def _excess(X: dict, lo: dict, hi: dict, scale: dict) -> np.ndarray:
    """Total relative violation of the given books (arrays broadcast over candidate changes)."""
    tot = 0.0
    for m in lo:
        tot = tot + (np.maximum(X[m] - hi[m], 0) + np.maximum(lo[m] - X[m], 0)) / scale[m]
    return tot


def repair(p: Problem, advisor: np.ndarray, settings: Settings) -> tuple[np.ndarray, list[Violation]]:
    """Moves and swaps within a level until capacity and the band hold; returns what could not be fixed."""
    advisor = advisor.copy()
    books = _Books(p, advisor, settings)
    for _ in range(MAX_STEPS):
        viol = books.violations()
        if not viol:
            return advisor, []
        if not _step(p, books, advisor, viol, settings):
            return advisor, viol
    return advisor, books.violations()


def _step(p: Problem, books: _Books, advisor: np.ndarray, viol: list[Violation], settings: Settings) -> bool:
    """One improving move or swap around the worst violation; False when none exists."""
    def rel(v: Violation) -> float:
        span = max(v.high, 1e-9)
        return (v.value - v.high) / span if v.value > v.high else (v.low - v.value) / span
    worst = max(viol, key=lambda v: (v.measure == "capacity", rel(v), -v.advisor))
    a = worst.advisor
    lv = int(p.level_index[a])
    peers = books.levels[lv]
    if worst.measure == "capacity":
        peers = books.act
    peers = peers[peers != a]
    ms = list(settings.balance)
    # band limits are held fixed for the step (a move inside a level leaves them unchanged)
    lo, hi, scale = {}, {}, {}
    for m in ms:
        lo[m] = np.zeros(p.n_advisors)
        hi[m] = np.full(p.n_advisors, np.inf)
        for members in books.levels.values():
            lo[m][members], hi[m][members] = books.limits(m, members)
        scale[m] = max(float(hi[m][books.act].mean()) if np.isfinite(hi[m][books.act]).all() else 1.0, 1e-9)
    lo["cap"] = np.zeros(p.n_advisors)
    hi["cap"] = p.limit.astype(float)
    scale["cap"] = 1e-3                      # capacity outweighs any band
    xs = dict(books.x)
    xs["cap"] = books.x["clients"]
    Xs = dict(books.X)
    Xs["cap"] = books.X["clients"]

    def pair_excess(pa, pb, dx_a, dx_b):
        """Violation at advisors pa and pb after adding dx_a / dx_b (dicts of arrays)."""
        Xa = {m: Xs[m][pa] + dx_a[m] for m in lo}
        Xb = {m: Xs[m][pb] + dx_b[m] for m in lo}
        return (_excess(Xa, {m: lo[m][pa] for m in lo}, {m: hi[m][pa] for m in lo}, scale)
                + _excess(Xb, {m: lo[m][pb] for m in lo}, {m: hi[m][pb] for m in lo}, scale))

    mine = np.flatnonzero(advisor == a)
    if worst.value > worst.high or worst.measure == "capacity":
        givers, takers = np.array([a]), peers
    else:
        givers, takers = peers, np.array([a])
    best = None
    # moves: a client of a giver goes to a taker
    for g in givers:
        cand = mine if g == a else np.flatnonzero(advisor == g)
        cand = _spread(cand, p.assets, SAMPLE)
        if len(cand) == 0:
            continue
        tk = takers[None, :]
        ok = p.eligible[p.vip[cand].astype(int)][:, takers]
        before = pair_excess(np.full((len(cand), len(takers)), g), np.broadcast_to(tk, ok.shape),
                             {m: 0.0 for m in lo}, {m: 0.0 for m in lo})
        dx = {m: xs[m][cand][:, None] for m in lo}
        after = pair_excess(np.full(ok.shape, g), np.broadcast_to(tk, ok.shape),
                            {m: -dx[m] for m in lo}, dx)
        gain = before - after
        dcost = (client_cost(p, settings, np.repeat(cand, len(takers)), np.tile(takers, len(cand))).reshape(ok.shape)
                 - client_cost(p, settings, cand, np.full(len(cand), g))[:, None])
        best = _better(best, gain, dcost, ok, ("move", cand, takers, g))
    # swaps: a client of a giver for a client of a taker, same dormancy (counts unchanged)
    if worst.measure in ("assets", "dormant"):
        for g in givers:
            cand = _spread(mine if g == a else np.flatnonzero(advisor == g), p.assets, SAMPLE // 2)
            for t in takers:
                part = _spread(np.flatnonzero(advisor == t), p.assets, PARTNERS)
                if len(cand) == 0 or len(part) == 0:
                    continue
                ok = (p.eligible[p.vip[cand].astype(int), t][:, None]
                      & p.eligible[p.vip[part].astype(int), g][None, :])
                d = {m: xs[m][part][None, :] - xs[m][cand][:, None] for m in lo}
                before = pair_excess(g, t, {m: 0.0 for m in lo}, {m: 0.0 for m in lo})
                after = pair_excess(g, t, d, {m: -d[m] for m in lo})
                gain = before - after
                dcost = (client_cost(p, settings, np.repeat(cand, len(part)), np.full(len(cand) * len(part), t))
                         .reshape(ok.shape) - client_cost(p, settings, cand, np.full(len(cand), g))[:, None]
                         + client_cost(p, settings, np.tile(part, len(cand)), np.full(len(cand) * len(part), g))
                         .reshape(ok.shape) - client_cost(p, settings, part, np.full(len(part), t))[None, :])
                best = _better(best, gain, dcost, ok, ("swap", cand, part, g, t))
    if best is None:
        return False
    _, _, op, i, j = best
    if op[0] == "move":
        _, cand, takers, g = op
        _apply(books, advisor, cand[i], g, takers[j])
    else:
        _, cand, part, g, t = op
        _apply(books, advisor, cand[i], g, t)
        _apply(books, advisor, part[j], t, g)
    return True


def _spread(clients: np.ndarray, assets: np.ndarray, k: int) -> np.ndarray:
    """Up to k of the clients, spread evenly over their assets (always the largest and the smallest)."""
    if len(clients) <= k:
        return clients
    order = clients[np.argsort(assets[clients], kind="stable")]
    return order[np.unique(np.linspace(0, len(order) - 1, k).round().astype(int))]


def _better(best, gain, dcost, ok, op):
    """Keep the change with the best violation removed per unit of added cost (positive gain only)."""
    score = np.where(ok & (gain > 1e-9), gain / (np.maximum(dcost, 0) + 1.0), -np.inf)
    if not np.isfinite(score).any():
        return best
    flat = int(np.argmax(score))
    i, j = np.unravel_index(flat, score.shape)
    if best is None or score[i, j] > best[0]:
        return (float(score[i, j]), float(gain[i, j]), op, i, j)
    return best


def _apply(books: _Books, advisor: np.ndarray, c: int, frm: int, to: int) -> None:
    advisor[c] = to
    for m, v in books.x.items():
        books.X[m][frm] -= v[c]
        books.X[m][to] += v[c]
