"""黑马股 dark horse (strong markets): a breakout on volume from a long, tight base.

Base = the previous 120 sessions' high/low − 1 at most 40 %; breakout = close above that base high with
volume at least twice its previous 20-session average. Sell below MA20 or after 30 sessions.
"""

from __future__ import annotations

import numpy as np

from panhuo.market import indicators as ind
from panhuo.market.models.base import Model, Screen, adjusted_close, by_column_blocks, lag, tradable_stock
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason
from panhuo.market.signals import Signals

BASE = 120


@by_column_blocks
def build(panel: Panel) -> Screen:
    c = adjusted_close(panel)
    base_hi = lag(ind.rolling_max(panel.high * panel.adj_factor, BASE))
    base_lo = lag(ind.rolling_min(panel.low * panel.adj_factor, BASE))
    base_width = base_hi / base_lo - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        vol_ratio = panel.volume / lag(ind.ma(np.where(panel.listed, panel.volume, np.nan), 20))
    breakout = c / base_hi - 1
    entries = tradable_stock(panel, BASE + 1) & (base_width <= 0.40) & (breakout > 0) & (vol_ratio >= 2)
    exits = c < ind.ma(c, 20)
    score = np.where(entries, np.log(np.where(entries, vol_ratio, 1.0)) + 10 * breakout, np.nan)
    return Screen(Signals(entries, exits, score, max_hold=30),
                  {"base_width": base_width, "breakout": breakout, "vol_ratio": vol_ratio},
                  lambda f: Reason("dark_horse", {**f, "base": BASE}))


MODEL = Model("dark_horse", "黑马股", "strong", "Breakout from a long tight base on at least double volume.", build)
