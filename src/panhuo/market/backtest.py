"""The vectorised backtester with the A-share rules.

One portfolio, shared cash. Each session t (a loop over dates; every step is numpy over all symbols):
  1. sell at the open what the signals of t−1 exit (or what has been held `max_hold` sessions), unless the
     stock is suspended or opens at limit-down — then the sell stays pending to the next session — and
     never shares bought today (T+1);
  2. buy at the open the best-ranked entries of t−1 into free slots, unless suspended or opening at
     limit-up; in the board's order sizes (100-share lots; STAR ≥ 200 and Beijing ≥ 100 shares in
     1-share steps); total exposure kept within the regime's position cap;
  3. value the book at the close.
Fees: commission with a minimum, stamp duty on sells by date, transfer fee (rules.Fees).
`reference_backtest.py` does the same with plain Python loops and must give the same fills and equity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from panhuo.market import rules
from panhuo.market.panel import Panel
from panhuo.market.signals import Signals


@dataclass(frozen=True)
class BacktestConfig:
    capital: float = 1_000_000.0
    max_positions: int = 10
    fees: rules.Fees = field(default_factory=rules.Fees)


@dataclass
class BacktestResult:
    dates: np.ndarray           # sessions simulated
    equity: np.ndarray          # at each close
    cash: np.ndarray
    exposure: np.ndarray        # market value / equity at each close
    fills: pl.DataFrame         # date, symbol, side, quantity, price, commission, stamp_duty, transfer_fee, fees, amount
    round_trips: pl.DataFrame   # symbol, entry_date, exit_date, pnl (net of all fees), entry_row
    config: BacktestConfig
    position_cap: np.ndarray    # cap in force for each session's buys


FILL_SCHEMA = {"date": pl.Date, "symbol": pl.Utf8, "side": pl.Utf8, "quantity": pl.Int64, "price": pl.Float64,
               "commission": pl.Float64, "stamp_duty": pl.Float64, "transfer_fee": pl.Float64,
               "fees": pl.Float64, "amount": pl.Float64}


def _cap_array(position_cap, n: int) -> np.ndarray:
    cap = np.broadcast_to(np.asarray(position_cap, dtype=float), (n,)).copy()
    if np.any((cap < 0) | (cap > 1)):
        raise ValueError("position cap must lie in [0, 1]")
    return cap


def session_range(panel: Panel, start, end) -> tuple[int, int]:
    lo = int(np.searchsorted(panel.dates, np.datetime64(start, "D"), side="left"))
    hi = int(np.searchsorted(panel.dates, np.datetime64(end, "D"), side="right"))
    if hi <= lo:
        raise ValueError(f"no sessions between {start} and {end}")
    return max(lo, 1), hi   # the first session needs a previous day's signals


def run_backtest(panel: Panel, signals: Signals, *, start, end, position_cap=1.0,
                 config: BacktestConfig | None = None) -> BacktestResult:
    """Simulate the signals on panel sessions start..end. `position_cap` is a scalar or one value per panel
    date (the regime's guidance known at that date's close, applied to the next session's buys)."""
    cfg = config or BacktestConfig()
    fees = cfg.fees
    T, N = panel.shape
    if signals.entries.shape != (T, N):
        raise ValueError(f"signals shape {signals.entries.shape} != panel shape {(T, N)}")
    cap_all = _cap_array(position_cap, T)
    i0, i1 = session_range(panel, start, end)
    up, down = panel.limits()
    opn, close = panel.open, panel.close
    # Whole-panel masks, computed once: a sell can fill (session, price, not at limit-down) and a buy can fill.
    with np.errstate(invalid="ignore"):
        live = panel.tradable & (opn > 0)
        sellable = live & (opn > down)
        buyable = live & (opn < up)
    stamp = fees.stamp_rate(panel.dates)

    qty = np.zeros(N, dtype=np.int64)
    buy_day = np.full(N, -1, dtype=np.int64)
    basis = np.zeros(N)                      # buy amount + buy fees of the open position
    pending = np.zeros(N, dtype=bool)        # decided to sell but could not yet (suspended, limit-down)
    cash = float(cfg.capital)
    n_days = i1 - i0
    equity = np.empty(n_days)
    cash_s = np.empty(n_days)
    expo = np.empty(n_days)
    fills: list[tuple[np.ndarray, ...]] = []
    trips: list[tuple[np.ndarray, ...]] = []
    idx = np.arange(N)

    for k, t in enumerate(range(i0, i1)):
        s = t - 1
        o = opn[t]
        held = qty > 0
        # 1. sells
        decided = signals.exits[s] | (t - buy_day >= signals.max_hold) if signals.max_hold > 0 else signals.exits[s]
        pending |= held & decided
        sell = pending & sellable[t] & (buy_day < t)
        if sell.any():
            j = idx[sell]
            q = qty[j]
            amount = q * o[j]
            comm = np.maximum(amount * fees.commission_rate, fees.commission_min)
            sd = amount * stamp[t]
            tf = amount * fees.transfer_rate
            proceeds = amount - comm - sd - tf
            cash += float(proceeds.sum())
            fills.append((np.full(j.size, t), j, np.ones(j.size, dtype=bool), q, o[j], comm, sd, tf))
            trips.append((j, buy_day[j], np.full(j.size, t), proceeds - basis[j]))
            qty[j] = 0
            buy_day[j] = -1
            basis[j] = 0.0
            pending[j] = False
            held = qty > 0
        # 2. buys
        slots = cfg.max_positions - int(held.sum())
        if slots > 0:
            cand = signals.entries[s] & buyable[t] & ~held & ~sell
            if cand.any():
                j = idx[cand]
                order = np.lexsort((j, -signals.score[s, j]))[:slots]
                j = j[order]
                h = np.flatnonzero(held)
                mv_open = float(qty[h] @ o[h])
                equity_open = cash + mv_open
                budget = min(cash, max(0.0, cap_all[s] * equity_open - mv_open))
                alloc = min(equity_open * cap_all[s] / cfg.max_positions, budget / j.size)
                q = rules.buy_lots(np.full(j.size, alloc), o[j], fees, panel.board[j])
                ok = q > 0
                if ok.any():
                    j, q = j[ok], q[ok]
                    amount = q * o[j]
                    comm = np.maximum(amount * fees.commission_rate, fees.commission_min)
                    tf = amount * fees.transfer_rate
                    cost = amount + comm + tf
                    cash -= float(cost.sum())
                    fills.append((np.full(j.size, t), j, np.zeros(j.size, dtype=bool), q, o[j], comm,
                                  np.zeros(j.size), tf))
                    qty[j] = q
                    buy_day[j] = t
                    basis[j] = cost
        # 3. mark to market
        h = np.flatnonzero(qty)               # only held columns: 0 × NaN (unlisted) must not poison the sum
        mv = float(qty[h] @ close[t, h])
        equity[k] = cash + mv
        cash_s[k] = cash
        expo[k] = mv / equity[k] if equity[k] > 0 else 0.0

    return BacktestResult(dates=panel.dates[i0:i1], equity=equity, cash=cash_s, exposure=expo,
                          fills=_fills_frame(panel, fills), round_trips=_trips_frame(panel, trips),
                          config=cfg, position_cap=cap_all[i0 - 1:i1 - 1])


def _fills_frame(panel: Panel, fills: list) -> pl.DataFrame:
    if not fills:
        return pl.DataFrame(schema=FILL_SCHEMA)
    t, j, is_sell, q, p, c, sd, tf = (np.concatenate(a) for a in zip(*fills, strict=True))
    return pl.DataFrame({
        "date": panel.dates[t], "symbol": panel.symbols[j], "side": np.where(is_sell, "S", "B"),
        "quantity": q.astype(np.int64), "price": p, "commission": c, "stamp_duty": sd, "transfer_fee": tf,
        "fees": c + sd + tf, "amount": q * p,
    }, schema=FILL_SCHEMA)


def _trips_frame(panel: Panel, trips: list) -> pl.DataFrame:
    schema = {"symbol": pl.Utf8, "entry_date": pl.Date, "exit_date": pl.Date, "pnl": pl.Float64, "entry_row": pl.Int64}
    if not trips:
        return pl.DataFrame(schema=schema)
    j, b, s, pnl = (np.concatenate(a) for a in zip(*trips, strict=True))
    return pl.DataFrame({"symbol": panel.symbols[j], "entry_date": panel.dates[b], "exit_date": panel.dates[s],
                         "pnl": pnl, "entry_row": b.astype(np.int64)}, schema=schema)
