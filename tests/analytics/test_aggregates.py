"""refresh_aggregates(since=…) — the repair of recent days — leaves the same aggregates as a full rebuild."""

from __future__ import annotations

from datetime import date

from panhuo.analytics.aggregates import refresh_aggregates
from tests.analytics import timeline


def _tables(wh):
    return {t: wh.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("client_days", "client_symbols", "client_life")}


def test_a_repair_since_a_day_matches_a_full_rebuild_when_trades_were_removed_and_added(warehouse):
    timeline.load(warehouse)
    # a corrected 2024-06-27 drops C1's 600000.SH buy there (its last trade of that symbol) and adds a new pair
    warehouse.con.execute("DELETE FROM trades WHERE client_id = 'C1' AND symbol = '600000.SH' "
                          "AND trade_date = DATE '2024-06-27'")
    warehouse.con.execute("INSERT INTO trades SELECT 'TNEW', 'C1', DATE '2024-06-27', '601318.SH', 'B', 100, 50.0, "
                          "5000.0, 5.0, 0, 0, 'online'")
    refresh_aggregates(warehouse, since=date(2024, 6, 27))
    repaired = _tables(warehouse)
    refresh_aggregates(warehouse)
    assert repaired == _tables(warehouse)
    assert ("C1", "600000.SH", date(2023, 9, 1), date(2023, 12, 15)) in repaired["client_symbols"]
