"""Daily market regime of an index: strong / consolidating / weak (强势市道 / 盘整市道 / 弱势市道) and cycle phase A–D.

Definition (docs/market.md explains it with the evidence):

* trend, three votes of ±1: close above MA60, MA20 above MA60, MA60 rising over 10 sessions;
* breadth, one vote when a stock panel is given: +1 when ≥ 60 % of stocks close above their own MA20,
  −1 when ≤ 40 %;
* volatility, one vote: −1 when 20-day volatility exceeds 1.5 × its one-year median while the close is below
  MA60 (a falling market that is also turbulent);
* score = sum of votes; strong when score ≥ 3, weak when score ≤ −3, consolidating otherwise.

Phase (the material's market cycle): B rising = MA60 rising and close above it; D falling = MA60 falling
and close below it; A bottoming = close back above a MA60 that is not rising; C topping = close below a
MA60 that is not falling. Position guidance (仓位) per regime defaults to 75 % / 50 % / 25 %.
Everything at date t uses data up to t only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from panhuo.market import indicators as ind
from panhuo.market.panel import Panel
from panhuo.market.vocabulary import REGIMES

PHASES = ("A", "B", "C", "D")
PHASE_NAMES = {"A": "bottoming 筑底", "B": "rising 上涨", "C": "topping 做头", "D": "falling 下跌"}


@dataclass(frozen=True)
class RegimeConfig:
    short: int = 20
    long: int = 60
    slope_lag: int = 10
    vol_window: int = 20
    vol_history: int = 250
    vol_high: float = 1.5
    breadth_high: float = 0.6
    breadth_low: float = 0.4
    strong_at: int = 3
    weak_at: int = -3
    position: dict = field(default_factory=lambda: {"strong": 0.75, "consolidating": 0.50, "weak": 0.25})


@dataclass
class RegimeSeries:
    dates: np.ndarray
    close: np.ndarray
    regime: np.ndarray         # str per date ("" during warm-up)
    phase: np.ndarray          # "A".."D" ("" during warm-up)
    score: np.ndarray
    trend: np.ndarray
    breadth: np.ndarray        # NaN when no panel
    volatility: np.ndarray     # annualised 20-day
    position: np.ndarray       # guidance fraction (NaN during warm-up)

    def at(self, day) -> int:
        i = int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1
        if i < 0:
            raise ValueError(f"{day} is before the index history")
        return i

    def align(self, dates: np.ndarray) -> RegimeSeries:
        """The regime known on each of `dates` (last index session on or before it)."""
        i = np.searchsorted(self.dates, np.asarray(dates, dtype="datetime64[D]"), side="right") - 1
        ok = i >= 0
        i = np.maximum(i, 0)

        def pick(a, blank):
            return np.where(ok, a[i], blank)
        return RegimeSeries(dates=np.asarray(dates, dtype="datetime64[D]"), close=pick(self.close, np.nan),
                            regime=pick(self.regime, ""), phase=pick(self.phase, ""), score=pick(self.score, 0),
                            trend=pick(self.trend, 0), breadth=pick(self.breadth, np.nan),
                            volatility=pick(self.volatility, np.nan), position=pick(self.position, np.nan))


def breadth(panel: Panel, n: int = 20) -> np.ndarray:
    """Share of listed, trading stocks closing above their own n-day moving average, per panel date."""
    c = panel.close * panel.adj_factor
    m = ind.ma(c, n)
    live = panel.tradable & ~np.isnan(m)
    cnt = live.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, (live & (c > m)).sum(axis=1) / cnt, np.nan)


def classify(dates: np.ndarray, close: np.ndarray, *, breadth_series: np.ndarray | None = None,
             config: RegimeConfig | None = None) -> RegimeSeries:
    """Regime and phase for each index session. `breadth_series` (aligned to `dates`, NaN where unknown)
    adds the breadth vote where it is known."""
    cfg = config or RegimeConfig()
    close = np.asarray(close, dtype=float)
    dates = np.asarray(dates, dtype="datetime64[D]")
    ms, ml = ind.ma(close, cfg.short), ind.ma(close, cfg.long)
    prev_ml = np.concatenate([np.full(cfg.slope_lag, np.nan), ml[:-cfg.slope_lag]])
    slope = ml / prev_ml - 1
    vote = lambda cond: np.where(cond, 1, -1)   # noqa: E731
    trend = vote(close > ml) + vote(ms > ml) + vote(slope > 0)
    r = np.concatenate([[np.nan], np.diff(np.log(close))])
    vol = ind.rolling_std(r, cfg.vol_window, ddof=1) * np.sqrt(252)
    vol_med = _rolling_median(vol, cfg.vol_history)
    vol_vote = np.where((vol > cfg.vol_high * vol_med) & (close < ml), -1, 0)
    b = np.full(close.size, np.nan) if breadth_series is None else np.asarray(breadth_series, dtype=float)
    b_vote = np.where(b >= cfg.breadth_high, 1, np.where(b <= cfg.breadth_low, -1, 0))
    score = trend + vol_vote + b_vote
    ready = ~np.isnan(slope) & ~np.isnan(vol)
    regime = np.where(score >= cfg.strong_at, "strong", np.where(score <= cfg.weak_at, "weak", "consolidating"))
    regime = np.where(ready, regime, "")
    phase = np.where(slope > 0, np.where(close > ml, "B", "C"), np.where(close < ml, "D", "A"))
    phase = np.where(ready, phase, "")
    pos = np.array([cfg.position.get(x, np.nan) for x in regime], dtype=float)
    return RegimeSeries(dates=dates, close=close, regime=regime.astype(object), phase=phase.astype(object),
                        score=np.where(ready, score, 0), trend=trend, breadth=b, volatility=vol, position=pos)


def _rolling_median(x: np.ndarray, n: int) -> np.ndarray:
    """Median of the last n values (NaN-tolerant, needs at least n/2 valid)."""
    out = np.full(x.size, np.nan)
    if x.size < n:
        return out
    w = np.lib.stride_tricks.sliding_window_view(x, n)
    valid = (~np.isnan(w)).sum(axis=1)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(w, axis=1)
    out[n - 1:] = np.where(valid >= n // 2, med, np.nan)
    return out


def forward_outcomes(close: np.ndarray, horizon: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """(forward return over `horizon` sessions, worst drawdown from the running peak along that path)."""
    c = np.asarray(close, dtype=float)
    n = c.size
    fwd = np.full(n, np.nan)
    dd = np.full(n, np.nan)
    if n <= horizon:
        return fwd, dd
    fwd[:-horizon] = c[horizon:] / c[:-horizon] - 1
    w = np.lib.stride_tricks.sliding_window_view(c, horizon + 1)     # c[t..t+h]
    peak = np.maximum.accumulate(w, axis=1)
    dd[:n - horizon] = np.max(1 - w / peak, axis=1)
    return fwd, dd


def outcome_table(series: RegimeSeries, horizon: int = 20, by: str = "regime") -> list[dict]:
    """Per regime (or phase): days, mean / median forward return, share of positive outcomes, mean forward
    drawdown, and the same on non-overlapping samples (every `horizon`-th day) for an honest test."""
    fwd, dd = forward_outcomes(series.close, horizon)
    labels = series.regime if by == "regime" else series.phase
    keys = REGIMES if by == "regime" else PHASES
    rows = []
    every = np.zeros(labels.size, dtype=bool)
    every[::horizon] = True
    for k in keys:
        m = (labels == k) & ~np.isnan(fwd)
        if not m.any():
            continue
        rows.append({by: k, "days": int(m.sum()), "mean_fwd_return": float(np.mean(fwd[m])),
                     "median_fwd_return": float(np.median(fwd[m])), "share_positive": float(np.mean(fwd[m] > 0)),
                     "mean_fwd_drawdown": float(np.mean(dd[m])),
                     "independent_samples": int((m & every).sum()),
                     "mean_fwd_return_independent": float(np.mean(fwd[m & every])) if (m & every).any() else None})
    return rows


def regime_difference_test(series: RegimeSeries, horizon: int = 20) -> dict:
    """Kruskal–Wallis test that forward returns differ by regime, on non-overlapping samples."""
    from scipy.stats import kruskal

    fwd, dd = forward_outcomes(series.close, horizon)
    every = np.zeros(fwd.size, dtype=bool)
    every[::horizon] = True
    groups = [fwd[(series.regime == k) & every & ~np.isnan(fwd)] for k in REGIMES]
    groups_dd = [dd[(series.regime == k) & every & ~np.isnan(dd)] for k in REGIMES]
    groups = [g for g in groups if g.size >= 5]
    groups_dd = [g for g in groups_dd if g.size >= 5]
    if len(groups) < 2:
        return {"return_p_value": None, "drawdown_p_value": None}
    return {"return_p_value": float(kruskal(*groups).pvalue), "drawdown_p_value": float(kruskal(*groups_dd).pvalue)}
