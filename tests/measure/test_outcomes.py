"""Success measures on a tiny hand-written timeline: windows, caps, the assets measure and the churning flag."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from panhuo.measure.outcomes import MemberRow, member_outcomes, style_ceiling

LAUNCH = date(2026, 6, 1)


def _trade(wh, n, cid, day, amount, symbol="600000.SH", commission=5.0):
    wh.execute("INSERT INTO trades (trade_id, client_id, trade_date, symbol, side, quantity, price, amount, "
               "commission, stamp_duty, transfer_fee, channel) VALUES (?, ?, ?, ?, 'B', 100, 10, ?, ?, 0, 0, 'online')",
               [f"T{n}", cid, day, symbol, amount, commission])


def _assets(wh, cid, start, days, value):
    for i in range(days):
        wh.execute("INSERT INTO daily_assets (client_id, date, cash, market_value, total_assets, net_transfer) "
                   "VALUES (?, ?, ?, 0, ?, 0)", [cid, start + timedelta(days=i), value, value])


@pytest.fixture
def timeline(warehouse):
    wh = warehouse
    # quiet before, two trades (two symbols, two days) after launch
    _trade(wh, 1, "C1", LAUNCH + timedelta(days=3), 20_000)
    _trade(wh, 2, "C1", LAUNCH + timedelta(days=9), 10_000, symbol="000001.SZ")
    # traded before, nothing after: one day before launch, and one just outside the window after
    _trade(wh, 3, "C2", LAUNCH, 50_000)
    _trade(wh, 4, "C2", LAUNCH + timedelta(days=31), 50_000)
    # a burst after launch: 3,000,000 on 100,000 of assets (turnover 30 in a month)
    for i in range(10):
        _trade(wh, 10 + i, "C3", LAUNCH + timedelta(days=1 + i), 300_000, commission=90.0)
    _trade(wh, 30, "C3", LAUNCH - timedelta(days=10), 10_000)
    _assets(wh, "C1", LAUNCH - timedelta(days=40), 80, 100_000)
    _assets(wh, "C2", LAUNCH - timedelta(days=40), 40, 100_000)          # ends at launch: assets not retained
    _assets(wh, "C2", LAUNCH, 1, 100_000)
    _assets(wh, "C3", LAUNCH - timedelta(days=40), 80, 100_000)
    return wh


MEMBERS = [MemberRow("C1", "long_term", "C3"), MemberRow("C2", "long_term", "C4"), MemberRow("C3", "long_term", "C2"),
           MemberRow("C9")]


def _by_id(rows):
    return {r["client_id"]: r for r in rows}


def test_resumed_within_the_window(timeline):
    r = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="resumed"))
    assert [r[c]["outcome"] for c in ("C1", "C2", "C3", "C9")] == [1.0, 0.0, 1.0, 0.0]
    assert r["C2"]["before"] == 1.0 and r["C1"]["before"] == 0.0


def test_change_measures_are_capped(timeline):
    amount = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="amount"))
    assert amount["C1"]["outcome"] == 30_000 and amount["C2"]["outcome"] == -50_000
    assert amount["C3"]["outcome"] == 500_000                       # 2,990,000 more, capped at the default
    inst = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="instruments"))
    assert inst["C1"]["outcome"] == 2
    days = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="trading_days",
                                  cap=3))
    assert days["C3"]["outcome"] == 3 and days["C3"]["before"] == 1
    comm = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="commission"))
    assert comm["C1"]["outcome"] == pytest.approx(10.0)


def test_assets_retained(timeline):
    r = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="assets"))
    assert r["C1"]["outcome"] == 1.0 and r["C9"]["outcome"] == 0.0


def test_turnover_jump_beyond_style_is_flagged(timeline):
    r = _by_id(member_outcomes(timeline, members=MEMBERS, launch=LAUNCH, window_days=30, measure="resumed"))
    assert r["C3"]["turnover_flag"] and not r["C1"]["turnover_flag"] and not r["C9"]["turnover_flag"]
    assert style_ceiling("long_term", "C2") == style_ceiling("long_term", "C4") / 2
    assert style_ceiling("high_frequency", "C5") == float("inf")


def test_bad_measure_is_refused(warehouse):
    with pytest.raises(ValueError):
        member_outcomes(warehouse, members=MEMBERS, launch=LAUNCH, window_days=30, measure="volume")
