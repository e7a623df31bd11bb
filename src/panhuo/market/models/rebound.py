"""反弹 rebound (weak markets): buy an oversold stock on its first up day, sell into the bounce.

Oversold = down at least 15 % over 10 sessions and RSI6 below 25; the entry day must close up and above
its open. Sell when RSI6 recovers above 65, on a new 10-session low, or after 10 sessions.
"""

from __future__ import annotations

import numpy as np

from panhuo.market import indicators as ind
from panhuo.market.models.base import (
    Model,
    Screen,
    adjusted_close,
    by_column_blocks,
    lag,
    rsi6,
    tradable_stock,
)
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason
from panhuo.market.signals import Signals


@by_column_blocks
def build(panel: Panel) -> Screen:
    c = adjusted_close(panel)
    drop = c / lag(c, 10) - 1
    r6 = rsi6(panel)
    day = panel.close / panel.pre_close - 1
    up_day = (day > 0) & (panel.close > panel.open)
    entries = tradable_stock(panel) & (drop <= -0.15) & (lag(r6) < 25) & up_day
    low10 = lag(ind.rolling_min(panel.low * panel.adj_factor, 10))
    exits = (r6 > 65) | (panel.low * panel.adj_factor < low10)
    score = np.where(entries, -drop, np.nan)
    return Screen(Signals(entries, exits, score, max_hold=10),
                  {"drop": drop, "rsi6_prev": lag(r6), "day": day},
                  lambda f: Reason("rebound", f))


MODEL = Model("rebound", "反弹", "weak", "Oversold bounce: deep 10-day fall, RSI6 < 25, first up day.", build)
