"""The optional AKShare adapter against responses kept in fixtures (never the network)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from panhuo.market import akshare_adapter as ak_adapter
from panhuo.market.panel import build_panel

FIX = Path(__file__).parent / "fixtures"


class FakeAkshare:
    """Replays kept responses and records the calls, as the real module would be called."""

    def __init__(self):
        self.calls = []

    def stock_zh_a_hist(self, symbol, period, start_date, end_date, adjust):
        self.calls.append(("stock_zh_a_hist", symbol, period, start_date, end_date, adjust))
        df = pd.read_csv(FIX / "akshare_stock_zh_a_hist_600000_20230821_20230901.csv", dtype={"股票代码": str})
        if symbol != "600000":
            return df.iloc[0:0]
        d = pd.to_datetime(df["日期"])
        return df[(d >= pd.Timestamp(start_date)) & (d <= pd.Timestamp(end_date))]

    def stock_zh_index_daily(self, symbol):
        self.calls.append(("stock_zh_index_daily", symbol))
        return pd.read_csv(FIX / "akshare_stock_zh_index_daily_sh000300_tail.csv")


def test_stock_bars_are_canonical():
    fake = FakeAkshare()
    bars = ak_adapter.fetch_stock_bars(["600000.SH", "000001.SZ"], date(2023, 8, 21), date(2023, 9, 1), client=fake)
    assert fake.calls[0] == ("stock_zh_a_hist", "600000", "daily", "20230821", "20230901", "")
    assert bars.height == 10 and bars["symbol"].unique().to_list() == ["600000.SH"]
    first = bars.row(0, named=True)
    assert first["trade_date"] == date(2023, 8, 21) and first["close"] == 6.96
    assert first["pre_close"] == pytest.approx(7.07)          # close − 涨跌额
    assert first["volume"] % 100 == 0                          # lots → shares
    # pre_close of each day equals the previous close here (no ex-rights in the window)
    assert bars["pre_close"][1:].to_list() == pytest.approx(bars["close"][:-1].to_list())
    panel = build_panel(bars)
    assert panel.limits()[0][0, 0] == pytest.approx(7.78)      # round(7.07 × 1.1) to the cent


def test_index_bars_and_window():
    bars = ak_adapter.fetch_index_bars("sh000300", date(2023, 12, 20), date(2023, 12, 29), client=FakeAkshare())
    assert bars["symbol"].unique().to_list() == ["000300.SH"]
    assert bars["trade_date"].min() == date(2023, 12, 20) and bars.height == 8
    assert bars["pre_close"].null_count() == 0


def test_bad_response_and_missing_module():
    with pytest.raises(ValueError, match="missing columns"):
        ak_adapter.bars_from_stock_hist(pl.DataFrame({"日期": ["2023-01-03"]}), "600000")
    try:
        import akshare  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="not installed"):
            ak_adapter.fetch_index_bars("sh000300", date(2023, 1, 1), date(2023, 2, 1))
