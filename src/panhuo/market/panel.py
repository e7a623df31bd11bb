"""The dates × symbols panel every vectorised market computation works on.

Canonical `bars` are long (one row per symbol and day); indicators, models and the backtester want 2-D
arrays (rows = trading dates, columns = symbols) so that one numpy operation covers every stock.
Prices are forward-filled over suspended or missing days (so indicators see a flat price, as trading
software shows it); `tradable` says whether a real session happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from panhuo.market import rules


@dataclass
class Panel:
    dates: np.ndarray                 # datetime64[D], ascending trading days
    symbols: np.ndarray               # str, column order
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    pre_close: np.ndarray
    volume: np.ndarray                # shares, 0 when not traded
    amount: np.ndarray
    turnover: np.ndarray              # fraction (0.01 = 1 %), NaN when unknown
    adj_factor: np.ndarray
    listed: np.ndarray                # bool: on or after the first bar of the symbol
    tradable: np.ndarray              # bool: a real session with volume (not suspended, not missing)
    is_st: np.ndarray                 # bool per day
    board: np.ndarray                 # str per symbol
    industry: np.ndarray              # str per symbol ("" unknown)
    names: np.ndarray                 # str per symbol
    list_date: np.ndarray             # datetime64[D] per symbol (NaT unknown)
    no_limit_flag: np.ndarray         # bool: days the data mark as without a limit (e.g. relisting)
    extra: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.close.shape

    def day_number(self) -> np.ndarray:
        """Trading days since listing (1 = listing day) where the listing is inside the panel, else 0."""
        listed_in = (self.list_date >= self.dates[0]) & ~np.isnat(self.list_date)
        n = np.cumsum(self.listed, axis=0)
        return np.where(listed_in[None, :], n, 0)

    def limit_pct(self) -> np.ndarray:
        """Daily limit as a fraction of pre_close per cell (cached)."""
        if "limit_pct" not in self.extra:
            self.extra["limit_pct"] = rules.limit_pct(self.board[None, :], self.is_st, self.dates[:, None])
        return self.extra["limit_pct"]

    def limits(self) -> tuple[np.ndarray, np.ndarray]:
        """(limit-up, limit-down) price per cell; ±inf where the day has no limit (cached)."""
        if "limits" not in self.extra:
            self.limit_pct()
            self.extra["limits"] = rules.price_limits(
                self.pre_close, self.board[None, :], self.is_st, self.dates[:, None], self.list_date[None, :],
                self.day_number(), self.no_limit_flag)
        return self.extra["limits"]

    def adjusted(self, price: np.ndarray) -> np.ndarray:
        """Back-adjusted prices (price × adj_factor) for returns across ex-rights dates."""
        return price * self.adj_factor

    def index_of(self, day) -> int:
        """Row of the last trading date on or before `day`."""
        i = int(np.searchsorted(self.dates, np.datetime64(day, "D"), side="right")) - 1
        if i < 0:
            raise ValueError(f"{day} is before the first date of the panel")
        return i

    def columns(self, sl: slice) -> Panel:
        """The symbols in slice `sl` (views, no copies); a cached limits pair is sliced alike."""
        N = self.shape[1]
        kw = {}
        for name, value in self.__dict__.items():
            if name == "extra":
                kw[name] = {}
                if "limits" in value:
                    kw[name]["limits"] = tuple(x[:, sl] for x in value["limits"])
                if "limit_pct" in value:
                    kw[name]["limit_pct"] = value["limit_pct"][:, sl]
            elif isinstance(value, np.ndarray) and value.ndim == 2:
                kw[name] = value[:, sl]
            elif isinstance(value, np.ndarray) and value.ndim == 1 and value.size == N and name != "dates":
                kw[name] = value[sl]
            else:
                kw[name] = value
        return Panel(**kw)

    def window(self, start, end) -> Panel:
        """The rows with start <= date <= end (every 2-D array sliced alike)."""
        lo = int(np.searchsorted(self.dates, np.datetime64(start, "D"), side="left"))
        hi = int(np.searchsorted(self.dates, np.datetime64(end, "D"), side="right"))
        kw = {}
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray) and value.ndim == 2:
                kw[name] = value[lo:hi]
            elif name == "dates":
                kw[name] = value[lo:hi]
            elif name == "extra":
                kw[name] = {}
            else:
                kw[name] = value
        return Panel(**kw)


def _ffill(a: np.ndarray) -> np.ndarray:
    """Forward-fill NaN down each column (vectorised: index of the last valid row)."""
    idx = np.where(np.isnan(a), 0, np.arange(a.shape[0])[:, None])
    np.maximum.accumulate(idx, axis=0, out=idx)
    out = a[idx, np.arange(a.shape[1])[None, :]]
    return out


def build_panel(bars: pl.DataFrame, instruments: pl.DataFrame | None = None) -> Panel:
    """Pivot canonical long `bars` (plus optional `is_st` / `suspended` columns) into a Panel. Without a per-day
    `is_st` column, an instrument flagged `is_st` is ST on every day."""
    bars = bars.sort("trade_date", "symbol")
    dates = np.unique(bars["trade_date"].to_numpy().astype("datetime64[D]"))
    symbols = np.unique(bars["symbol"].to_numpy().astype(str))
    ti = np.searchsorted(dates, bars["trade_date"].to_numpy().astype("datetime64[D]"))
    si = np.searchsorted(symbols, bars["symbol"].to_numpy().astype(str))
    shape = (len(dates), len(symbols))

    def grid(col: str, fill=np.nan) -> np.ndarray:
        a = np.full(shape, fill, dtype=float)
        if col in bars.columns:
            a[ti, si] = bars[col].cast(pl.Float64).fill_null(np.nan).to_numpy()
        return a

    present = np.zeros(shape, dtype=bool)
    present[ti, si] = True
    listed = np.maximum.accumulate(present, axis=0)
    close = grid("close")
    pre = grid("pre_close")
    # Missing pre_close (e.g. sources without it): the previous real close.
    prev_close = np.vstack([np.full((1, shape[1]), np.nan), _ffill(close)[:-1]])
    pre = np.where(np.isnan(pre), prev_close, pre)
    volume = np.nan_to_num(grid("volume"), nan=0.0)
    suspended = np.zeros(shape, dtype=bool)
    if "suspended" in bars.columns:
        suspended[ti, si] = bars["suspended"].fill_null(False).to_numpy()
    tradable = present & ~suspended & (volume > 0)
    close_f = _ffill(close)
    # A day without a session shows the last close as open/high/low/close (as trading software does).
    o, h, lo_ = (np.where(np.isnan(x), close_f, x) for x in (grid("open"), grid("high"), grid("low")))
    is_st = np.zeros(shape, dtype=bool)
    if "is_st" in bars.columns:
        is_st[ti, si] = bars["is_st"].fill_null(False).to_numpy()
        is_st = _ffill(np.where(present, is_st.astype(float), np.nan)) == 1.0
    no_limit = np.zeros(shape, dtype=bool)
    if "no_limit" in bars.columns:
        no_limit[ti, si] = bars["no_limit"].fill_null(False).to_numpy()
    turnover = grid("turnover_rate") / 100.0
    adj = grid("adj_factor")
    adj = np.where(np.isnan(_ffill(adj)), 1.0, _ffill(adj))

    board = np.array([rules.board_of(s) for s in symbols])
    industry = np.full(len(symbols), "", dtype=object)
    names = np.full(len(symbols), "", dtype=object)
    list_date = np.full(len(symbols), np.datetime64("NaT"), dtype="datetime64[D]")
    if instruments is not None and instruments.height:
        ins = {r["symbol"]: r for r in instruments.iter_rows(named=True)}
        for j, s in enumerate(symbols):
            r = ins.get(s)
            if r is None:
                continue
            industry[j] = r.get("industry") or ""
            names[j] = r.get("name") or ""
            if r.get("list_date") is not None:
                list_date[j] = np.datetime64(r["list_date"], "D")
            if r.get("board"):
                board[j] = r["board"]
            if "is_st" not in bars.columns and r.get("is_st"):
                # No per-day flag (the warehouse's bars, Tushare without its namechange table): the
                # instrument's current status stands for every day, so ST limits and exclusions still apply.
                is_st[:, j] = True
    return Panel(dates=dates, symbols=symbols, open=o, high=h, low=lo_, close=close_f, pre_close=pre,
                 volume=volume, amount=np.nan_to_num(grid("amount"), nan=0.0), turnover=turnover,
                 adj_factor=adj, listed=listed, tradable=tradable, is_st=is_st, board=board,
                 industry=industry.astype(str), names=names.astype(str), list_date=list_date, no_limit_flag=no_limit)
