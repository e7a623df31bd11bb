"""Backtest metrics: annual return, turnover per year, win rate, maximum drawdown, Sharpe — overall and by regime.

Turnover per year is the brokerage's 资金周转率: traded amount (buys + sells) / 2 over average equity,
annualised; "13 turns a year" in the source material is this number. Regime slices use the regime known
at the previous close (the one that set the cap for that session) and compound only that slice's daily
returns; a trade belongs to the regime of its entry signal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from panhuo.market.backtest import BacktestResult

YEAR = 252


@dataclass
class Metrics:
    days: int
    annual_return: float
    turnover_per_year: float
    win_rate: float | None
    trades: int
    max_drawdown: float
    sharpe: float | None
    exposure: float

    def as_dict(self) -> dict:
        return asdict(self)


def _max_drawdown(equity: np.ndarray) -> float:
    if equity.size == 0:
        return 0.0
    peak = np.maximum.accumulate(equity)
    return float(np.max(1 - equity / peak))


def _metrics(rets: np.ndarray, traded: float, mean_equity: float, pnl: np.ndarray, exposure: np.ndarray) -> Metrics:
    n = rets.size
    growth = float(np.prod(1 + rets)) if n else 1.0
    ann = growth ** (YEAR / n) - 1 if n else 0.0
    sd = float(np.std(rets, ddof=1)) if n > 1 else 0.0
    sharpe = float(np.mean(rets) / sd * np.sqrt(YEAR)) if sd > 0 else None
    curve = np.concatenate([[1.0], np.cumprod(1 + rets)])
    return Metrics(days=n, annual_return=float(ann),
                   turnover_per_year=float(traded / 2 / mean_equity * YEAR / n) if n and mean_equity > 0 else 0.0,
                   win_rate=float(np.mean(pnl > 0)) if pnl.size else None, trades=int(pnl.size),
                   max_drawdown=_max_drawdown(curve), sharpe=sharpe,
                   exposure=float(np.mean(exposure)) if exposure.size else 0.0)


def compute_metrics(result: BacktestResult, regimes: np.ndarray | None = None,
                    panel_dates: np.ndarray | None = None) -> dict:
    """{"overall": Metrics, "by_regime": {label: Metrics}}. `regimes` holds one label per panel date
    (`panel_dates`), e.g. from regime.classify aligned to the panel."""
    eq = np.concatenate([[result.config.capital], result.equity])
    rets = eq[1:] / eq[:-1] - 1
    fills = result.fills
    amount_by_day = np.zeros(result.dates.size)
    if fills.height:
        d = fills["date"].to_numpy().astype("datetime64[D]")
        np.add.at(amount_by_day, np.searchsorted(result.dates, d), fills["amount"].to_numpy())
    pnl = result.round_trips["pnl"].to_numpy()
    out = {"overall": _metrics(rets, float(amount_by_day.sum()), float(result.equity.mean()), pnl, result.exposure),
           "by_regime": {}}
    if regimes is None:
        return out
    if panel_dates is None:
        raise ValueError("panel_dates are needed to align regimes")
    rows = np.searchsorted(panel_dates, result.dates)
    known = np.asarray(regimes)[np.maximum(rows - 1, 0)]           # regime at the previous close
    entry_regime = np.asarray(regimes)[np.maximum(result.round_trips["entry_row"].to_numpy() - 1, 0)] \
        if pnl.size else np.array([], dtype=object)
    for label in [x for x in dict.fromkeys(known.tolist()) if x]:
        m = known == label
        out["by_regime"][str(label)] = _metrics(rets[m], float(amount_by_day[m].sum()),
                                                float(result.equity[m].mean()), pnl[entry_regime == label],
                                                result.exposure[m])
    return out
