"""Daily stock pools (股票池): each model's ranked candidates on a date, with the reason for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from panhuo.market.models import Model, Screen
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason


@dataclass(frozen=True)
class PoolEntry:
    date: date
    model: str
    model_zh: str
    rank: int
    symbol: str
    name: str
    industry: str
    close: float
    score: float
    reason: Reason              # str() gives the Chinese text; .text("en") the English


def daily_pool(panel: Panel, model: Model, as_of, *, top: int = 20, screen: Screen | None = None) -> list[PoolEntry]:
    """The model's candidates at the close of `as_of` (the last session on or before it), best first."""
    screen = screen or model.build(panel)
    t = panel.index_of(as_of)
    cols = np.flatnonzero(screen.signals.entries[t])
    if cols.size == 0:
        return []
    order = np.lexsort((cols, -screen.signals.score[t, cols]))[:top]
    day = panel.dates[t].astype(object)
    return [PoolEntry(date=day, model=model.name, model_zh=model.zh, rank=k + 1, symbol=str(panel.symbols[j]),
                      name=str(panel.names[j]), industry=str(panel.industry[j]), close=float(panel.close[t, j]),
                      score=float(screen.signals.score[t, j]), reason=screen.reason(t, j))
            for k, j in enumerate(cols[order])]
