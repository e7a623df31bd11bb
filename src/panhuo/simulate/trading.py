"""The day loop of one chunk of clients: lifecycle, bank transfers, orders, fills and end-of-day books.

Vectorised over clients, one step per trading day. Every holding comes from a fill recorded here, cash moves
only by transfers, fills and fees, buys are whole lots paid from cash on hand, sells are of shares bought on
an earlier day (T+1), nobody trades a suspended stock, and every fill price lies inside the day's range, which
lies inside the limit band. After the last written day the loop goes on through the churn horizon with the
latent hazard frozen, so the truth's outcome is drawn from the probability the truth reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from panhuo.simulate.clients import Latent
from panhuo.simulate.config import MIN_COMMISSION, TRANSFER_FEE_RATE, round_cents, stamp_duty_rate
from panhuo.simulate.market import Market

K = 6                                           # position slots per client
REGIME_ACTIVITY = np.array([1.5, 0.55, 0.9])    # bull, bear, range
REGIME_DEPOSIT = np.array([1.6, 0.5, 1.0])
REGIME_HAZARD = np.array([0.7, 1.5, 1.0])
REGIME_MOOD = np.array([0.0015, -0.0015, 0.0])
DRAIN_SELL_P = 0.9                              # a draining client sells each sellable holding with this daily chance
ENGAGEMENT_HAZARD = 0.6


@dataclass
class Records:
    """Column arrays gathered day by day and concatenated at the end."""

    cols: tuple[str, ...]
    parts: dict[str, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parts = {c: [] for c in self.cols}

    def add(self, **arrays) -> None:
        for c in self.cols:
            self.parts[c].append(np.asarray(arrays[c]))

    def arrays(self) -> dict[str, np.ndarray]:
        return {c: (np.concatenate(v) if v else np.empty(0)) for c, v in self.parts.items()}


@dataclass
class ChunkResult:
    trades: dict
    transfers: dict
    assets: dict
    positions: dict
    dropout_day: np.ndarray     # index of the day the client was gone, -1 if never (within the horizon)
    state_end: np.ndarray       # 1 active, 2 leaving, 3 gone on the last written day
    draining_end: np.ndarray    # a leaving drainer already emptying the account on the last written day
    hazard_end: np.ndarray      # the frozen daily hazard of starting to leave
    z_end: np.ndarray
    total_end: np.ndarray
    horizon_net_out: np.ndarray
    rate_end: np.ndarray        # daily trading probability on the last written day


def run_chunk(rng: np.random.Generator, lat: Latent, mkt: Market, asset_days: np.ndarray,
              position_days: np.ndarray, on_day: Callable[[int], None] | None = None) -> ChunkResult:
    n, nw, T = lat.n, mkt.n_written, len(mkt.days)
    sd_rate = stamp_duty_rate(mkt.days)
    cum_pop = np.cumsum(mkt.popularity, axis=1)
    state = np.zeros(n, np.int8)
    cash = np.zeros(n)
    cum_in = np.zeros(n)
    sym = np.full((n, K), -1, np.int32)
    qty = np.zeros((n, K), np.int64)
    cost = np.zeros((n, K))
    lastbuy = np.full((n, K), -1, np.int32)
    z = lat.z0.copy()
    loss_mult = np.ones(n)
    lam = np.zeros(n)                           # set at the end of each day for the active clients
    dropout_day = np.full(n, -1, np.int32)
    leave_day = np.full(n, -1, np.int32)
    draining = np.zeros(n, dtype=bool)
    opens = np.argsort(lat.open_day, kind="stable")
    open_bounds = np.searchsorted(lat.open_day[opens], np.arange(T + 1))
    trades = Records(("idx", "day", "sym", "side", "qty", "price", "amount", "commission", "stamp_duty",
                      "transfer_fee", "channel"))
    transfers = Records(("idx", "day", "second", "direction", "amount", "bank"))
    assets = Records(("idx", "day", "cash", "market_value", "total_assets", "net_transfer"))
    positions = Records(("day", "idx", "sym", "qty", "cost_price", "close_price", "market_value"))
    total_end = np.zeros(n)
    state_end = np.zeros(n, np.int8)
    draining_end = np.zeros(n, dtype=bool)
    z_end = z.copy()
    rate_end = np.zeros(n)
    horizon_out = np.zeros(n)

    for t in range(T):
        if on_day is not None and t % 20 == 0:
            on_day(t)
        future = t >= nw
        reg = int(mkt.regime[min(t, nw - 1)])
        net_today = np.zeros(n)

        def transfer(idx: np.ndarray, amount: np.ndarray, direction: int, t: int = t, future: bool = future,
                     net_today: np.ndarray = net_today) -> None:
            keep = amount > 0
            idx, amount = idx[keep], amount[keep]
            sign = 1.0 if direction == 0 else -1.0
            np.add.at(cash, idx, sign * amount)
            np.add.at(cum_in, idx, sign * amount)
            np.add.at(net_today, idx, sign * amount)
            if future:
                np.add.at(horizon_out, idx, -sign * amount)
            else:
                transfers.add(idx=idx, day=np.full(len(idx), t, np.int32), second=rng.integers(32400, 57600, len(idx)),
                              direction=np.full(len(idx), direction, np.int8), amount=amount, bank=lat.bank[idx])

        # accounts open with a first deposit
        new = opens[open_bounds[t]:open_bounds[t + 1]]
        state[new] = 1
        transfer(new, round_cents(lat.wealth[new] * rng.uniform(0.5, 1.0, len(new))), 0)

        # latent lifecycle: active -> leaving -> gone
        act = np.flatnonzero(state == 1)
        leave = act[rng.random(len(act)) < lam[act]]
        state[leave], leave_day[leave] = 2, t
        lv = np.flatnonzero((state == 2) & (leave_day < t))
        gone = lv[rng.random(len(lv)) < lat.exit_rate[lv]]
        state[gone], dropout_day[gone] = 3, t

        # bank transfers in the morning, from yesterday's settled cash
        act = np.flatnonzero(state == 1)
        dep = act[rng.random(len(act)) < lat.deposit_rate[act] * REGIME_DEPOSIT[reg]]
        transfer(dep, round_cents(lat.wealth[dep] * rng.lognormal(-1.8, 0.7, len(dep))), 0)
        wd = act[rng.random(len(act)) < 0.004 * (1.5 if reg == 1 else 1.0)]
        wd_amt = round_cents(cash[wd] * rng.uniform(0.05, 0.2, len(wd)))
        transfer(wd[wd_amt >= 100], wd_amt[wd_amt >= 100], 1)
        # a leaving drainer first trickles money out, then at some point empties the account
        leaving = np.flatnonzero(state == 2)                 # a tenth of the book: work on it, not on all
        lv = leaving[lat.drainer[leaving] & ~draining[leaving] & (leave_day[leaving] < t)]
        draining[lv[rng.random(len(lv)) < lat.drain_rate[lv]]] = True
        lv = leaving[lat.drainer[leaving] & ~draining[leaving]]
        trickle = lv[rng.random(len(lv)) < 0.04]
        trickle_amt = round_cents(cash[trickle] * rng.uniform(0.05, 0.15, len(trickle)))
        transfer(trickle[trickle_amt >= 100], trickle_amt[trickle_amt >= 100], 1)
        drainers = leaving[draining[leaving]]
        drain = drainers[cash[drainers] >= 0.01]
        transfer(drain, np.floor(cash[drain] * 100 + 1e-6) / 100, 1)

        # orders
        eng = np.clip(np.exp(1.1 * z), 0.03, 3.0)
        p_trade = np.minimum(lat.rate * REGIME_ACTIVITY[int(mkt.regime[t])] * eng, 0.95)
        traders = act[rng.random(len(act)) < p_trade[act]]
        winding = leaving[~draining[leaving]]
        quitters = winding[rng.random(len(winding)) < 0.3 * p_trade[winding]]
        day_args = (t, mkt, sd_rate[t], lat, rng, sym, qty, cost, lastbuy, cash, trades, future)
        _sell_all(drainers, *day_args, p=DRAIN_SELL_P)
        # on the way out, positions are wound down a little at a time (the position level falls)
        _sell_all(winding, *day_args, p=0.012)
        _sell_one(np.r_[traders[rng.random(len(traders)) < 0.5], quitters], *day_args)
        _buy(traders[rng.random(len(traders)) < 0.75], cum_pop[t], *day_args)
        heavy = traders[lat.rate[traders] > 0.35]
        _sell_one(heavy[rng.random(len(heavy)) < 0.6], *day_args)
        _buy(heavy[rng.random(len(heavy)) < 0.6], cum_pop[t], *day_args)

        # end of day books
        need_books = (not future) and (asset_days[t] or position_days[t] or t % 5 == 0 or t == nw - 1)
        if need_books:
            px = mkt.close[t][np.maximum(sym, 0)]
            mv = np.where(sym >= 0, qty * px, 0.0).sum(axis=1)
            total = cash + mv
            if asset_days[t]:
                rows = np.flatnonzero((state >= 1) & ((state < 3) | (total > 0) | (net_today != 0)))
                assets.add(idx=rows, day=np.full(len(rows), t, np.int32), cash=round_cents(cash[rows]) + 0.0,
                           market_value=round_cents(mv[rows]) + 0.0, total_assets=round_cents(total[rows]) + 0.0,
                           net_transfer=round_cents(net_today[rows]) + 0.0)
            if position_days[t]:
                r, k = np.nonzero(sym >= 0)
                positions.add(day=np.full(len(r), t, np.int32), idx=r, sym=sym[r, k], qty=qty[r, k],
                              cost_price=np.round(cost[r, k], 3), close_price=px[r, k],
                              market_value=round_cents(qty[r, k] * px[r, k]))
            # losses since the money came in raise the hazard and sap engagement (checked weekly whatever
            # is written, so --assets daily and monthly simulate the same branch)
            if t % 5 == 0 or t == nw - 1:
                ratio = (total - cum_in) / np.maximum(cum_in, 1.0)
                loss_mult = 1.0 + 8.0 * np.clip(-ratio - 0.1, 0.0, 0.6)
            if t == nw - 1:
                total_end, state_end, rate_end = total.copy(), state.copy(), p_trade.copy()
                draining_end = draining.copy()
        if not future:
            on = np.flatnonzero(state == 1)
            z[on] += (lat.z_drift[on] + REGIME_MOOD[reg] + 0.03 * rng.standard_normal(len(on))
                      - 0.004 * (loss_mult[on] > 1.5))
            # who trades little leaves more often, and so does who has lost money; only the active can
            # start to leave, so only their hazard is kept up to date
            activity = np.clip(lat.rate[on] * np.clip(np.exp(1.1 * z[on]), 0.03, 3.0) / 0.1, 0.02, 20.0)
            lam[on] = np.minimum(lat.hazard0[on] * activity ** -0.5 * np.exp(-ENGAGEMENT_HAZARD * z[on])
                                 * loss_mult[on] * REGIME_HAZARD[reg], 0.05)
            if t == nw - 1:
                z_end = z.copy()

    return ChunkResult(trades.arrays(), transfers.arrays(), assets.arrays(), positions.arrays(), dropout_day,
                       state_end, draining_end, lam, z_end, total_end, horizon_out, rate_end)


def _fill_price(rng, mkt: Market, t: int, s: np.ndarray) -> np.ndarray:
    lo, hi = mkt.low[t, s], mkt.high[t, s]
    return np.clip(np.round(lo + rng.random(len(s)) * (hi - lo), 2), lo, hi)


def _record(trades: Records, future: bool, idx, t, s, side, q, price, amount, comm, stamp, tf, lat, rng) -> None:
    if future or len(idx) == 0:
        return
    channel = np.where(rng.random(len(idx)) < 0.9, lat.channel[idx], 0).astype(np.int8)
    trades.add(idx=idx, day=np.full(len(idx), t, np.int32), sym=s, side=np.full(len(idx), side, np.int8), qty=q,
               price=price, amount=amount, commission=comm, stamp_duty=stamp, transfer_fee=tf, channel=channel)


def _sell_rows(rows, slot, q, t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future) -> None:
    s = sym[rows, slot]
    price = _fill_price(rng, mkt, t, s)
    amount = round_cents(q * price)
    comm = np.maximum(MIN_COMMISSION, round_cents(amount * lat.commission_rate[rows]))
    stamp = round_cents(amount * sd)
    tf = round_cents(amount * TRANSFER_FEE_RATE)
    np.add.at(cash, rows, amount - comm - stamp - tf)   # a draining client sells several slots at once
    qty[rows, slot] -= q
    emptied = qty[rows, slot] == 0
    sym[rows[emptied], slot[emptied]] = -1
    cost[rows[emptied], slot[emptied]] = 0.0
    _record(trades, future, rows, t, s, 1, q, price, amount, comm, stamp, tf, lat, rng)


def _sellable(rows, t, mkt, sym, lastbuy) -> np.ndarray:
    held = sym[rows]
    return (held >= 0) & (lastbuy[rows] < t) & ~mkt.suspended[t][np.maximum(held, 0)]


def _sell_one(rows, t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future) -> None:
    if len(rows) == 0:
        return
    ok = _sellable(rows, t, mkt, sym, lastbuy)
    pick = np.argmax(rng.random(ok.shape) * ok, axis=1)
    has = ok.any(axis=1)
    rows, slot = rows[has], pick[has]
    q = qty[rows, slot]
    half = (q >= 200) & (rng.random(len(rows)) < 0.3)
    q = np.where(half, (q // 200) * 100, q)
    _sell_rows(rows, slot, q, t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future)


def _sell_all(rows, t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future, *, p: float) -> None:
    if len(rows) == 0:
        return
    ok = _sellable(rows, t, mkt, sym, lastbuy) & (rng.random((len(rows), K)) < p)
    r, k = np.nonzero(ok)
    _sell_rows(rows[r], k, qty[rows[r], k], t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future)


def _buy(rows, cum_pop, t, mkt, sd, lat, rng, sym, qty, cost, lastbuy, cash, trades, future) -> None:
    if len(rows) == 0:
        return
    s = np.minimum(np.searchsorted(cum_pop, rng.random(len(rows)) * cum_pop[-1], side="right"), len(cum_pop) - 1)
    held = sym[rows] == s[:, None]
    empty = sym[rows] == -1
    n_held = (~empty).sum(axis=1)
    has = held.any(axis=1)
    slot = np.where(has, np.argmax(held, axis=1), np.argmax(empty, axis=1))
    ok = (has | (empty.any(axis=1) & (n_held < lat.max_positions[rows]))) & ~mkt.suspended[t, s]
    rows, s, slot = rows[ok], s[ok], slot[ok]
    price = _fill_price(rng, mkt, t, s)
    cr = lat.commission_rate[rows]
    budget = cash[rows] * lat.buy_fraction[rows]
    q = np.floor(budget / (price * (1 + cr + TRANSFER_FEE_RATE)) / 100) * 100
    for _ in range(2):   # the 5-yuan minimum can push a small order over the cash on hand: one lot less
        amount = round_cents(q * price)
        comm = np.maximum(MIN_COMMISSION, round_cents(amount * cr))
        tf = round_cents(amount * TRANSFER_FEE_RATE)
        over = amount + comm + tf > cash[rows]
        q = np.where(over, q - 100, q)
    amount = round_cents(q * price)
    comm = np.maximum(MIN_COMMISSION, round_cents(amount * cr))
    tf = round_cents(amount * TRANSFER_FEE_RATE)
    go = (q >= 100) & (amount + comm + tf <= cash[rows])
    rows, s, slot, q, price, amount, comm, tf = (a[go] for a in (rows, s, slot, q, price, amount, comm, tf))
    q = q.astype(np.int64)
    paid = amount + comm + tf
    cash[rows] -= paid
    old_q = qty[rows, slot]
    cost[rows, slot] = (old_q * cost[rows, slot] + paid) / (old_q + q)
    qty[rows, slot] = old_q + q
    sym[rows, slot] = s
    lastbuy[rows, slot] = t
    _record(trades, future, rows, t, s, 0, q, price, amount, comm, np.zeros(len(rows)), tf, lat, rng)
