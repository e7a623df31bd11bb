"""Chip (cost) distribution, 筹码分布: where the shares now held were bought.

Each session a fraction of all shares changes hands — the turnover rate r. The existing chips decay by
(1 − r) and the day's volume adds r of new chips spread over the day's range [low, high] (uniform in log
price). `chip_moments` carries the first two moments of that distribution through time exactly, which is
O(dates × symbols) and fast enough for every stock every day; `chip_histogram` builds the full
distribution on a price grid for one date (what a chart shows) and agrees with the moments.
When the turnover rate is unknown (e.g. Tushare qfq bars) it is proxied by volume relative to its
120-day average times 2 % (the A-share average daily turnover order of magnitude), stated in docs/market.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from panhuo.market import indicators as ind
from panhuo.market.panel import Panel

PROXY_TURNOVER = 0.02


def turnover_rate(panel: Panel) -> np.ndarray:
    """Daily turnover as a fraction; the stated proxy where the data have none. 0 on non-trading days."""
    v = panel.volume
    with np.errstate(invalid="ignore", divide="ignore"):
        proxy = PROXY_TURNOVER * v / ind.ma(np.where(panel.listed, v, np.nan), 120)
    r = np.where(np.isnan(panel.turnover), proxy, panel.turnover)
    return np.clip(np.where(panel.tradable, np.nan_to_num(r), 0.0), 0.0, 1.0)


@dataclass
class ChipMoments:
    mean_log_cost: np.ndarray   # mean of log cost
    std_log_cost: np.ndarray    # dispersion of log cost

    def mean_cost(self) -> np.ndarray:
        return np.exp(self.mean_log_cost)

    def concentration(self) -> np.ndarray:
        """90 % chip concentration (p95 − p5)/(p95 + p5) under a log-normal fit: tanh(1.645·σ)."""
        return np.tanh(1.6448536 * self.std_log_cost)

    def profit_ratio(self, close: np.ndarray) -> np.ndarray:
        """获利盘: share of chips bought below the close (normal fit in log price)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (np.log(close) - self.mean_log_cost) / np.maximum(self.std_log_cost, 1e-9)
        return ndtr(z)


def chip_moments(high: np.ndarray, low: np.ndarray, turnover: np.ndarray) -> ChipMoments:
    """Turnover-decayed moments of the cost distribution, per date and symbol (loop over dates only)."""
    lh, ll = np.log(high), np.log(low)
    mu = (lh + ll) / 2
    var_day = (lh - ll) ** 2 / 12
    T, N = mu.shape
    m_out = np.full((T, N), np.nan)
    q_out = np.full((T, N), np.nan)
    m = np.full(N, np.nan)
    q = np.full(N, np.nan)
    sec_all = var_day + mu * mu
    valid = ~np.isnan(mu)
    # Once every column has started and no input is missing, the update needs no masks.
    started_all = int(np.where(valid.any(axis=0), valid.argmax(axis=0), T).max())
    clean = started_all < T and bool(valid[started_all:].all())
    t_fast = started_all + 1 if clean else T
    for t in range(min(t_fast, T)):
        r = turnover[t]
        mu_t, sec = mu[t], sec_all[t]
        start = np.isnan(m) & valid[t]
        upd = ~np.isnan(m) & valid[t]
        m = np.where(start, mu_t, np.where(upd, (1 - r) * m + r * mu_t, m))
        q = np.where(start, sec, np.where(upd, (1 - r) * q + r * sec, q))
        m_out[t] = m
        q_out[t] = q
    if t_fast < T:
        keep = 1 - turnover
        for t in range(t_fast, T):
            np.multiply(m_out[t - 1], keep[t], out=m_out[t])
            m_out[t] += turnover[t] * mu[t]
            np.multiply(q_out[t - 1], keep[t], out=q_out[t])
            q_out[t] += turnover[t] * sec_all[t]
    var = q_out - m_out * m_out
    np.maximum(var, 0.0, out=var)
    s_out = np.sqrt(var)
    return ChipMoments(m_out, s_out)


def chip_histogram(high: np.ndarray, low: np.ndarray, turnover: np.ndarray, bins: int = 200
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(edges, weights) of the distribution after the last row, on a log-price grid per symbol spanning
    the window's lowest low to highest high. edges: (N, bins+1) prices; weights: (N, bins) summing to 1."""
    lh, ll = np.log(high), np.log(low)
    lo, hi = np.nanmin(ll, axis=0), np.nanmax(lh, axis=0)
    hi = np.where(hi > lo, hi, lo + 1e-6)
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, bins + 1)[None, :]
    N = lh.shape[1]
    w = np.zeros((N, bins))
    started = np.zeros(N, dtype=bool)
    for t in range(lh.shape[0]):
        a, b = ll[t][:, None], lh[t][:, None]
        ok = ~np.isnan(a[:, 0])
        width = np.maximum(b - a, 1e-12)
        # overlap of each bin with [a, b], as a share of the day's range (uniform in log price)
        cover = np.clip(np.minimum(grid[:, 1:], b) - np.maximum(grid[:, :-1], a), 0, None) / width
        point = (b - a)[:, 0] < 1e-12          # a one-price day: all chips in its bin
        if point.any():
            k = np.clip(np.nan_to_num((a[:, 0] - lo) / (hi - lo) * bins).astype(int), 0, bins - 1)
            cover[point] = 0.0
            cover[point, k[point]] = 1.0
        r = turnover[t][:, None]
        first = ok & ~started
        w = np.where(first[:, None], cover, np.where(ok[:, None] & started[:, None], (1 - r) * w + r * cover, w))
        started |= ok
    return np.exp(grid), w
