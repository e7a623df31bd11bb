"""The fast backtester with the A-share rules.

One portfolio, shared cash; the session loop is compiled (numba, `_simulate`) and works on the held columns
and the day's entry signals only. Each session t:
  1. sell at the open what the signals of t−1 exit (or what has been held `max_hold` sessions), unless the
     stock is suspended or opens at limit-down — then the sell stays pending to the next session — and
     never shares bought today (T+1);
  2. buy at the open the best-ranked entries of t−1 into free slots, unless suspended or opening at
     limit-up (both limit checks within a cent, `rules.at_limit_up` / `at_limit_down`, for qfq prices); in the board's order sizes (100-share lots; STAR ≥ 200 and Beijing ≥ 100 shares in
     1-share steps); total exposure kept within the regime's position cap;
  3. value the book at the close.
Fees: commission with a minimum, stamp duty on sells by date, transfer fee (rules.Fees).
`tests/market/reference_backtest.py` (a test oracle) does the same with plain Python loops and must give the same
fills and equity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numba import njit, types

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
    # At a limit to within a cent (rules.at_limit_up): a qfq open a cent off the computed limit is at it.
    limit_up_open, limit_down_open = rules.at_limit_up(panel.open, up), rules.at_limit_down(panel.open, down)
    stamp = fees.stamp_rate(panel.dates)
    size_min, size_step = rules.buy_size(panel.board)
    # Every buy uses an entry signal and every sell closes a buy: room for all fills, allocated once.
    n = int(np.count_nonzero(signals.entries[i0 - 1:i1 - 1])) + 1
    fi, ff = np.empty((4, 2 * n), dtype=np.int64), np.empty((4, 2 * n))     # (t, col, is_sell, qty), (price, fees)
    ri, rf = np.empty((3, n), dtype=np.int64), np.empty(n)                  # (col, entry t, exit t), net P&L
    nf, nr, equity, cash_s, expo = _simulate(
        panel.open, panel.close, panel.tradable, limit_up_open, limit_down_open, signals.entries, signals.exits, signals.score,
        signals.max_hold, cap_all, stamp, size_min, size_step, i0, i1, float(cfg.capital), cfg.max_positions,
        fees.commission_rate, fees.commission_min, fees.transfer_rate, fi, ff, ri, rf)

    return BacktestResult(dates=panel.dates[i0:i1], equity=equity, cash=cash_s, exposure=expo,
                          fills=_fills_frame(panel, fi[:, :nf], ff[:, :nf]),
                          round_trips=_trips_frame(panel, ri[:, :nr], rf[:nr]),
                          config=cfg, position_cap=cap_all[i0 - 1:i1 - 1])


@njit(cache=True, nogil=True, error_model="numpy")
def _affordable(cash, price, cr, cmin, tr, minimum, step):
    """rules.affordable for one order (same formula, same rounding guard)."""
    if not price > 0:
        return 0
    at_rate = cash / (price * step * (1 + cr + tr))
    at_min = (cash - cmin) / (price * step * (1 + tr))
    qty = np.floor(max(min(at_rate, at_min), 0.0)) * step
    amount = qty * price
    c = max(amount * cr, cmin) if amount > 0 else 0.0
    if amount + c + amount * tr > cash + 1e-9:
        qty = max(qty - step, 0.0)
    return np.int64(qty) if qty >= minimum else 0


def _arr(dtype, ndim: int, readonly: bool = True):
    return types.Array(dtype, ndim, "A", readonly=readonly)


_F2, _B2 = _arr(types.float64, 2), _arr(types.boolean, 2)
_F1, _I1 = _arr(types.float64, 1), _arr(types.int64, 1)
_i, _f = types.int64, types.float64


# The session loop, compiled (numba): sells, buys and valuation of one session depend on the cash the previous
# ones left, so it cannot be vectorised over dates; as Python over numpy rows it cost ~25 small calls per
# session. Cash moves one order at a time, in the order the event-loop reference uses. Fills are rows of
# (session, column, is_sell, quantity) in fi and (price, commission, stamp duty, transfer fee) in ff; round
# trips (column, entry session, exit session) in ri and net P&L in rf. A sell fills when the stock trades, opens
# above 0 and not at limit-down; a buy when it opens above 0 and not at limit-up (NaN compares false: no fill).
# An explicit signature: compiled (or loaded from the on-disk cache) at import, not inside the first backtest.
@njit(types.Tuple((_i, _i, _arr(_f, 1, False), _arr(_f, 1, False), _arr(_f, 1, False)))(
    _F2, _F2, _B2, _B2, _B2, _B2, _B2, _F2, _i, _F1, _F1, _I1, _I1, _i, _i, _f, _i, _f, _f, _f,
    _arr(_i, 2, False), _arr(_f, 2, False), _arr(_i, 2, False), _arr(_f, 1, False)),
    cache=True, nogil=True, error_model="numpy")
def _simulate(opn, close, tradable, up_open, down_open, entries, exits, score, max_hold, cap_all, stamp, size_min, size_step,
              i0, i1, capital, max_positions, cr, cmin, tr, fi, ff, ri, rf):
    T, N = opn.shape
    qty = np.zeros(N, np.int64)
    buy_day = np.full(N, -1, np.int64)
    basis = np.zeros(N)                      # buy amount + buy fees of the open position
    pending = np.zeros(N, np.bool_)          # decided to sell but could not yet (suspended, limit-down)
    sold = np.zeros(N, np.bool_)
    held = np.empty(N, np.int64)             # held columns, ascending: the per-session work is over these
    merged = np.empty(N, np.int64)
    sold_cols = np.empty(N, np.int64)
    bought = np.empty(N, np.int64)
    cand = np.empty(N, np.int64)
    keys = np.empty(N)
    nf = nr = nh = 0
    cash = capital
    equity = np.empty(i1 - i0)
    cash_s = np.empty(i1 - i0)
    expo = np.empty(i1 - i0)
    for t in range(i0, i1):
        s = t - 1
        # 1. sells at the open, column by column
        keep = ns = 0
        for r in range(nh):
            j = held[r]
            if exits[s, j] or (max_hold > 0 and t - buy_day[j] >= max_hold):
                pending[j] = True
            o = opn[t, j]
            if pending[j] and tradable[t, j] and o > 0 and not down_open[t, j] and buy_day[j] < t:
                amount = qty[j] * o
                comm = max(amount * cr, cmin)
                sd = amount * stamp[t]
                tf = amount * tr
                proceeds = amount - comm - sd - tf
                cash += proceeds
                fi[0, nf], fi[1, nf], fi[2, nf], fi[3, nf] = t, j, 1, qty[j]
                ff[0, nf], ff[1, nf], ff[2, nf], ff[3, nf] = o, comm, sd, tf
                nf += 1
                ri[0, nr], ri[1, nr], ri[2, nr] = j, buy_day[j], t
                rf[nr] = proceeds - basis[j]
                nr += 1
                qty[j] = 0
                buy_day[j] = -1
                basis[j] = 0.0
                pending[j] = False
                sold[j] = True
                sold_cols[ns] = j
                ns += 1
            else:
                held[keep] = j
                keep += 1
        nh = keep
        # 2. buys: the best-ranked entries (score, then column) into free slots, equal slices of the cap
        slots = max_positions - nh
        nb = 0
        if slots > 0:
            nc = 0
            for j in range(N):
                if entries[s, j] and qty[j] == 0 and not sold[j] and tradable[t, j] and opn[t, j] > 0 \
                        and not up_open[t, j]:
                    cand[nc] = j
                    keys[nc] = -score[s, j]
                    nc += 1
            if nc > 0:
                order = np.argsort(keys[:nc], kind="mergesort")[:slots]   # stable: ties by column
                mv_open = 0.0
                for r in range(nh):
                    mv_open += qty[held[r]] * opn[t, held[r]]
                equity_open = cash + mv_open
                cap = cap_all[s]
                budget = min(cash, max(0.0, cap * equity_open - mv_open))
                alloc = min(equity_open * cap / max_positions, budget / order.size)
                for r in range(order.size):
                    j = cand[order[r]]
                    o = opn[t, j]
                    q = _affordable(alloc, o, cr, cmin, tr, size_min[j], size_step[j])
                    if q <= 0:
                        continue
                    amount = q * o
                    comm = max(amount * cr, cmin)
                    tf = amount * tr
                    cost = amount + comm + tf
                    cash -= cost
                    fi[0, nf], fi[1, nf], fi[2, nf], fi[3, nf] = t, j, 0, q
                    ff[0, nf], ff[1, nf], ff[2, nf], ff[3, nf] = o, comm, 0.0, tf
                    nf += 1
                    qty[j] = q
                    buy_day[j] = t
                    basis[j] = cost
                    bought[nb] = j
                    nb += 1
        for r in range(ns):
            sold[sold_cols[r]] = False
        if nb > 0:                              # merge today's buys into the ascending held list
            new = np.sort(bought[:nb])
            a = b = 0
            for r in range(nh + nb):
                if b >= nb or (a < nh and held[a] < new[b]):
                    merged[r] = held[a]
                    a += 1
                else:
                    merged[r] = new[b]
                    b += 1
            held, merged = merged, held
            nh += nb
        # 3. mark to market at the close
        mv = 0.0
        for r in range(nh):
            mv += qty[held[r]] * close[t, held[r]]
        k = t - i0
        equity[k] = cash + mv
        cash_s[k] = cash
        expo[k] = mv / equity[k] if equity[k] > 0 else 0.0
    return nf, nr, equity, cash_s, expo


def _gather(labels: np.ndarray, idx: np.ndarray) -> pl.Series:
    """labels[idx] as a polars string column: gathered inside polars, because converting a long numpy
    array of str (1.5 M fills) costs far more than the backtest itself."""
    return pl.Series(labels.astype(str)).gather(np.asarray(idx, dtype=np.int64))


def _fills_frame(panel: Panel, fi: np.ndarray, ff: np.ndarray) -> pl.DataFrame:
    """Fills from the record arrays (columns of fi: session, column, is_sell, quantity; of ff: price and fees)."""
    if fi.shape[1] == 0:
        return pl.DataFrame(schema=FILL_SCHEMA)
    p, c, sd, tf = ff
    return pl.DataFrame({
        "date": panel.dates[fi[0]], "symbol": _gather(panel.symbols, fi[1]),
        "side": _gather(np.array(["B", "S"]), fi[2]), "quantity": fi[3], "price": p, "commission": c,
        "stamp_duty": sd, "transfer_fee": tf, "fees": c + sd + tf, "amount": fi[3] * p,
    }, schema=FILL_SCHEMA)


def _trips_frame(panel: Panel, ri: np.ndarray, pnl: np.ndarray) -> pl.DataFrame:
    schema = {"symbol": pl.Utf8, "entry_date": pl.Date, "exit_date": pl.Date, "pnl": pl.Float64, "entry_row": pl.Int64}
    if ri.shape[1] == 0:
        return pl.DataFrame(schema=schema)
    j, b, s = ri
    return pl.DataFrame({"symbol": _gather(panel.symbols, j), "entry_date": panel.dates[b], "exit_date": panel.dates[s],
                         "pnl": pnl, "entry_row": b}, schema=schema)
