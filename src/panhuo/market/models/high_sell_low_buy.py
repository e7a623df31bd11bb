"""高抛低吸 high-sell-low-buy (weak markets): buy near the floor of a sideways range, sell near its ceiling.

A stock qualifies when its 60-session range is narrow (high/low − 1 ≤ 35 %) and flat (MA60 moved less
than 5 % over 20 sessions). Buy in the bottom 15 % of the range with RSI6 below 35; sell in the top
20 % of the range, on a break of the floor by 3 %, or after 20 sessions.
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

WINDOW = 60


@by_column_blocks
def build(panel: Panel) -> Screen:
    c = adjusted_close(panel)
    h, lo = panel.high * panel.adj_factor, panel.low * panel.adj_factor
    hh, ll = ind.rolling_max(h, WINDOW), ind.rolling_min(lo, WINDOW)
    width = hh / ll - 1
    m60 = ind.ma(c, WINDOW)
    drift = np.abs(m60 / lag(m60, 20) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = (c - ll) / (hh - ll)
    r6 = rsi6(panel)
    ranged = (width <= 0.35) & (drift <= 0.05)
    entries = tradable_stock(panel) & ranged & (pos <= 0.15) & (r6 < 35)
    exits = (pos >= 0.8) | (c < lag(ll) * 0.97)
    score = np.where(entries, 1 - pos, np.nan)
    return Screen(Signals(entries, exits, score, max_hold=20),
                  {"width": width, "pos": pos, "rsi6": r6, "drift": drift},
                  lambda f: Reason("high_sell_low_buy", f))


MODEL = Model("high_sell_low_buy", "高抛低吸", "weak",
              "Range mean reversion: buy near the floor of a flat 60-day range, sell near its ceiling.", build)
