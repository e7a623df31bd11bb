"""The vectorised backtester: A-share rules on hand-made panels, and agreement with the event-loop reference."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from panhuo.market.backtest import BacktestConfig, run_backtest
from panhuo.market.metrics import compute_metrics
from panhuo.market.signals import Signals
from tests.market.helpers import tiny_panel
from tests.market.reference_backtest import reference_backtest


def _signals(panel, entries=(), exits=(), max_hold=0, score=None):
    T, N = panel.shape
    e = np.zeros((T, N), bool)
    x = np.zeros((T, N), bool)
    col = {s: j for j, s in enumerate(panel.symbols)}
    for t, s in entries:
        e[t, col[s]] = True
    for t, s in exits:
        x[t, col[s]] = True
    return Signals(e, x, np.zeros((T, N)) if score is None else score, max_hold)


def _fills(result):
    return [(str(r["date"]), r["symbol"], r["side"], r["quantity"], r["price"]) for r in result.fills.iter_rows(named=True)]


def test_t_plus_one_buy_at_next_open_sell_no_earlier_than_next_day():
    p, d = tiny_panel({"600000.SH": [10.0, (10.1, 10.2), (10.3, 10.4), (10.5, 10.5), 10.5]})
    s = _signals(p, entries=[(0, "600000.SH")], exits=[(0, "600000.SH"), (1, "600000.SH")])
    r = run_backtest(p, s, start=d[1], end=d[4], config=BacktestConfig(capital=100_000, max_positions=1))
    # exit signals of day 0 cannot sell the shares bought on day 1 (sells come first, nothing is held yet);
    # the exit signal of day 1 sells at day 2's open, never on the buying day itself.
    assert _fills(r) == [(str(d[1]), "600000.SH", "B", 9800, 10.1), (str(d[2]), "600000.SH", "S", 9800, 10.3)]


def test_no_buy_at_limit_up_no_sell_at_limit_down():
    # day 1 opens at the +10 % limit (11.00 from 10.00): no buy; day 2 opens below: buy.
    p, d = tiny_panel({"000001.SZ": [10.0, (11.0, 11.0), (10.8, 10.9), (9.81, 9.81), (9.5, 9.6)]})
    s = _signals(p, entries=[(0, "000001.SZ"), (1, "000001.SZ")], exits=[(2, "000001.SZ")])
    r = run_backtest(p, s, start=d[1], end=d[4], config=BacktestConfig(capital=100_000, max_positions=1))
    fills = _fills(r)
    assert fills[0][:3] == (str(d[2]), "000001.SZ", "B")
    # day 3 opens at the limit-down price 9.81 (= 10.9 × 0.9): the sell stays pending to day 4
    assert fills[1][:3] == (str(d[4]), "000001.SZ", "S") and fills[1][4] == 9.5


@pytest.mark.parametrize("backtest", ["fast", "reference"])
def test_a_qfq_open_a_cent_off_the_limit_is_at_the_limit(backtest):
    """Forward-adjusted prices are rescaled and rounded again: from a qfq pre_close of 9.87 the limit-up is
    10.86 (10.857 rounded), and an open of 10.85 really sat at the limit, so it is not bought; 10.84 is. Then
    from a close of 10.00 the limit-down is 9.00: an open of 9.01 is at it (the sell waits), 9.02 sells."""
    run = run_backtest if backtest == "fast" else reference_backtest

    def fills(prices, entries=(), exits=()):
        p, d = tiny_panel({"600000.SH": prices})
        s = _signals(p, entries=entries, exits=exits)
        out = run(p, s, start=d[1], end=d[-1], config=BacktestConfig(capital=100_000, max_positions=1))
        rows = (out.fills if backtest == "fast" else out[0]).iter_rows(named=True)
        return [(d.index(r["date"]), r["side"], r["price"]) for r in rows]

    assert fills([9.87, (10.85, 10.85)], entries=[(0, "600000.SH")]) == []
    assert fills([9.87, (10.84, 10.84)], entries=[(0, "600000.SH")]) == [(1, "B", 10.84)]
    # bought on day 1 at 10.00, exit signal on day 1: day 2 opens a cent over the limit-down (9.00), day 3 sells
    assert fills([10.0, (10.0, 10.0), (9.01, 9.01), (9.1, 9.1)], entries=[(0, "600000.SH")],
                 exits=[(1, "600000.SH")]) == [(1, "B", 10.0), (3, "S", 9.1)]
    assert fills([10.0, (10.0, 10.0), (9.02, 9.02), (9.1, 9.1)], entries=[(0, "600000.SH")],
                 exits=[(1, "600000.SH")]) == [(1, "B", 10.0), (2, "S", 9.02)]


def test_limit_checks_are_tolerant_by_a_cent_and_never_fire_without_a_limit():
    from panhuo.market import rules

    up, down = rules.price_limits(np.array([9.87, 9.87]), np.array(["main"] * 2), np.zeros(2, bool),
                                  np.array(["2023-01-03"] * 2, dtype="datetime64[D]"),
                                  np.array(["2010-01-04"] * 2, dtype="datetime64[D]"), np.array([500, 500]),
                                  no_limit=np.array([False, True]))
    assert up[0] == 10.86 and down[0] == 8.88 and np.isinf(up[1])
    assert rules.at_limit_up(np.array([10.86, 10.85, 10.84]), up[0]).tolist() == [True, True, False]
    assert rules.at_limit_down(np.array([8.88, 8.89, 8.90]), down[0]).tolist() == [True, True, False]
    assert not rules.at_limit_up(10_000.0, up[1]) and not rules.at_limit_down(0.01, down[1])
    assert not rules.at_limit_up(np.nan, up[0]) and not rules.at_limit_down(np.nan, down[0])


def test_st_stock_has_five_percent_limit():
    p, d = tiny_panel({"600001.SH": [10.0, (10.5, 10.5), (10.6, 10.6)]}, st={"600001.SH": [0, 1, 2]})
    s = _signals(p, entries=[(0, "600001.SH"), (1, "600001.SH")])
    r = run_backtest(p, s, start=d[1], end=d[2], config=BacktestConfig(capital=100_000, max_positions=1))
    assert _fills(r)[0][0] == str(d[2])     # 10.50 is the ST limit-up on day 1


def test_suspended_days_do_not_trade():
    p, d = tiny_panel({"600000.SH": [10.0, 10.0, 10.2, 10.4, 10.6]}, suspended={"600000.SH": [1, 2]})
    s = _signals(p, entries=[(0, "600000.SH")])
    r = run_backtest(p, s, start=d[1], end=d[4], config=BacktestConfig(capital=100_000, max_positions=1))
    assert r.fills.height == 0              # entry of day 0 expires; nothing trades while suspended
    s = _signals(p, entries=[(0, "600000.SH"), (1, "600000.SH"), (2, "600000.SH")])
    r = run_backtest(p, s, start=d[1], end=d[4], config=BacktestConfig(capital=100_000, max_positions=1))
    assert _fills(r)[0][0] == str(d[3])


def test_lots_fees_and_stamp_duty_by_date():
    # 2023-08-21 start: sell on Fri 2023-08-25 pays 0.1 %, sell on Mon 2023-08-28 pays 0.05 %.
    p, d = tiny_panel({"600000.SH": [10.0] * 7, "600004.SH": [10.0] * 7})
    assert str(d[4]) == "2023-08-25" and str(d[5]) == "2023-08-28"
    s = _signals(p, entries=[(0, "600000.SH"), (0, "600004.SH")], exits=[(3, "600000.SH"), (4, "600004.SH")])
    r = run_backtest(p, s, start=d[1], end=d[6], config=BacktestConfig(capital=20_005, max_positions=2))
    f = r.fills
    buys = f.filter(pl.col("side") == "B")
    assert (buys["quantity"] % 100 == 0).all() and buys["quantity"].to_list() == [900, 900]
    assert buys["commission"].to_list() == [5.0, 5.0]                       # 5 CNY minimum
    assert buys["stamp_duty"].to_list() == [0.0, 0.0]
    sells = f.filter(pl.col("side") == "S").sort("date")
    assert sells["stamp_duty"].to_list() == pytest.approx([9.0, 4.5])
    assert sells["transfer_fee"].to_list() == pytest.approx([0.09, 0.09])
    cash_end = 20_005 - 2 * (9000 + 5 + 0.09) + 2 * 9000 - 2 * 5 - 9.0 - 4.5 - 2 * 0.09
    assert r.equity[-1] == pytest.approx(cash_end)


def test_position_cap_limits_exposure():
    p, d = tiny_panel({s: [10.0] * 4 for s in ("600000.SH", "600004.SH", "600006.SH", "600007.SH")})
    s = _signals(p, entries=[(0, x) for x in p.symbols])
    r = run_backtest(p, s, start=d[1], end=d[3], position_cap=0.25, config=BacktestConfig(capital=1_000_000, max_positions=4))
    assert r.exposure.max() <= 0.25 + 1e-9 and r.exposure[0] > 0.24
    full = run_backtest(p, s, start=d[1], end=d[3], config=BacktestConfig(capital=1_000_000, max_positions=4))
    assert full.exposure[0] > 0.99


def test_metrics_by_hand():
    p, d = tiny_panel({"600000.SH": [10.0, 10.0, 11.0, 9.9, 9.9, 10.89]})
    s = _signals(p, entries=[(0, "600000.SH")])
    r = run_backtest(p, s, start=d[1], end=d[5], config=BacktestConfig(capital=1_000_000, max_positions=1))
    m = compute_metrics(r, np.array(["", "weak", "weak", "strong", "strong", "strong"], dtype=object), p.dates)
    eq = np.concatenate([[1_000_000], r.equity])
    assert m["overall"].max_drawdown == pytest.approx(1 - eq[3] / eq[2])
    assert m["overall"].annual_return == pytest.approx((eq[-1] / eq[0]) ** (252 / 5) - 1)
    assert set(m["by_regime"]) == {"weak", "strong"}     # the regime known at the previous close
    assert m["by_regime"]["weak"].days == 2 and m["by_regime"]["strong"].days == 2
    buy = r.fills["amount"][0]
    assert m["overall"].turnover_per_year == pytest.approx(buy / 2 / r.equity.mean() * 252 / 5)


def _random_signals(panel, seed):
    rng = np.random.default_rng(seed)
    T, N = panel.shape
    return Signals(rng.random((T, N)) < 0.08, rng.random((T, N)) < 0.15, rng.normal(size=(T, N)),
                   max_hold=int(rng.integers(0, 8)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_equals_event_loop_on_synthetic_panel(seed):
    rng = np.random.default_rng(seed)
    syms = ["600000.SH", "000001.SZ", "300750.SZ", "688981.SH", "600519.SH", "002594.SZ"]
    prices = {}
    for s in syms:
        c = 20 * np.exp(np.cumsum(rng.normal(0, 0.04, 80)))
        c = np.round(c, 2)
        o = np.round(np.concatenate([[c[0]], c[:-1]]) * np.exp(rng.normal(0, 0.02, 80)), 2)
        prices[s] = list(zip(o, c, strict=True))
    p, d = tiny_panel(prices, start=date(2023, 6, 1), suspended={"600519.SH": [10, 11, 12]}, st={"000001.SZ": list(range(30))})
    sig = _random_signals(p, seed)
    cap = np.where(np.arange(80) % 20 < 10, 0.75, 0.25)
    cfg = BacktestConfig(capital=500_000, max_positions=3)
    r = run_backtest(p, sig, start=d[1], end=d[-1], position_cap=cap, config=cfg)
    fills, equity = reference_backtest(p, sig, start=d[1], end=d[-1], position_cap=cap, config=cfg)
    assert r.fills.height > 10
    assert r.fills.equals(fills)
    np.testing.assert_allclose(r.equity, equity, rtol=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_star_and_beijing_order_sizes_identical_in_both_backtesters(seed):
    """STAR buys ≥ 200 shares in 1-share steps, Beijing ≥ 100 in 1-share steps, main/ChiNext whole lots;
    the vectorised backtester and the event loop agree fill for fill, and every position sells in full."""
    rng = np.random.default_rng(seed)
    syms = ["688981.SH", "688599.SH", "830799.BJ", "920002.BJ", "600000.SH", "300750.SZ"]
    prices = {}
    for s in syms:
        c = np.round(rng.uniform(8, 150) * np.exp(np.cumsum(rng.normal(0, 0.04, 60))), 2)
        o = np.round(np.concatenate([[c[0]], c[:-1]]) * np.exp(rng.normal(0, 0.02, 60)), 2)
        prices[s] = list(zip(o, c, strict=True))
    p, d = tiny_panel(prices, start=date(2023, 6, 1))
    board = dict(zip(p.symbols, p.board, strict=True))
    assert [board[s] for s in syms] == ["star", "star", "bse", "bse", "main", "chinext"]
    sig = _random_signals(p, seed)
    cfg = BacktestConfig(capital=300_000, max_positions=4)
    r = run_backtest(p, sig, start=d[1], end=d[-1], config=cfg)
    fills, equity = reference_backtest(p, sig, start=d[1], end=d[-1], config=cfg)
    assert r.fills.equals(fills)
    np.testing.assert_allclose(r.equity, equity, rtol=1e-12)
    buys = r.fills.filter(pl.col("side") == "B")
    q = {b: buys.filter(pl.col("symbol").replace_strict(board) == b)["quantity"].to_numpy() for b in ("star", "bse", "main", "chinext")}
    assert q["star"].size and q["bse"].size
    assert (q["star"] >= 200).all() and (q["bse"] >= 100).all()
    assert (q["star"] % 100 != 0).any() and (q["bse"] % 100 != 0).any()     # single-share steps are used
    assert all((q[b] % 100 == 0).all() for b in ("main", "chinext"))
    net = r.fills.with_columns(pl.when(pl.col("side") == "B").then(pl.col("quantity")).otherwise(-pl.col("quantity")).alias("n"))
    left = net.group_by("symbol").agg(pl.col("n").sum(), pl.col("side").last())
    assert left.filter(pl.col("side") == "S")["n"].to_list() == [0] * left.filter(pl.col("side") == "S").height
