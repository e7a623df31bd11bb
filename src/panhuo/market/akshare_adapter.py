"""Optional AKShare source: daily bars of stocks and indices into the canonical `bars` table.

AKShare is an optional extra (not a dependency): pass the imported module, or anything with the same
functions, as `client`. Tests use a fake client that replays responses kept in tests/market/fixtures, so
no test touches the network. Column meanings follow AKShare's `stock_zh_a_hist` (东方财富) response:
日期, 开盘, 收盘, 最高, 最低, 成交量 (lots of 100 shares), 成交额 (CNY), 振幅, 涨跌幅 (%), 涨跌额, 换手率 (%).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from panhuo.market import data, rules

STOCK_COLUMNS = {"日期": "trade_date", "开盘": "open", "收盘": "close", "最高": "high", "最低": "low",
                 "成交量": "volume", "成交额": "amount", "涨跌额": "change", "换手率": "turnover_rate"}


def _client(client: Any | None):
    if client is not None:
        return client
    try:
        import akshare  # noqa: PLC0415  (optional extra)
    except ImportError as e:
        raise RuntimeError("AKShare is not installed; `pip install akshare` or pass a client") from e
    return akshare


def bars_from_stock_hist(frame, symbol: str) -> pl.DataFrame:
    """Canonical bars from one `stock_zh_a_hist` response (a pandas or polars frame).

    pre_close = close − 涨跌额, which is the exchange's reference price (after ex-rights adjustment) when
    the response is unadjusted; volume lots → shares.
    """
    df = frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)
    missing = [c for c in STOCK_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"unexpected AKShare response, missing columns {missing}")
    df = df.rename({k: v for k, v in STOCK_COLUMNS.items()})
    bars = df.select(
        pl.lit(rules.canonical_symbol(symbol)).alias("symbol"),
        pl.col("trade_date").cast(pl.Utf8).str.slice(0, 10).str.to_date(),
        "open", "high", "low", "close",
        (pl.col("close") - pl.col("change")).round(4).alias("pre_close"),
        (pl.col("volume").cast(pl.Float64) * 100).alias("volume"), "amount", "turnover_rate",
        pl.lit(1.0).alias("adj_factor"), pl.lit(False).alias("suspended"),
    )
    return data.conform_bars(bars)


def fetch_stock_bars(symbols: list[str], start: date, end: date, *, adjust: str = "", client: Any | None = None
                     ) -> pl.DataFrame:
    """Daily bars for `symbols` between start and end (inclusive). adjust: "" unadjusted, "qfq", "hfq"."""
    ak = _client(client)
    frames = []
    for s in symbols:
        code = rules.canonical_symbol(s).split(".")[0]
        resp = ak.stock_zh_a_hist(symbol=code, period="daily", start_date=start.strftime("%Y%m%d"),
                                  end_date=end.strftime("%Y%m%d"), adjust=adjust)
        if len(resp):
            frames.append(bars_from_stock_hist(resp, s))
    if not frames:
        return data.conform_bars(pl.DataFrame(schema={"symbol": pl.Utf8, "trade_date": pl.Date}))
    return pl.concat(frames, how="diagonal_relaxed")


def fetch_index_bars(symbol: str, start: date, end: date, *, client: Any | None = None) -> pl.DataFrame:
    """Daily bars of an index via `stock_zh_index_daily` (symbol like `sh000300`; columns date, open,
    high, low, close, volume), limited to start..end; pre_close = previous close."""
    ak = _client(client)
    resp = ak.stock_zh_index_daily(symbol=symbol)
    df = resp if isinstance(resp, pl.DataFrame) else pl.from_pandas(resp)
    bars = (df.select(pl.lit(rules.canonical_symbol(symbol)).alias("symbol"),
                      pl.col("date").cast(pl.Utf8).str.slice(0, 10).str.to_date().alias("trade_date"),
                      "open", "high", "low", "close", pl.col("volume").cast(pl.Float64))
            .sort("trade_date")
            .with_columns(pl.col("close").shift(1).alias("pre_close"), pl.lit(1.0).alias("adj_factor"))
            .filter(pl.col("trade_date").is_between(start, end)))
    return data.conform_bars(bars)
