"""The simulated market: bars inside the limit bands, suspensions, regimes lasting months, indices."""

from __future__ import annotations

from datetime import date

import numpy as np

from panhuo.simulate.calendar import month_end_mask, trading_days
from panhuo.simulate.config import stamp_duty_rate
from panhuo.simulate.market import build_market
from tests.simulate.conftest import scalar

LIMIT = """CASE WHEN i.is_st THEN 0.05 WHEN i.board = 'main' THEN 0.10 WHEN i.board = 'bse' THEN 0.30
             ELSE 0.20 END"""


def test_bars_are_valid_ohlc_inside_each_boards_limit(sdb):
    assert scalar(sdb, """SELECT count(*) FROM bars WHERE NOT (low <= least(open, close)
                          AND high >= greatest(open, close) AND low > 0)""") == 0
    # limit prices in exact decimals, rounded half up to the cent as the exchanges do
    up = f"round(b.pre_close::DECIMAL(18, 2) * (1 + {LIMIT})::DECIMAL(6, 2), 2)"
    dn = f"round(b.pre_close::DECIMAL(18, 2) * (1 - {LIMIT})::DECIMAL(6, 2), 2)"
    bad = scalar(sdb, f"""SELECT count(*) FROM bars b JOIN instruments i USING (symbol)
                          WHERE b.high::DECIMAL(18, 2) > {up} OR b.low::DECIMAL(18, 2) < {dn}""")
    assert bad == 0
    # limit-up and limit-down closes happen (docs/simulator.md compares their frequency with real data)
    assert scalar(sdb, f"""SELECT count(*) FROM bars b JOIN instruments i USING (symbol)
                           WHERE b.close::DECIMAL(18, 2) = {up}""") >= 20
    assert scalar(sdb, f"""SELECT count(*) FROM bars b JOIN instruments i USING (symbol)
                           WHERE b.close::DECIMAL(18, 2) = {dn} AND b.volume > 0""") >= 10


def test_prices_chain_and_suspensions_are_flat_with_no_volume(sdb):
    assert scalar(sdb, """SELECT count(*) FROM (SELECT pre_close, lag(close) OVER (PARTITION BY symbol
                          ORDER BY trade_date) AS prev FROM bars) WHERE prev IS NOT NULL AND prev <> pre_close""") == 0
    suspended = scalar(sdb, "SELECT count(*) FROM bars WHERE volume = 0 AND symbol NOT IN ('000001.SH', '000300.SH')")
    assert suspended > 0
    assert scalar(sdb, """SELECT count(*) FROM bars WHERE volume = 0 AND NOT (open = close AND high = low
                          AND close = pre_close AND amount = 0 AND turnover_rate = 0)""") == 0


def test_instruments_span_boards_and_industries_with_canonical_symbols(sdb):
    assert scalar(sdb, "SELECT count(DISTINCT board) FROM instruments") == 4
    assert scalar(sdb, "SELECT count(DISTINCT industry) FROM instruments") >= 20
    assert scalar(sdb, r"SELECT count(*) FROM instruments WHERE NOT regexp_matches(symbol, '^\d{6}\.(SH|SZ|BJ)$')") == 0
    assert scalar(sdb, """SELECT count(*) FROM instruments WHERE (board = 'star' AND exchange <> 'SH')
                          OR (board = 'chinext' AND exchange <> 'SZ') OR (board = 'bse' AND exchange <> 'BJ')""") == 0


def test_indices_are_cap_weighted_over_their_constituents(sdb):
    for symbol, members in (("000001.SH", "i.exchange = 'SH'"), ("000300.SH", "i.in_csi300")):
        worst = scalar(sdb, f"""
            WITH r AS (
                SELECT b.trade_date, sum(i.total_shares * b.close) / sum(i.total_shares * b.pre_close) AS rel
                FROM bars b JOIN instruments i USING (symbol) WHERE {members} GROUP BY 1)
            SELECT max(abs(x.close / x.pre_close - r.rel)) FROM bars x JOIN r USING (trade_date)
            WHERE x.symbol = '{symbol}'""")
        assert worst < 2e-6, symbol
    assert scalar(sdb, "SELECT count(*) FROM instruments WHERE in_csi300") == min(
        300, scalar(sdb, "SELECT count(*) FROM instruments WHERE board <> 'bse'"))


def test_regimes_last_months(sdb):
    runs = sdb.execute("""
        SELECT regime, count(*) AS days FROM (
            SELECT *, sum(CASE WHEN regime <> prev THEN 1 ELSE 0 END) OVER (ORDER BY trade_date) AS run
            FROM (SELECT *, lag(regime, 1, regime) OVER (ORDER BY trade_date) AS prev FROM market_regimes))
        GROUP BY run, regime ORDER BY min(trade_date)""").fetchall()
    assert {r for r, _ in runs} == {"bull", "bear", "range"}
    assert all(days >= 40 for _, days in runs[1:-1])           # inner phases last two months or more


def test_bull_phases_rise_and_bear_phases_fall_over_a_decade():
    days = trading_days(date(2014, 1, 1), date(2023, 12, 31))
    m = build_market(11, 80, days, len(days))
    r = m.indices["000300.SH"]["close"] / m.indices["000300.SH"]["pre_close"] - 1
    by = {k: r[m.regime == k].mean() for k in (0, 1, 2)}
    assert by[0] > 0.0005 and by[1] < -0.0005 and abs(by[2]) < abs(by[0])
    vol = {k: r[m.regime == k].std() for k in (0, 1, 2)}
    assert vol[2] < vol[1]                                      # ranges are calm, bears are not


def test_volatility_clusters_and_tails_are_fat(sdb):
    from panhuo.simulate.stats import index_facts, market_panel, panel_facts

    r = np.array([x for (x,) in sdb.execute("""SELECT close / pre_close - 1 FROM bars WHERE volume > 0
                  AND symbol NOT IN ('000001.SH', '000300.SH') ORDER BY symbol, trade_date""").fetchall()])
    z = (r - r.mean()) / r.std()
    assert (z**4).mean() - 3 > 1.0                              # excess kurtosis
    days = trading_days(date(2014, 1, 1), date(2023, 12, 31))
    m = build_market(20261128, 80, days, len(days))
    stocks = panel_facts(market_panel(m))
    assert stocks["ACF(|r|) lag 1"] > 0.08 and stocks["ACF(|r|) lag 20"] > 0.02
    assert 0.1 < stocks["limit-up closes (% of days)"] < 3
    assert stocks["same-industry correlation"] > stocks["cross-industry correlation"] + 0.05
    index = index_facts(m.indices["000300.SH"]["close"])
    assert index["index ACF(|r|) lag 1"] > 0.08 and index["index excess kurtosis"] > 1


def test_market_statistics_are_close_to_real_a_shares():
    """The headline facts of docs/simulator.md, within a factor of the real main-board panel."""
    from panhuo.simulate.stats import baostock_panel, market_panel, panel_facts
    from tests.conftest import shared_data

    data = shared_data("ashare_csi300_daily_baostock").parent
    days = trading_days(date(2020, 1, 2), date(2023, 12, 29))
    sim = panel_facts(market_panel(build_market(20261128, 150, days, len(days))))
    real = panel_facts(baostock_panel(data))
    for key, factor in (("daily return std (%)", 1.3), ("share of |r| > 5% (%)", 1.6),
                        ("ACF(|r|) lag 1", 2.5), ("limit-up closes (% of days)", 2.5),
                        ("limit-down closes (% of days)", 2.5), ("mean pairwise correlation", 1.6)):
        assert real[key] / factor < sim[key] < real[key] * factor, (key, sim[key], real[key])


def test_calendar_and_stamp_duty_by_date():
    days = trading_days(date(2024, 1, 1), date(2024, 12, 31))
    assert 235 <= len(days) <= 250
    assert np.datetime64("2024-10-01") not in days and np.datetime64("2024-02-12") not in days
    assert month_end_mask(days).sum() == 12
    rates = stamp_duty_rate(np.array(["2023-08-25", "2023-08-28"], dtype="datetime64[D]"))
    assert rates.tolist() == [0.001, 0.0005]
