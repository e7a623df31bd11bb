"""龙头股 sector leader (strong markets): the strongest stock of a strong industry, with limit-up days.

Within each industry (instruments.industry) rank the 20-session return; a leader is in the top 10 % of its
industry (or first), had at least one limit-up close in 20 sessions, its industry's median 20-session
return beats the whole panel's, and it closes above MA5. Sell below MA10 or after 20 sessions.
"""

from __future__ import annotations

import numpy as np

from panhuo.market import blocks
from panhuo.market import indicators as ind
from panhuo.market.models.base import Model, Screen, adjusted_close, lag, limit_up_close, tradable_stock
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason
from panhuo.market.signals import Signals


def industry_rank(values: np.ndarray, industry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(percentile rank within industry per date — 1 = best, industry median per date), NaN-aware.
    One vectorised pass per industry (a few dozen), not per symbol; industries run on the block pool
    (numpy's sorts release the GIL), and the median is read off the same sort."""
    pct = np.full(values.shape, np.nan)
    med = np.full(values.shape, np.nan)
    groups = [np.flatnonzero(industry == g) for g in np.unique(industry) if g]

    def one(k: int) -> None:
        cols = groups[k]
        sub = values[:, cols]
        valid = ~np.isnan(sub)
        n = valid.sum(axis=1)
        order = np.argsort(np.where(valid, sub, np.inf), axis=1, kind="stable")   # NaN last
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.broadcast_to(np.arange(cols.size), order.shape), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(n[:, None] > 1, rank / (n[:, None] - 1), 1.0)
        pct[:, cols] = np.where(valid, p, np.nan)
        med[:, cols] = _median_of_sorted(np.take_along_axis(sub, order, axis=1), n)[:, None]
    blocks.run_blocks(list(range(len(groups))), one)
    return pct, med


def _median_of_sorted(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row medians of rows sorted ascending with their n valid values first (NaN for an empty row)."""
    lo, hi = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    r = np.arange(s.shape[0])
    return np.where(n > 0, (s[r, lo] + s[r, hi]) / 2, np.nan)


def row_nanmedian(x: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (NaN for an empty row); one sort instead of np.nanmedian's
    per-row Python path."""
    return _median_of_sorted(np.sort(x, axis=1), (~np.isnan(x)).sum(axis=1))   # NaN sorts last


def build(panel: Panel) -> Screen:
    c = adjusted_close(panel)
    ret20 = np.where(tradable_stock(panel), c / lag(c, 20) - 1, np.nan)
    pct, ind_med = industry_rank(ret20, panel.industry)
    market_med = row_nanmedian(ret20)[:, None]
    lu20 = np.nan_to_num(ind.rolling_sum(limit_up_close(panel).astype(float), 20))
    strength = ind_med - market_med
    entries = (pct >= 0.9) & (lu20 >= 1) & (strength > 0) & (c > ind.ma(c, 5))
    exits = c < ind.ma(c, 10)
    score = np.where(entries, pct + 0.1 * lu20 + strength, np.nan)
    return Screen(Signals(entries, exits, score, max_hold=20),
                  {"ret20": ret20, "pct": pct, "lu20": lu20, "strength": strength},
                  lambda f: Reason("sector_leader", f))


MODEL = Model("sector_leader", "龙头股", "strong",
              "Relative strength within its industry, limit-up days, strong industry.", build)
