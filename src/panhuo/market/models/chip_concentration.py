"""筹码密集 chip concentration (consolidating markets): chips concentrated just below the price.

From the turnover-decayed cost distribution (market.chips): 90 % concentration at most 12 %, the close
0–5 % above the mean cost (holders in small profit, little overhead supply) and a rising MA20. Sell when
the close falls 5 % below the mean cost, when the chips spread out (concentration above 25 %), or after
20 sessions.
"""

from __future__ import annotations

import numpy as np

from panhuo.market import chips
from panhuo.market import indicators as ind
from panhuo.market.models.base import Model, Screen, adjusted_close, by_column_blocks, lag, tradable_stock
from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason
from panhuo.market.signals import Signals


@by_column_blocks
def build(panel: Panel) -> Screen:
    c = adjusted_close(panel)
    mom = chips.chip_moments(panel.high * panel.adj_factor, panel.low * panel.adj_factor, chips.turnover_rate(panel))
    conc = mom.concentration()
    gap = np.log(c) - mom.mean_log_cost
    m20 = ind.ma(c, 20)
    profit = mom.profit_ratio(c)
    entries = tradable_stock(panel, 120) & (conc <= 0.12) & (gap >= 0) & (gap <= 0.05) & (m20 > lag(m20, 5))
    exits = (gap < np.log(0.95)) | (conc > 0.25)
    score = np.where(entries, -conc, np.nan)
    return Screen(Signals(entries, exits, score, max_hold=20),
                  {"conc": conc, "gap": gap, "profit": profit, "cost": mom.mean_cost()},
                  lambda f: Reason("chip_concentration", {**f, "above": float(np.expm1(f["gap"]))}))


MODEL = Model("chip_concentration", "筹码密集", "consolidating",
              "Concentrated cost distribution just below the price, rising MA20.", build)
