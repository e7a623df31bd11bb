"""Features and segments of the hand-written timeline (tests/analytics/timeline.py), worked out by hand."""

from __future__ import annotations

from datetime import date

import pyarrow.compute as pc
import pytest

from panhuo.analytics.engines import DuckDBEngine
from panhuo.analytics.pipeline import features_and_segments, latest_data_date
from panhuo.analytics.segments import label, segments_sql
from tests.analytics import timeline


@pytest.fixture
def rows(warehouse):
    timeline.load(warehouse)
    table = features_and_segments(DuckDBEngine(warehouse), timeline.AS_OF)
    return {r["client_id"]: r for r in table.to_pylist()}


def test_one_row_per_client_and_latest_date(rows, warehouse):
    assert sorted(rows) == [c for c, _ in timeline.CLIENTS]
    assert latest_data_date(warehouse) == timeline.AS_OF


def test_trading_windows_of_the_active_trader(rows):
    c1 = rows["C1"]
    assert c1["days_since_last_trade"] == 1 and c1["last_trade_date"] == date(2024, 6, 27)
    # 30 days = (05-29, 06-28]: 06-10 and 06-27 (two trades that day)
    assert (c1["trading_days_30d"], c1["trades_30d"], c1["amount_30d"], c1["commission_30d"]) == (2, 3, 165000, 55)
    assert (c1["trading_days_90d"], c1["trades_90d"], c1["amount_90d"], c1["commission_90d"]) == (3, 4, 177000, 60)
    assert (c1["trading_days_180d"], c1["trading_days_365d"], c1["trades_365d"]) == (4, 6, 7)
    assert (c1["amount_365d"], c1["commission_365d"]) == (212500, 76)
    assert (c1["symbols_traded_90d"], c1["symbols_traded_365d"]) == (3, 3)


def test_turnover_assets_and_returns(rows):
    c1 = rows["C1"]
    # 6 months = (2023-12-29, 2024-06-28]: 197,000 traded over average assets (120k+130k+125k)/3
    assert c1["turnover_6m"] == pytest.approx(197000 / 125000)
    assert (c1["assets_now"], c1["assets_30d_ago"], c1["assets_90d_ago"], c1["assets_180d_ago"]) == \
        (125000, 130000, 120000, 110000)
    assert c1["peak_assets_365d"] == 130000
    assert c1["drawdown_from_peak"] == pytest.approx(1 - 125000 / 130000)
    assert c1["return_ytd"] == pytest.approx(15000 / 110000)
    assert c1["csi300_return_ytd"] == pytest.approx(3461.74 / 3431.35 - 1)
    assert c1["excess_return_ytd"] == pytest.approx(15000 / 110000 - (3461.74 / 3431.35 - 1))
    assert c1["position_level"] == pytest.approx(0.8)
    assert c1["unrealised_pnl_pct"] == pytest.approx(100000 / (1500 * 9.5 + 1500 * 10.6 + 100 * 1500) - 1)
    assert c1["instruments_held"] == 3
    # no assets 90 days ago (C5 opened in May): no 90-day return rather than an invented one
    assert rows["C5"]["assets_90d_ago"] is None and rows["C5"]["return_90d"] is None


def test_signs_of_winding_down(rows):
    c6 = rows["C6"]
    # last buy 06-03; in (03-30, 06-28] it bought 23,000 of 77,000 traded (the 04-15 sale was 54,000)
    assert c6["days_since_last_buy"] == 25 and c6["buy_amount_90d"] == 23000 and c6["amount_90d"] == 77000
    # its only deposit was on 01-10, outside the 90 days
    assert c6["days_since_last_deposit"] == 170 and c6["transfers_in_90d"] == 0
    assert rows["C5"]["transfers_in_90d"] == 1 and rows["C5"]["days_since_last_deposit"] == 57
    assert rows["C7"]["days_since_last_buy"] is None and rows["C7"]["days_since_last_deposit"] is None


def test_transfers_and_share_moved_out(rows):
    c6 = rows["C6"]
    assert c6["net_transfer_90d"] == -120000 and c6["net_transfer_30d"] == 0 and c6["transfer_out_90d"] == 120000
    assert c6["moved_out_share_90d"] == pytest.approx(0.6)
    # (80,000 - 200,000 + 120,000) / (200,000 - 60,000): the money moved out is not a loss
    assert c6["return_90d"] == pytest.approx(0.0)
    assert rows["C5"]["net_transfer_90d"] == 20000 and rows["C5"]["moved_out_share_90d"] == 0


def test_old_position_snapshot_does_not_count(rows):
    assert rows["C7"]["instruments_held"] == 0 and rows["C7"]["unrealised_pnl_pct"] is None


def _contact(r: dict) -> tuple:
    return r["days_since_last_contact"], r["contacts_90d"], r["reached_90d"]


def test_contacts_taken_as_of_the_date(rows):
    # C2: 04-15 (interested) and 06-01 (reached) in the 90 days; the 2024-07-05 contact is in the future
    assert _contact(rows["C2"]) == (27, 2, 2)
    assert _contact(rows["C1"]) == (0, 1, 0)            # called late on the as-of date, not reached
    assert _contact(rows["C6"]) == (119, 0, 0)          # last spoken to on 03-01, before the 90 days
    # a campaign's automatic send is not the advisor's contact; never contacted is NULL, not a number
    assert _contact(rows["C3"]) == (None, 0, 0)
    assert all(_contact(rows[c]) == (None, 0, 0) for c in ("C4", "C5", "C7"))


def test_contacts_after_the_date_are_not_seen(warehouse):
    timeline.load(warehouse)
    before = {r["client_id"]: r for r in features_and_segments(DuckDBEngine(warehouse), date(2024, 5, 31)).to_pylist()}
    assert _contact(before["C2"]) == (46, 1, 1)         # only 04-15: neither 06-01 nor 07-05 has happened
    assert _contact(before["C1"]) == (None, 0, 0)
    later = {r["client_id"]: r for r in features_and_segments(DuckDBEngine(warehouse), date(2024, 7, 20)).to_pylist()}
    assert _contact(later["C2"]) == (15, 2, 2)          # 06-01 and 07-05; 04-15 has left the 90 days


def test_questionnaire_taken_as_of_the_date(rows):
    assert rows["C1"]["questionnaire_score"] == 40 and not rows["C1"]["personality_inferred"]
    assert rows["C1"]["personality"] == "aggressive"
    assert rows["C6"]["personality_inferred"]


def test_no_contacts_logged_leaves_recency_null(warehouse):
    timeline.load(warehouse, with_optional=False)
    rows = features_and_segments(DuckDBEngine(warehouse), timeline.AS_OF).to_pylist()
    assert all(_contact(r) == (None, 0, 0) and r["personality_inferred"] for r in rows)
    # a store without the contacts table at all (opened read-only before it existed): unknown, not zero
    rows = DuckDBEngine(warehouse).query(segments_sql(timeline.AS_OF)).to_pylist()
    assert all(_contact(r) == (None, None, None) for r in rows)


def test_segments(rows):
    tiers = {c: r["tier"] for c, r in rows.items()}
    # seven clients with assets: VIP = ceil(20% of 7) = 2 largest, core up to ceil(50% of 7) = 4
    assert tiers == {"C1": "vip", "C6": "vip", "C2": "core", "C5": "core", "C7": "mass", "C3": "mass", "C4": "mass"}
    # commission 76, 15, 7.5, 5, 5 of 108.5: the first two reach 80%, the next two start below 95%
    value = {c: r["value_tier"] for c, r in rows.items()}
    assert value == {"C1": "high", "C6": "high", "C2": "medium", "C3": "medium", "C5": "low", "C4": "none",
                     "C7": "none"}
    life = {c: r["lifecycle"] for c, r in rows.items()}
    assert life == {"C1": "active", "C2": "dormant", "C3": "lost", "C4": "lost", "C5": "new", "C6": "declining",
                    "C7": "dormant"}
    assert {c: r["position_band"] for c, r in rows.items() if c in ("C1", "C3", "C6")} == \
        {"C1": "heavy", "C3": "medium", "C6": "light"}
    assert {c: r["profit_state"] for c, r in rows.items()} == {
        "C1": "loss", "C2": "profit", "C3": "loss", "C4": "unknown", "C5": "profit", "C6": "flat", "C7": "unknown"}
    assert rows["C1"]["trading_style"] == "long_term"


def test_business_dormancy_is_not_chinaclear_dormancy(rows):
    dormant = {c for c, r in rows.items() if r["is_dormant"]}
    chinaclear = {c for c, r in rows.items() if r["is_chinaclear_dormant"]}
    assert dormant == {"C2", "C7"}           # >= 180 days without a trade and >= 1,000 CNY
    assert chinaclear == {"C4"}              # nothing held, 50 CNY cash, no trade for a year


def test_dormancy_rule_is_configurable(warehouse):
    from panhuo.analytics.segments import load_config, segments_sql

    timeline.load(warehouse)
    cfg = {**load_config(), "dormancy": {**load_config()["dormancy"], "min_days_without_trade": 300}}
    rows = DuckDBEngine(warehouse).query(segments_sql(timeline.AS_OF, cfg)).to_pylist()
    assert {r["client_id"] for r in rows if r["is_dormant"]} == {"C7"}   # C2's 263 days no longer qualify


def test_history_is_computed_as_of_an_earlier_date(warehouse):
    timeline.load(warehouse)
    rows = {r["client_id"]: r for r in
            features_and_segments(DuckDBEngine(warehouse), date(2024, 3, 31)).to_pylist()}
    assert "C5" not in rows                         # not yet a client
    assert rows["C1"]["last_trade_date"] == date(2024, 3, 1) and rows["C1"]["days_since_last_trade"] == 30
    assert rows["C6"]["assets_now"] == 200000 and rows["C6"]["moved_out_share_90d"] == 0


def test_labels_in_both_languages():
    assert label("lifecycle", "dormant") == "休眠" and label("lifecycle", "dormant", "en") == "Dormant"
    assert label("tier", "vip", "en") == "VIP" and label("profit_state", "profit") == "盈利"
    assert label("trading_style", "high_frequency") == "高频交易"


def test_lifetime_figures_from_client_life_equal_the_days_grouped(warehouse, tmp_path):
    """The nightly features read the import's client_life instead of grouping every client_days row: the same
    table to the last bit on a simulated branch, and only where client_life is in step."""
    from panhuo.analytics.features import features_sql
    from panhuo.analytics.pipeline import life_in_step
    from tests.analytics.simbranch import simulated_branch

    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=600, years=1.5)
    eng = DuckDBEngine(warehouse)
    assert life_in_step(eng, as_of)
    kw = {"has_contacts": False, "has_questionnaires": False}
    from_life = eng.query(features_sql(as_of, life=True, **kw))
    assert from_life.equals(eng.query(features_sql(as_of, life=False, **kw)))
    assert from_life.num_rows > 500 and pc.sum(from_life.column("trading_days_total")).as_py() > 10_000
    # an earlier date: client_life holds later days, so the features group client_days themselves
    assert not life_in_step(eng, date(as_of.year - 1, as_of.month, 1))


def test_days_written_around_client_life_are_not_missed(warehouse):
    """A client_days row written by hand (not by the import or the rebuild) leaves client_life behind: the check
    sees it, and the features count the day."""
    from panhuo.analytics.pipeline import life_in_step

    timeline.load(warehouse)
    eng = DuckDBEngine(warehouse)
    before = {r["client_id"]: r for r in features_and_segments(eng, timeline.AS_OF).to_pylist()}
    assert life_in_step(eng, timeline.AS_OF)
    warehouse.con.execute("INSERT INTO client_days VALUES ('C1', DATE '2020-01-02', 1, 100, 5, 100, 0)")
    assert not life_in_step(eng, timeline.AS_OF)
    after = {r["client_id"]: r for r in features_and_segments(eng, timeline.AS_OF).to_pylist()}
    assert after["C1"]["trading_days_total"] == before["C1"]["trading_days_total"] + 1
    assert after["C1"]["first_trade_date"] == date(2020, 1, 2)


def test_features_then_segments_equal_the_one_query(warehouse, tmp_path):
    """features_and_segments on DuckDB runs the segment steps over the features' own table; the result is the
    one query's (segments_sql), column for column, on a simulated branch."""
    from panhuo.analytics.pipeline import _feature_kw
    from tests.analytics.simbranch import simulated_branch

    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=600, years=1.5)
    eng = DuckDBEngine(warehouse)
    two_steps = features_and_segments(eng, as_of)
    one_query = eng.query(segments_sql(as_of, **_feature_kw(eng, as_of)))
    assert two_steps.num_rows > 500 and two_steps.equals(one_query)
    assert warehouse.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'features'").fetchone() == (0,)
