"""Rebuild the client_days / client_symbols / client_life aggregates from trades, in SQL on the warehouse.

The import maintains these incrementally; this full rebuild (or a rebuild of a date range) is what tests,
the benchmark and a repair after a bad load use. `since` limits the work to the days on or after a date (and
the symbol pairs they touch), for a repair of recent days.
"""

from __future__ import annotations

from datetime import date

from panhuo.warehouse import Warehouse
from panhuo.warehouse.money import DAY_SUMS
from panhuo.warehouse.schema import LIFE_SQL


def refresh_aggregates(wh: Warehouse, *, since: date | None = None) -> dict[str, int]:
    """Rebuild client_days and client_symbols from trades (all of them, or those on/after `since`), and
    client_life from client_days."""
    where = "WHERE trade_date >= $since" if since else ""
    params = {"since": since} if since else None
    with wh.transaction() as con:
        if since:
            con.execute("DELETE FROM client_days WHERE trade_date >= $since", params)
        else:
            con.execute("DELETE FROM client_days")
            con.execute("DELETE FROM client_symbols")
        # in date order, as a store the import fills day by day holds them: a window over the recent days then
        # reads the row groups of those days only
        con.execute(f"""
            INSERT INTO client_days
            SELECT client_id, trade_date, {DAY_SUMS}
            FROM trades {where} GROUP BY client_id, trade_date ORDER BY trade_date""", params)
        con.execute("DELETE FROM client_life")
        con.execute(f"INSERT INTO client_life {LIFE_SQL.format(days='client_days', where='')}")
        if not since:
            con.execute("""INSERT INTO client_symbols SELECT client_id, symbol, min(trade_date), max(trade_date)
                FROM trades GROUP BY client_id, symbol""")
            return _counts(wh)
        # every (client, symbol) pair with a trade since `since`, or whose last trade was on or after it (a
        # corrected day may have removed it), is recomputed from all its trades; pairs left with none vanish
        con.execute("""CREATE TEMP TABLE agg_pairs AS
            SELECT DISTINCT client_id, symbol FROM trades WHERE trade_date >= $since
            UNION SELECT client_id, symbol FROM client_symbols WHERE last_trade_date >= $since""", params)
        con.execute("""DELETE FROM client_symbols o USING agg_pairs p
            WHERE o.client_id = p.client_id AND o.symbol = p.symbol""")
        con.execute("""INSERT INTO client_symbols SELECT t.client_id, t.symbol, min(t.trade_date), max(t.trade_date)
            FROM trades t SEMI JOIN agg_pairs p ON t.client_id = p.client_id AND t.symbol = p.symbol
            GROUP BY t.client_id, t.symbol""")
        con.execute("DROP TABLE agg_pairs")
    return _counts(wh)


def _counts(wh: Warehouse) -> dict[str, int]:
    return {t: wh.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("client_days", "client_symbols", "client_life")}
