"""The slow, obviously correct event-loop backtester: one session, one stock, one order at a time.

It exists to check `backtest.run_backtest`: on a small panel both must produce the same fills and equity.
Plain Python floats and dictionaries; the rules are written out where they apply.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from panhuo.market import rules
from panhuo.market.backtest import FILL_SCHEMA, BacktestConfig, session_range
from panhuo.market.panel import Panel
from panhuo.market.signals import Signals


def reference_backtest(panel: Panel, signals: Signals, *, start, end, position_cap=1.0,
                       config: BacktestConfig | None = None) -> tuple[pl.DataFrame, list[float]]:
    """(fills, equity at each close) for the sessions start..end."""
    cfg = config or BacktestConfig()
    fees = cfg.fees
    T, N = panel.shape
    caps = [float(c) for c in np.broadcast_to(np.asarray(position_cap, dtype=float), (T,))]
    i0, i1 = session_range(panel, start, end)
    up, down = panel.limits()
    cash = float(cfg.capital)
    book: dict[int, dict] = {}        # column -> {"qty", "day", "basis"}
    fills: list[dict] = []
    equity: list[float] = []

    for t in range(i0, i1):
        day = panel.dates[t]
        stamp_rate = float(fees.stamp_rate(day))
        sold_today = set()
        # Sells first, stock by stock in column order.
        for j in sorted(book):
            pos = book[j]
            price = float(panel.open[t, j])
            if signals.exits[t - 1, j] or (signals.max_hold > 0 and t - pos["day"] >= signals.max_hold):
                pos["pending"] = True                     # decided; done as soon as it can be
            if not panel.tradable[t, j] or math.isnan(price) or price <= 0:
                continue                                  # suspended: nothing trades
            if pos["day"] >= t:
                continue                                  # T+1
            if rules.at_limit_down(price, down[t, j]):
                continue                                  # nobody buys at limit-down (within a cent: qfq)
            if not pos.get("pending"):
                continue
            amount = pos["qty"] * price
            commission = max(amount * fees.commission_rate, fees.commission_min)
            stamp = amount * stamp_rate
            transfer = amount * fees.transfer_rate
            cash += amount - commission - stamp - transfer
            fills.append(_fill(day, panel.symbols[j], "S", pos["qty"], price, commission, stamp, transfer))
            del book[j]
            sold_today.add(j)
        # Buys: rank today's candidates, fill free slots with equal slices of the allowed exposure.
        slots = cfg.max_positions - len(book)
        if slots > 0:
            candidates = []
            for j in range(N):
                price = float(panel.open[t, j])
                if not signals.entries[t - 1, j] or j in book or j in sold_today:
                    continue
                if not panel.tradable[t, j] or math.isnan(price) or price <= 0:
                    continue
                if rules.at_limit_up(price, up[t, j]):
                    continue                              # nobody sells at limit-up (within a cent: qfq)
                candidates.append((-float(signals.score[t - 1, j]), j))
            candidates.sort()
            chosen = [j for _, j in candidates[:slots]]
            if chosen:
                market_value = sum(p["qty"] * float(panel.open[t, j]) for j, p in book.items())
                equity_open = cash + market_value
                cap = caps[t - 1]
                budget = min(cash, max(0.0, cap * equity_open - market_value))
                alloc = min(equity_open * cap / cfg.max_positions, budget / len(chosen))
                for j in chosen:
                    price = float(panel.open[t, j])
                    minimum, step = rules.BUY_SIZE[str(panel.board[j])]   # 100-lots; STAR 200+, BJ 100+ by 1
                    qty = math.floor(alloc / (price * step * (1 + fees.commission_rate + fees.transfer_rate))) * step
                    amount = qty * price
                    while qty > 0 and amount + max(amount * fees.commission_rate, fees.commission_min) \
                            + amount * fees.transfer_rate > alloc + 1e-9:
                        qty -= step                       # the commission minimum did not fit
                        amount = qty * price
                    if qty < minimum:
                        continue
                    commission = max(amount * fees.commission_rate, fees.commission_min)
                    transfer = amount * fees.transfer_rate
                    cash -= amount + commission + transfer
                    book[j] = {"qty": qty, "day": t, "basis": amount + commission + transfer}
                    fills.append(_fill(day, panel.symbols[j], "B", qty, price, commission, 0.0, transfer))
        equity.append(cash + sum(p["qty"] * float(panel.close[t, j]) for j, p in book.items()))
    return pl.DataFrame(fills, schema=FILL_SCHEMA, orient="row") if fills else pl.DataFrame(schema=FILL_SCHEMA), equity


def _fill(day, symbol, side, qty, price, commission, stamp, transfer) -> dict:
    return {"date": day.astype(object), "symbol": str(symbol), "side": side, "quantity": int(qty), "price": price,
            "commission": commission, "stamp_duty": stamp, "transfer_fee": transfer,
            "fees": commission + stamp + transfer, "amount": qty * price}
