"""A-share trading rules: boards, daily price limits, fees and lots.

Everything is vectorised: functions accept numpy arrays (any shape that broadcasts) so the backtester can
apply them to a whole dates × symbols panel at once. Dates are numpy datetime64[D].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ChiNext moved to registration-based IPOs and ±20 % limits on 2020-08-24 (创业板改革并试点注册制).
CHINEXT_REFORM = np.datetime64("2020-08-24")
# Main-board registration-based IPOs (全面注册制) from 2023-04-10: no limit on the first 5 days.
MAIN_REGISTRATION = np.datetime64("2023-04-10")
# Main-board risk-warning (ST) stocks moved from ±5 % to the board's ±10 % on 2025-07-07 (沪深交易所《关于调整主板
# 风险警示股票价格涨跌幅限制比例及有关事项的通知》).
ST_MAIN_REFORM = np.datetime64("2025-07-07")
# Stamp duty halved from 0.1 % to 0.05 % on 2023-08-28.
STAMP_DUTY_CUT = np.datetime64("2023-08-28")

BOARDS = ("main", "chinext", "star", "bse")


def board_of(code: str) -> str:
    """Board from the 6-digit code prefix (60x/00x main, 30x ChiNext, 68x STAR, 8x/4x/92x Beijing)."""
    c = code.split(".")[0][-6:]
    if c.startswith("68"):
        return "star"
    if c.startswith("30"):
        return "chinext"
    if c.startswith(("8", "4", "92")):
        return "bse"
    if c.startswith(("60", "00")):
        return "main"
    raise ValueError(f"not an A-share stock code: {code!r}")


def exchange_of(code: str) -> str:
    c = code.split(".")[0][-6:]
    if c.startswith(("6", "9")) and not c.startswith("92"):
        return "SH"
    if c.startswith(("8", "4", "92")):
        return "BJ"
    return "SZ"


def canonical_symbol(code: str) -> str:
    """`sh.600000`, `600000`, `600000.SH` or `sh600000` → `600000.SH`."""
    c = code.strip()
    if "." in c:
        a, b = c.split(".", 1)
        if a.lower() in ("sh", "sz", "bj"):
            return f"{b}.{a.upper()}"
        return f"{a}.{b.upper()}"
    if c[:2].lower() in ("sh", "sz", "bj"):
        return f"{c[2:]}.{c[:2].upper()}"
    return f"{c}.{exchange_of(c)}"


def limit_pct(board: np.ndarray, is_st: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """The daily limit as a fraction of pre_close (0.10 = ±10 %), by board, ST status and date.

    ST stocks have ±5 % on the main board until 2025-07-07 and ±10 % after; ChiNext ST stocks follow the board's
    ±20 % after its 2020 reform.
    """
    board = np.asarray(board)
    is_st = np.asarray(is_st, dtype=bool)
    dates = np.asarray(dates, dtype="datetime64[D]")
    after = dates >= CHINEXT_REFORM
    pct = np.where(board == "main", np.where(is_st & (dates < ST_MAIN_REFORM), 0.05, 0.10), 0.10)
    pct = np.where(board == "chinext", np.where(after, 0.20, np.where(is_st, 0.05, 0.10)), pct)
    pct = np.where(board == "star", 0.20, pct)
    pct = np.where(board == "bse", 0.30, pct)
    return pct.astype(float)


def no_limit_day(board: np.ndarray, list_date: np.ndarray, dates: np.ndarray,
                 day_number: np.ndarray) -> np.ndarray:
    """True on listing days without a price limit: the first 5 trading days of a registration-based IPO
    (STAR always, ChiNext from 2020-08-24, main board from 2023-04-10) and a Beijing listing day.

    `day_number` counts trading days since listing (1 = listing day). Main-board IPO days before 2023 had a
    44 % cap (handled by `ipo_first_day_cap`), which is a limit, so they are not "no limit" here.
    """
    board = np.asarray(board)
    ld = np.asarray(list_date, dtype="datetime64[D]")
    first5 = (day_number >= 1) & (day_number <= 5)
    registered = ((board == "star")
                  | ((board == "chinext") & (ld >= CHINEXT_REFORM))
                  | ((board == "main") & (ld >= MAIN_REGISTRATION)))
    return (first5 & registered) | ((board == "bse") & (day_number == 1))


def price_limits(pre_close: np.ndarray, board: np.ndarray, is_st: np.ndarray, dates: np.ndarray,
                 list_date: np.ndarray, day_number: np.ndarray, no_limit: np.ndarray | bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(limit-up, limit-down) prices to the cent; +inf / -inf on days without a limit.

    Main-board and ChiNext IPO days under approval-based listing (before 2023-04-10 / 2020-08-24) were capped at +44 % / -36 % of the
    issue price (the listing-day pre_close). `no_limit` adds days the data mark (e.g. a relisting day).
    """
    pct = limit_pct(board, is_st, dates)
    up, down = limit_prices(pre_close, pct)
    board = np.asarray(board)
    ld = np.asarray(list_date, dtype="datetime64[D]")
    approval_ipo = ((board == "main") & (ld < MAIN_REGISTRATION)) | ((board == "chinext") & (ld < CHINEXT_REFORM))
    ipo_cap = approval_ipo & (day_number == 1)
    up = np.where(ipo_cap, round_cents(np.asarray(pre_close) * 1.44), up)
    down = np.where(ipo_cap, round_cents(np.asarray(pre_close) * 0.64), down)
    free = no_limit_day(board, ld, dates, day_number) | np.asarray(no_limit, dtype=bool)
    return np.where(free, np.inf, up), np.where(free, -np.inf, down)


def round_cents(x: np.ndarray) -> np.ndarray:
    """Round half up to the cent, as the exchanges do for limit prices (float noise removed first)."""
    return np.floor(np.round(np.asarray(x, dtype=float) * 100, 6) + 0.5) / 100


def limit_prices(pre_close: np.ndarray, pct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Limit-up and limit-down prices to the cent."""
    pre = np.asarray(pre_close, dtype=float)
    return round_cents(pre * (1 + pct)), round_cents(pre * (1 - pct))


# A price within this of a limit price counts as at the limit. Forward-adjusted (qfq) data rescale the traded
# prices and round them to the cent again, and the pre_close the limit is computed from too, so an open that
# really sat at the limit can come out a cent under the computed limit-up (over the limit-down). On exact
# prices the check errs on the safe side: a buy a cent under the limit is not assumed to fill.
LIMIT_TOLERANCE = 0.01


def at_limit_up(price: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Price sits at the limit-up price `up` (from `price_limits`; +inf on a day without a limit), to within a
    cent (`LIMIT_TOLERANCE`). NaN prices are never at a limit."""
    return np.asarray(price) >= np.asarray(up) - LIMIT_TOLERANCE - 1e-6


def at_limit_down(price: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Price sits at the limit-down price `down` (-inf on a day without a limit), to within a cent."""
    return np.asarray(price) <= np.asarray(down) + LIMIT_TOLERANCE + 1e-6


@dataclass(frozen=True)
class Fees:
    """Trading costs. Commission has a minimum per order; stamp duty is on sells only, by date."""

    commission_rate: float = 0.00025
    commission_min: float = 5.0
    transfer_rate: float = 0.00001
    stamp_before: float = 0.001
    stamp_after: float = 0.0005

    def stamp_rate(self, dates: np.ndarray) -> np.ndarray:
        d = np.asarray(dates, dtype="datetime64[D]")
        return np.where(d >= STAMP_DUTY_CUT, self.stamp_after, self.stamp_before)

    def costs(self, amount: np.ndarray, is_sell: np.ndarray, dates: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(commission, stamp duty, transfer fee) for orders of the given CNY amounts; zero amount → zero."""
        amount = np.asarray(amount, dtype=float)
        traded = amount > 0
        commission = np.where(traded, np.maximum(amount * self.commission_rate, self.commission_min), 0.0)
        stamp = np.where(np.asarray(is_sell) & traded, amount * self.stamp_rate(dates), 0.0)
        transfer = amount * self.transfer_rate
        return commission, stamp, transfer


LOT = 100

# Buy order sizes by board, as (minimum, step) in shares: main board and ChiNext trade whole 100-share lots;
# STAR (科创板) buys are at least 200 shares, then any number of shares (上交所科创板交易特别规定 §17);
# Beijing (北交所) buys at least 100 shares, then any number (北交所交易规则 3.3.5). Sells may be any
# quantity, and an odd remainder must be sold in one order, so a backtest that always sells its whole
# position satisfies every board.
BUY_SIZE = {"main": (100, 100), "chinext": (100, 100), "star": (200, 1), "bse": (100, 1)}


def buy_size(board) -> tuple[np.ndarray, np.ndarray]:
    """(minimum, step) of a buy order's share count for each board (`BUY_SIZE`)."""
    b = np.asarray(board)
    minimum = np.full(b.shape, LOT, dtype=np.int64)
    step = np.full(b.shape, LOT, dtype=np.int64)
    for name, (lo, st) in BUY_SIZE.items():
        minimum[b == name] = lo
        step[b == name] = st
    return minimum, step


def buy_lots(cash: np.ndarray, price: np.ndarray, fees: Fees, board=None) -> np.ndarray:
    """Shares affordable with `cash`, fees included, in the board's order sizes (`BUY_SIZE`; main-board
    100-share lots when no board is given); 0 where the board's minimum is not affordable.

    The cost of q shares is q·p·(1 + transfer) + max(q·p·commission, minimum commission), so q is
    affordable exactly when both q·p·(1 + commission + transfer) ≤ cash and q·p·(1 + transfer) + minimum
    commission ≤ cash: the largest such multiple of the step is the smaller of the two bounds.
    """
    return affordable(cash, price, fees, *buy_size("main" if board is None else board))


def affordable(cash: np.ndarray, price: np.ndarray, fees: Fees, minimum: np.ndarray, step: np.ndarray) -> np.ndarray:
    """`buy_lots` with the order sizes given (from `buy_size`, computed once for a panel's symbols)."""
    cash = np.asarray(cash, dtype=float)
    price = np.asarray(price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        at_rate = cash / (price * step * (1 + fees.commission_rate + fees.transfer_rate))
        at_min = (cash - fees.commission_min) / (price * step * (1 + fees.transfer_rate))
        units = np.floor(np.where(price > 0, np.clip(np.minimum(at_rate, at_min), 0, None), 0.0))
    qty = units * step
    # Guard against rounding at the boundary: drop one step where the exact cost still exceeds the cash.
    amount = qty * price
    c, _, t = fees.costs(amount, np.zeros_like(amount, dtype=bool), np.datetime64("2000-01-01"))
    qty = np.where(amount + c + t > cash + 1e-9, np.maximum(qty - step, 0), qty)
    return np.where(qty >= minimum, qty, 0).astype(np.int64)
