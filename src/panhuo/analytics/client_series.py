"""Compact per-client series for the client 360 page, computed in bulk from the analytical store.

Pure analytics: no Django. The daily pipeline calls `client_series(wh, as_of=...)` and the workbench's
series_refresh() writes the rows into the operational store, so the web app never scans the facts.

Per client (only clients with any data in the window appear):
  weeks      [[week_end_iso, total_assets_at_week_end, net_transfer_in_week], ...]  (last `days` days)
  transfers  [[date_iso, "in"|"out", amount], ...]                                (last `days` days)
  trade_days [date_iso, ...]                                                      (last `days` days, from client_days)
  positions  [{symbol, name, quantity, cost_price, close_price, market_value, pnl, pnl_pct}, ...]
             at the latest positions date on or before as_of (the same date for everybody)
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

MAX_TRANSFERS = 200   # the chart marks transfers; beyond this many in a year the marks are noise


def _positions_sql(where: str = "TRUE") -> str:
    return f"""
        WITH d AS (SELECT max(as_of_date) AS d FROM positions WHERE as_of_date <= $as_of)
        SELECT p.client_id,
               list(struct_pack(symbol := p.symbol, name := coalesce(i.name, ''), quantity := p.quantity,
                                cost_price := p.cost_price, close_price := p.close_price,
                                market_value := round(p.market_value, 2),
                                pnl := round((p.close_price - p.cost_price) * p.quantity, 2),
                                pnl_pct := CASE WHEN p.cost_price > 0
                                                THEN round(p.close_price / p.cost_price - 1, 4) END)
                    ORDER BY p.market_value DESC) AS positions
        FROM positions p JOIN d ON p.as_of_date = d.d
        LEFT JOIN instruments i ON i.symbol = p.symbol
        WHERE p.quantity > 0 AND {where}
        GROUP BY p.client_id
    """


def client_series(wh, *, as_of: date, days: int = 365) -> dict[str, dict[str, Any]]:
    """{client_id: {weeks, transfers, trade_days, positions}} for every client with data, as of a date: the JSON
    of `client_series_json` read back, so one query defines the series on both stores (the SQLite write takes
    Python objects, the PostgreSQL write the JSON text itself)."""
    out: dict[str, dict[str, Any]] = {}
    for batch in client_series_json(wh, as_of=as_of, days=days):
        for row in batch.to_pylist():
            cid = row.pop("client_id")     # before the dict is built: an assignment evaluates its right side first
            out[cid] = {k: json.loads(v) for k, v in row.items()}
    return out


def client_series_json(wh, *, as_of: date, days: int = 365, batch_rows: int = 50_000, parts: int = 1):
    """The series of `client_series`, as JSON text made inside DuckDB: Arrow record batches of client_id,
    weeks, transfers, trade_days, positions (one row per client with data, "[]" for a part without any).

    For a store that takes JSON text (the PostgreSQL write by COPY): no Python object per point, which at a
    million clients and 52 weeks each is what cost most of the step. `client_series` parses the same JSON.

    `parts` > 1 computes the clients in that many slices (by a hash of the code), one query each, so that a
    reader in another thread can write one slice while DuckDB computes the next."""
    for part in range(parts):
        yield from _series_json_part(wh, as_of=as_of, days=days, batch_rows=batch_rows,
                                     where=f"hash(client_id) % {parts} = {part}" if parts > 1 else "TRUE")


def _series_json_part(wh, *, as_of: date, days: int, batch_rows: int, where: str):
    # list_sort of the aggregated list, not an ordered aggregate (a sort per client): 25-40% less time, the same
    # order since the ISO week end (weeks) and the ISO date (trade_days) are unique within a client and sort as dates.
    weeks = f"""SELECT client_id, to_json(list_transform(
                   list_sort(list(struct_pack(w := strftime(week_end, '%Y-%m-%d'),
                                              a := CAST(coalesce(round(assets, 2), 0) AS DOUBLE),
                                              n := CAST(coalesce(round(net, 2), 0) AS DOUBLE)))),
                   lambda x: [to_json(x.w), to_json(x.a), to_json(x.n)])) AS j
        FROM (SELECT client_id, CAST(date_trunc('week', date) + INTERVAL 6 DAY AS DATE) AS week_end,
                     arg_max(total_assets, date) AS assets, sum(coalesce(net_transfer, 0)) AS net
              FROM daily_assets WHERE date > $start AND date <= $as_of AND {where} GROUP BY ALL)
        GROUP BY client_id"""
    # the latest MAX_TRANSFERS, then by date, direction and amount
    transfers = f"""SELECT client_id, to_json(list([to_json(d), to_json(dir), to_json(amt)] ORDER BY d, dir, amt)) AS j
        FROM (SELECT client_id, strftime(CAST(transfer_time AS DATE), '%Y-%m-%d') AS d, direction AS dir,
                     CAST(round(amount, 2) AS DOUBLE) AS amt,
                     row_number() OVER (PARTITION BY client_id ORDER BY transfer_time DESC) AS k
              FROM transfers WHERE CAST(transfer_time AS DATE) > $start AND CAST(transfer_time AS DATE) <= $as_of
                   AND {where})
        WHERE k <= {MAX_TRANSFERS} GROUP BY client_id"""
    trade_days = f"""SELECT client_id, to_json(list_sort(list(strftime(trade_date, '%Y-%m-%d')))) AS j
        FROM client_days WHERE trade_date > $start AND trade_date <= $as_of AND {where} GROUP BY client_id"""
    positions = f"SELECT client_id, to_json(positions) AS j FROM ({_positions_sql(where.replace('client_id', 'p.client_id'))})"
    sql = f"""SELECT client_id, CAST(coalesce(w.j, '[]') AS VARCHAR) AS weeks, CAST(coalesce(t.j, '[]') AS VARCHAR) AS transfers,
                     CAST(coalesce(d.j, '[]') AS VARCHAR) AS trade_days, CAST(coalesce(p.j, '[]') AS VARCHAR) AS positions
        FROM ({weeks}) w FULL JOIN ({transfers}) t USING (client_id) FULL JOIN ({trade_days}) d USING (client_id)
             FULL JOIN ({positions}) p USING (client_id)"""
    params = {"as_of": as_of, "start": as_of - timedelta(days=days)}
    cur = wh.con.cursor()    # its own cursor, kept open while the batches are read
    try:
        yield from cur.sql(sql, params=params).to_arrow_reader(batch_rows)
    finally:
        cur.close()
