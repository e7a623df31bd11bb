"""Rebuild the client_days / client_symbols aggregates from trades, in SQL on the warehouse.

The import maintains these incrementally; this full rebuild (or a rebuild of a date range) is what tests,
the benchmark and a repair after a bad load use. `since` limits the work to trades on or after a date and
merges into what is already there, which is the daily increment the import needs.
"""

from __future__ import annotations

from datetime import date

from panhuo.warehouse import Warehouse


def refresh_aggregates(wh: Warehouse, *, since: date | None = None) -> dict[str, int]:
    """Rebuild client_days and client_symbols from trades (all of them, or those on/after `since`)."""
    where = "WHERE trade_date >= $since" if since else ""
    params = {"since": since} if since else None
    with wh.transaction() as con:
        if since:
            con.execute("DELETE FROM client_days WHERE trade_date >= $since", params)
        else:
            con.execute("DELETE FROM client_days")
            con.execute("DELETE FROM client_symbols")
        con.execute(f"""
            INSERT INTO client_days
            SELECT client_id, trade_date, count(*)::INTEGER, sum(amount), sum(coalesce(commission, 0)),
                   sum(CASE WHEN side = 'B' THEN amount ELSE 0 END),
                   sum(CASE WHEN side = 'S' THEN amount ELSE 0 END)
            FROM trades {where} GROUP BY client_id, trade_date""", params)
        # A day rebuilt from `since` can only widen a symbol's (first, last) interval, so merge by min/max:
        # UPDATE the known pairs, INSERT the new ones (the table has no key index to ON CONFLICT against).
        con.execute(f"""CREATE TEMP TABLE agg_pairs AS SELECT client_id, symbol, min(trade_date) AS f,
            max(trade_date) AS l FROM trades {where} GROUP BY client_id, symbol""", params)
        con.execute("""UPDATE client_symbols o SET first_trade_date = least(o.first_trade_date, n.f),
            last_trade_date = greatest(o.last_trade_date, n.l) FROM agg_pairs n
            WHERE o.client_id = n.client_id AND o.symbol = n.symbol""")
        con.execute("""INSERT INTO client_symbols SELECT n.client_id, n.symbol, n.f, n.l FROM agg_pairs n
            ANTI JOIN client_symbols o ON o.client_id = n.client_id AND o.symbol = n.symbol""")
        con.execute("DROP TABLE agg_pairs")
    return {t: wh.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("client_days", "client_symbols")}
