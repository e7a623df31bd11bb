"""Loaders on the real reference data and the A-share rules checked against the facts in SOURCE.md."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from panhuo.market import data, rules
from panhuo.market.calendar import TradingCalendar
from panhuo.market.panel import build_panel
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def baostock():
    path = shared_data("ashare_csi300_daily_baostock", "stocks_daily_2020_2023.csv.gz")
    industry = shared_data("ashare_mainboard_qfq_tushare", "stocklist_industry.csv")
    bars, inst = data.load_baostock(path, industry)
    return bars, inst, build_panel(bars, inst)


def test_baostock_loads_as_canonical(baostock):
    bars, inst, _ = baostock
    assert bars.height == 184_641 and inst.height == 201
    assert bars.columns[:11] == data.BAR_COLUMNS
    assert inst.columns == data.INSTRUMENT_COLUMNS
    assert bars["symbol"].str.contains(r"^\d{6}\.(SH|SZ)$").all()
    boards = inst.group_by("board").len().sort("board")
    assert dict(zip(boards["board"], boards["len"], strict=True)) == {"chinext": 20, "main": 168, "star": 13}
    assert inst["industry"].null_count() <= 1


def test_baostock_facts_from_source(baostock):
    bars, _, p = baostock
    assert int(bars["suspended"].sum()) == 505          # tradestatus = 0 rows in the shared part
    assert int(bars["is_st"].sum()) == 1036             # ST rows
    assert bars.filter(pl.col("suspended"))["volume"].max() == 0
    assert int((p.listed & ~p.tradable).sum()) == 505   # no other day is treated as not traded
    assert set(bars.filter(pl.col("is_st"))["symbol"].unique()) == {"600515.SH", "000408.SZ", "000792.SZ"}


def test_adj_factor_from_preclose(baostock):
    """close × adj_factor moves exactly by pctChg on every day, ex-dividend days included."""
    bars, _, p = baostock
    adj = p.close * p.adj_factor
    ret = adj[1:] / adj[:-1] - 1
    chg = p.close[1:] / p.pre_close[1:] - 1
    ok = p.listed[:-1] & p.listed[1:]
    np.testing.assert_allclose(ret[ok], chg[ok], atol=1e-12)
    moutai = bars.filter(pl.col("symbol") == "600519.SH")
    # Kweichow Moutai's ex-dividend days: the yearly dividends and the special ones of Dec 2022 and Dec 2023
    step = moutai.filter(pl.col("adj_factor") != pl.col("adj_factor").shift(1))["trade_date"].to_list()
    assert step == [date(2020, 6, 24), date(2021, 6, 25), date(2022, 6, 30), date(2022, 12, 27),
                    date(2023, 6, 30), date(2023, 12, 20)]
    events = int((np.abs(np.diff(p.adj_factor, axis=0)) > 1e-12).sum())
    assert 300 < events < 1500


def test_no_price_ever_breaks_its_limit(baostock):
    """Every high and low of every session lies within the limits our rules compute (board, ST, the ChiNext
    reform date, approval-era 44 % IPO caps, registration IPOs and a relisting day without a limit)."""
    _, _, p = baostock
    up, down = p.limits()
    assert not (p.tradable & ((p.high > up + 1e-9) | (p.low < down - 1e-9))).any()
    # ... and the rules are not vacuous: without ST the ST stocks would break no limit, with ST ±5 % they hit it
    st_hits = p.tradable & p.is_st & (p.close >= up - 1e-9)
    assert st_hits.sum() > 10
    chinext = p.board == "chinext"
    after = p.dates >= rules.CHINEXT_REFORM
    big = np.abs(p.close / p.pre_close - 1) > 0.105
    assert (big[after][:, chinext] & p.tradable[after][:, chinext]).sum() > 0
    assert not (big[~after][:, chinext] & p.tradable[~after][:, chinext] & ~np.isinf(up[~after][:, chinext])
                & (p.day_number()[~after][:, chinext] != 1)).any()


def test_limit_up_counts_close_to_pctchg_counts(baostock):
    """SOURCE.md counts limit days as |pctChg| ≥ 9.9 on the non-ST main board; closes exactly at our limit
    prices must be nearly all of those (the rest are 9.9–9.99 % moves that stopped a cent short)."""
    _, _, p = baostock
    up, down = p.limits()
    main = (p.board == "main")[None, :] & ~p.is_st & p.tradable & ~np.isinf(up)
    chg = (p.close / p.pre_close - 1) * 100
    at_up = main & (np.abs(p.close - up) < 1e-9)
    at_down = main & (np.abs(p.close - down) < 1e-9)
    assert 0.95 * (main & (chg >= 9.9)).sum() <= at_up.sum() <= (main & (chg >= 9.9)).sum()
    assert 0.9 * (main & (chg <= -9.9)).sum() <= at_down.sum() <= (main & (chg <= -9.9)).sum()


def test_limit_rules_by_hand():
    d = np.datetime64
    pct = rules.limit_pct(np.array(["main", "main", "chinext", "chinext", "star", "bse"]),
                          np.array([False, True, False, False, False, False]),
                          np.array([d("2021-01-04")] * 2 + [d("2020-08-21"), d("2020-08-24")] + [d("2021-01-04")] * 2))
    assert pct.tolist() == [0.10, 0.05, 0.10, 0.20, 0.20, 0.30]
    up, down = rules.limit_prices(np.array([2.05, 10.0, 3.33]), np.array([0.1, 0.1, 0.05]))
    assert up.tolist() == [2.26, 11.0, 3.50] and down.tolist() == [1.85, 9.0, 3.16]
    assert rules.board_of("688981.SH") == "star" and rules.board_of("300750") == "chinext"
    assert rules.board_of("430047.BJ") == "bse" and rules.board_of("600000") == "main"
    assert rules.canonical_symbol("sh.600000") == "600000.SH" and rules.canonical_symbol("000001") == "000001.SZ"


def test_fees_and_lots():
    fees = rules.Fees()
    c, s, t = fees.costs(np.array([10_000.0, 100_000.0, 100_000.0]), np.array([False, True, True]),
                         np.array(["2023-08-25", "2023-08-25", "2023-08-28"], dtype="datetime64[D]"))
    assert c.tolist() == [5.0, 25.0, 25.0]                 # 5 CNY minimum, then 0.025 %
    assert s.tolist() == [0.0, 100.0, 50.0]                # stamp duty on sells, halved from 2023-08-28
    assert t.tolist() == pytest.approx([0.1, 1.0, 1.0])    # 0.001 %
    qty = rules.buy_lots(np.array([10_000.0, 1_004.0, 99.0]), np.array([9.99, 10.0, 1.0]), fees)
    assert qty.tolist() == [1000, 0, 0]                    # whole lots, fees included



def test_buy_sizes_by_board():
    """Main board and ChiNext buy whole 100-share lots; STAR at least 200 then single shares; Beijing at
    least 100 then single shares. The fees (5 CNY minimum commission) always fit in the cash."""
    fees = rules.Fees()
    boards = np.array(["main", "chinext", "star", "star", "bse", "bse"])
    cash = np.array([25_555.0, 25_555.0, 25_555.0, 15_000.0, 15_000.0, 900.0])
    price = np.full(6, 100.0)
    qty = rules.buy_lots(cash, price, fees, boards)
    assert qty.tolist() == [200, 200, 255, 0, 149, 0]   # STAR: 149 < 200; BJ: 9 < 100
    amount = qty * price
    c, _, t = fees.costs(amount, np.zeros(6, bool), np.datetime64("2024-01-02"))
    assert (amount + c + t <= cash).all()
    assert ((qty + np.array([100, 100, 1, 1, 1, 1])) * price * (1 + fees.transfer_rate) + np.maximum(
        (qty + np.array([100, 100, 1, 1, 1, 1])) * price * fees.commission_rate, 5) > cash)[[0, 1, 2, 4]].all()
    # The 5 CNY minimum commission, not the 0.025 % rate, bounds a small order: (1004 − 5) / 1.00001 → 998 shares.
    assert rules.buy_lots(np.array([1_004.0]), np.array([1.0]), fees, np.array(["bse"])).tolist() == [998]
    assert rules.buy_lots(np.array([1_004.0]), np.array([1.0]), fees, np.array(["main"])).tolist() == [900]


def test_listing_days_and_st_limits_by_board():
    """No limit on the first five days of registration-based listings (STAR; ChiNext from 2020-08-24; main
    board from 2023-04-10) and on a Beijing listing day; approval-era IPO days capped at +44 % / −36 %."""
    d = np.datetime64
    boards = np.array(["star", "bse", "chinext", "chinext", "main", "main"])
    listed = np.array([d("2021-07-01"), d("2021-11-15"), d("2020-08-24"), d("2019-06-03"), d("2023-04-10"),
                       d("2019-06-03")])
    for day, free in [(1, [1, 1, 1, 0, 1, 0]), (2, [1, 0, 1, 0, 1, 0]), (5, [1, 0, 1, 0, 1, 0]), (6, [0] * 6)]:
        up, down = rules.price_limits(np.full(6, 10.0), boards, np.zeros(6, bool), listed, listed, np.full(6, day))
        assert np.isinf(up).astype(int).tolist() == free, day
        assert np.isinf(down).astype(int).tolist() == free, day
    up, down = rules.price_limits(np.full(6, 10.0), boards, np.zeros(6, bool), listed, listed, np.full(6, 1))
    assert up[[3, 5]].tolist() == [14.4, 14.4] and down[[3, 5]].tolist() == [6.4, 6.4]
    up, _ = rules.price_limits(np.full(6, 10.0), boards, np.zeros(6, bool), np.full(6, d("2024-01-02")), listed,
                               np.full(6, 30))
    assert up.tolist() == [12.0, 13.0, 12.0, 12.0, 11.0, 11.0]
    st = rules.limit_pct(np.array(["star", "bse", "chinext", "chinext", "main"]), np.ones(5, bool),
                         np.array([d("2024-01-02")] * 2 + [d("2020-08-21"), d("2020-08-24"), d("2024-01-02")]))
    assert st.tolist() == [0.20, 0.30, 0.05, 0.20, 0.05]
    main_st = rules.limit_pct(np.array(["main"] * 2), np.ones(2, bool), np.array([d("2025-07-04"), d("2025-07-07")]))
    assert main_st.tolist() == [0.05, 0.10]            # main-board ST stocks: ±10 % from 2025-07-07


def test_tushare_qfq_and_index_loaders():
    path = shared_data("ashare_mainboard_qfq_tushare", "stocks_daily_qfq_2020_2023.csv.gz")
    bars, inst = data.load_tushare_qfq(path, shared_data("ashare_mainboard_qfq_tushare", "stocklist_industry.csv"))
    assert bars.height == 365_955 and inst.height == 394
    row = bars.filter((pl.col("symbol") == "000016.SZ") & (pl.col("trade_date") == pl.date(2020, 1, 2))).row(0, named=True)
    assert (row["open"], row["high"], row["low"], row["close"]) == (4.26, 4.39, 4.25, 4.32)
    assert row["volume"] == pytest.approx(27_521_192)      # lots → shares
    # 302132.SZ is a ChiNext code the data set keeps (a 2025 code change of a ChiNext listing)
    assert (inst["board"] == "main").sum() == 393 and inst["industry"].null_count() < 5
    idx = data.load_index_csv(shared_data("ashare_index_daily", "sz399001.csv"), "sz399001")
    assert idx.height == 7987 - 5 and idx["symbol"].unique().to_list() == ["399001.SZ"]
    hs = data.load_index_csv(shared_data("ashare_index_daily", "sh000001.csv"), "sh000001")
    assert hs.filter(pl.col("trade_date") == pl.date(2007, 10, 16))["close"].item() == pytest.approx(6092.057)


def test_parquet_round_trip_and_warehouse(tmp_path, warehouse):
    b = data.conform_bars(pl.DataFrame({"symbol": ["600000.SH", "600000.SH"], "trade_date": ["2024-01-02", "2024-01-03"],
                                        "close": [7.0, 7.1]}).with_columns(pl.col("trade_date").str.to_date()))
    data.write_parquet(b, tmp_path / "bars.parquet")
    back = data.read_bars(tmp_path / "bars.parquet")
    assert back.equals(b)
    b.write_csv(tmp_path / "bars.csv")
    assert data.read_bars(tmp_path / "bars.csv")["close"].to_list() == [7.0, 7.1]
    assert data.store(warehouse, bars=b) == {"bars": 2}
    assert data.store(warehouse, bars=b) == {"bars": 2}      # idempotent
    assert warehouse.row_count("bars") == 2
    assert data.fetch(warehouse, ["600000.SH"], start=np.datetime64("2024-01-03").astype(object))["close"].to_list() == [7.1]


def test_calendar():
    cal = TradingCalendar(np.array(["2024-01-02", "2024-01-03", "2024-01-05", "2024-01-08"], dtype="datetime64[D]"))
    assert cal.is_session("2024-01-03") and not cal.is_session("2024-01-04")
    assert str(cal.next("2024-01-03")) == "2024-01-05" and str(cal.previous("2024-01-06")) == "2024-01-05"
    assert str(cal.offset("2024-01-02", 3)) == "2024-01-08" and cal.count("2024-01-03", "2024-01-07") == 2
    with pytest.raises(ValueError):
        cal.offset("2024-01-04", 1)


def _tushare_files(tmp_path, namechange: list[str] | None = None):
    """Two stocks in Tushare's qfq format: 000004 (named *ST国华 in the stock list) and 000001; a +5 % open on
    2023-01-04 for both."""
    rows = ["symbol,date,open,close,high,low,volume"]
    for code in ("000004", "000001"):
        rows += [f"{code},2023-01-03,10.00,10.00,10.00,10.00,1000", f"{code},2023-01-04,10.50,10.50,10.50,10.50,1000",
                 f"{code},2023-01-05,10.60,10.60,10.60,10.60,1000"]
    (tmp_path / "bars.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "stocklist.csv").write_text("ts_code,symbol,name,area,industry\n000004.SZ,000004,*ST国华,深圳,软件服务\n"
                                             "000001.SZ,000001,平安银行,深圳,银行\n")
    if namechange is None:
        return tmp_path / "bars.csv", tmp_path / "stocklist.csv", None
    (tmp_path / "namechange.csv").write_text("\n".join(["ts_code,name,start_date,end_date", *namechange]) + "\n")
    return tmp_path / "bars.csv", tmp_path / "stocklist.csv", tmp_path / "namechange.csv"


def test_tushare_loader_carries_the_st_flag_so_st_limits_apply(tmp_path):
    bars, listing, _ = _tushare_files(tmp_path)
    b, inst = data.load_tushare_qfq(bars, listing)
    assert dict(zip(inst["symbol"], inst["is_st"], strict=True)) == {"000001.SZ": False, "000004.SZ": True}
    p = build_panel(b, inst)
    up, _ = p.limits()
    st, plain = list(p.symbols).index("000004.SZ"), list(p.symbols).index("000001.SZ")
    assert p.limit_pct()[1, st] == 0.05 and p.limit_pct()[1, plain] == 0.10
    assert up[1, st] == 10.50 and up[1, plain] == 11.00       # the ST stock opened at its limit on 2023-01-04


def test_tushare_namechange_dates_each_st_spell(tmp_path):
    # 000004 became *ST国华 on 2023-01-04; before that it was 国华网安
    bars, listing, names = _tushare_files(tmp_path, ["000004.SZ,国华网安,20200101,20230103",
                                                      "000004.SZ,*ST国华,20230104,"])
    b, inst = data.load_tushare_qfq(bars, listing, names)
    flags = b.filter(pl.col("symbol") == "000004.SZ")["is_st"].to_list()
    assert flags == [False, True, True] and not b.filter(pl.col("symbol") == "000001.SZ")["is_st"].any()
    assert dict(zip(inst["symbol"], inst["is_st"], strict=True)) == {"000001.SZ": False, "000004.SZ": True}
    p = build_panel(b, inst)
    st = list(p.symbols).index("000004.SZ")
    assert p.limit_pct()[:, st].tolist() == [0.10, 0.05, 0.05]


def test_reference_tushare_list_flags_st_names():
    path = shared_data("ashare_mainboard_qfq_tushare", "stocks_daily_qfq_2020_2023.csv.gz")
    _, inst = data.load_tushare_qfq(path, shared_data("ashare_mainboard_qfq_tushare", "stocklist_industry.csv"))
    flagged = inst.filter(pl.col("is_st"))
    assert flagged.height > 0 and flagged["name"].str.contains("ST").all()
    assert not inst.filter(~pl.col("is_st"))["name"].fill_null("").str.contains("ST").any()
