"""What every trading model provides, and the shared helpers they use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from panhuo.market import indicators as ind
from panhuo.market.panel import Panel
from panhuo.market.signals import Signals


@dataclass
class Screen:
    """A model's output over a panel: the signals, plus the features its reasons quote."""

    signals: Signals
    features: dict[str, np.ndarray]
    explain: Callable[[dict[str, float]], str]

    def reason(self, row: int, col: int) -> str:
        return self.explain({k: float(v[row, col]) for k, v in self.features.items()})


@dataclass(frozen=True)
class Model:
    name: str
    zh: str
    regime: str                     # the market regime it is meant for
    description: str
    build: Callable[[Panel], Screen]


def adjusted_close(panel: Panel) -> np.ndarray:
    return panel.close * panel.adj_factor


def lag(a: np.ndarray, k: int = 1) -> np.ndarray:
    out = np.full_like(a, np.nan, dtype=float)
    out[k:] = a[:-k]
    return out


def limit_up_close(panel: Panel) -> np.ndarray:
    """Closed at the limit-up price (tolerant to forward-adjusted cents)."""
    up, _ = panel.limits()
    pct = panel.limit_pct()
    return panel.tradable & np.isfinite(up) & (panel.close >= panel.pre_close * (1 + pct) - 0.01 + 1e-6)


def tradable_stock(panel: Panel, min_days: int = 60) -> np.ndarray:
    """Listed at least `min_days` sessions, trading today and not ST (models avoid fresh IPOs and ST)."""
    return panel.tradable & (np.cumsum(panel.listed, axis=0) >= min_days) & ~panel.is_st


def rsi6(panel: Panel) -> np.ndarray:
    return ind.rsi(adjusted_close(panel), 6, "tdx")
