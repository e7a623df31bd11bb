"""What every trading model provides, and the shared helpers they use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from panhuo.market import blocks
from panhuo.market import indicators as ind
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason
from panhuo.market.signals import Signals


@dataclass
class Screen:
    """A model's output over a panel: the signals, plus the features its reasons quote.

    `features` holds one dict of arrays per block of columns (`feature_starts` gives each block's first
    column), so a model run in blocks never has to stitch arrays only a few reasons will read.
    """

    signals: Signals
    features: dict[str, np.ndarray]
    explain: Callable[[dict[str, float]], Reason]
    blocks: list[tuple[int, dict[str, np.ndarray]]] | None = None

    def reason(self, row: int, col: int) -> Reason:
        if self.blocks:
            start, feats = next((s, f) for s, f in reversed(self.blocks) if s <= col)
            return self.explain({k: float(v[row, col - start]) for k, v in feats.items()})
        return self.explain({k: float(v[row, col]) for k, v in self.features.items()})


@dataclass(frozen=True)
class Model:
    name: str
    zh: str
    regime: str                     # the market regime it is meant for
    description: str
    build: Callable[[Panel], Screen]


def by_column_blocks(build: Callable[[Panel], Screen]) -> Callable[[Panel], Screen]:
    """Run a model whose every step is per symbol on blocks of symbols (market.blocks, in parallel) and
    stitch the screens: the same result as one pass over the whole panel, with block-sized temporaries."""
    def run(panel: Panel) -> Screen:
        T, N = panel.shape
        step, starts = blocks.block_starts(T, N, blocks.BLOCK_CELLS)
        if len(starts) == 1:
            return build(panel)
        entries, exits = np.empty((T, N), dtype=bool), np.empty((T, N), dtype=bool)
        score = np.empty((T, N))

        def one(j: int) -> Screen:
            part = build(panel.columns(slice(j, j + step)))
            entries[:, j:j + step] = part.signals.entries
            exits[:, j:j + step] = part.signals.exits
            score[:, j:j + step] = part.signals.score
            return part
        parts = blocks.run_blocks(starts, one)
        first = parts[0]
        return Screen(Signals(entries, exits, score, first.signals.max_hold), {}, first.explain,
                      [(j, p.features) for j, p in zip(starts, parts, strict=True)])
    run.__doc__ = build.__doc__
    return run


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
    first = np.where(panel.listed.any(axis=0), panel.listed.argmax(axis=0), panel.shape[0])
    seasoned = np.arange(panel.shape[0])[:, None] >= (first + min_days - 1)[None, :]
    return panel.tradable & seasoned & ~panel.is_st


def rsi6(panel: Panel) -> np.ndarray:
    return ind.rsi(adjusted_close(panel), 6, "tdx")
