"""Synthetic data for bench_analytics: a branch of N clients and M trades generated inside DuckDB.

Not the simulator (whose million-client run writes hundreds of millions of daily-asset rows): trades are
spread over three years with a skewed activity per client, assets are month-end rows, which is what a
back office export of that size looks like to the daily run.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

AS_OF = date(2024, 6, 28)
START = date(2021, 7, 1)
SYMBOLS = 3000
# Every column the features step reads, by table: the bare scan the step's time is compared with (bench_analytics,
# int_keys).
FEATURE_READS = {"client_days": "client_id trade_date trades amount commission buy_amount",
                 "client_symbols": "client_id first_trade_date last_trade_date",
                 "client_life": "client_id first_trade_date last_trade_date last_buy_date trading_days",
                 "daily_assets": "client_id date total_assets cash market_value net_transfer",
                 "transfers": "client_id transfer_time direction amount",
                 "positions": "as_of_date client_id quantity market_value cost_price",
                 "bars": "symbol trade_date close", "clients": "client_id branch_id advisor_id open_date",
                 "contacts": "client_id contact_time", "questionnaires": "client_id score answered_on"}


def build(con, *, clients: int, trades: int, seed: int = 5) -> None:
    """Fill an empty warehouse connection (canonical schema) with the synthetic branch."""
    days = (AS_OF - START).days + 1
    con.execute(f"SELECT setseed({1 / (seed + 1):.6f})")
    con.execute(f"""INSERT INTO clients (client_id, branch_id, open_date, advisor_id)
        SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0'), 'B001',
               DATE '2015-01-01' + CAST(floor(random() * 3400) AS INTEGER), 'A' || CAST(i % 50 AS VARCHAR)
        FROM range({clients}) t(i)""")
    # Activity ~ a squared uniform: a few clients trade a lot, most rarely. A client-day carries 1-4 trades
    # (2.5 on average) and a client keeps to a handful of names, as in a back office's books.
    con.execute(f"""INSERT INTO trades
        WITH d AS (SELECT i, random() AS u, random() AS v, 1 + CAST(floor(random() * 4) AS INTEGER) AS k
                   FROM range({int(trades / 2.5)}) t(i)),
             r AS (SELECT i, u, v, unnest(range(k)) AS j, random() AS w, random() AS s FROM d)
        SELECT 'T' || CAST(i AS VARCHAR) || '-' || CAST(j AS VARCHAR),
               'C' || lpad(CAST(CAST(floor(u * u * {clients}) AS BIGINT) AS VARCHAR), 8, '0'),
               DATE '{START}' + CAST(floor(v * {days}) AS INTEGER),
               -- each client trades its own few names (8 slots), popular names more often
               lpad(CAST(CAST((floor(u * u * {clients}) * 7919 + floor(w * 8) * 104729) % {SYMBOLS} AS INTEGER)
                         + 600000 AS VARCHAR), 6, '0') || '.SH',
               CASE WHEN s < 0.5 THEN 'B' ELSE 'S' END, 100 * (1 + CAST(floor(s * 20) AS INTEGER)), 10.0,
               1000.0 * (1 + CAST(floor(s * 20) AS INTEGER)), greatest(5.0, 0.3 * (1 + floor(s * 20))), 0, 0, 'online'
        FROM r""")
    month_ends = [START + timedelta(days=30 * k) for k in range(days // 30)] + [AS_OF]
    con.execute("CREATE TEMP TABLE month_end (d DATE)")
    con.executemany("INSERT INTO month_end VALUES (?)", [(d,) for d in month_ends])
    con.execute(f"""INSERT INTO daily_assets
        SELECT client_id, d, cash, mv, cash + mv, CASE WHEN random() < 0.05 THEN -0.3 * cash ELSE 0 END
        FROM (SELECT c.client_id, m.d, 1000 + random() * 200000 AS cash, random() * 300000 AS mv
              FROM clients c CROSS JOIN month_end m WHERE m.d > DATE '{AS_OF - timedelta(days=450)}')""")
    con.execute(f"""INSERT INTO transfers
        SELECT 'X' || CAST(i AS VARCHAR), 'C' || lpad(CAST(CAST(floor(random() * {clients}) AS BIGINT) AS VARCHAR), 8, '0'),
               TIMESTAMP '{START}' + to_days(CAST(floor(random() * {days}) AS INTEGER)),
               CASE WHEN random() < 0.5 THEN 'in' ELSE 'out' END, 1000 + random() * 50000, 'ICBC'
        FROM range({clients * 2}) t(i)""")
    con.execute(f"""INSERT INTO positions
        SELECT DATE '{AS_OF}', client_id, symbol, 1000, 10.0, 10.0 * (0.7 + random() * 0.6), 0
        FROM client_symbols WHERE last_trade_date > DATE '{AS_OF - timedelta(days=200)}' AND random() < 0.3""")
    con.execute("UPDATE positions SET market_value = quantity * close_price")
    rng = np.random.default_rng(seed)
    closes = 3500 * np.exp(np.cumsum(rng.normal(0, 0.01, days)))
    con.executemany("INSERT INTO bars (symbol, trade_date, close) VALUES ('000300.SH', ?, ?)",
                    [(START + timedelta(days=i), float(c)) for i, c in enumerate(closes)])


def bgnbd_population(n: int, *, r=0.243, alpha=4.414, a=0.793, b=2.426, seed: int = 1):
    """Draw n clients from the BG/NBD process itself (weeks, recency and age to whole days)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.integers(70, 1100, n) / 7
    t = np.zeros(n)
    x = np.zeros(n, np.int64)
    last = np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / lam[idx])
        ok = t[idx] < T[idx]
        done = idx[~ok]
        alive[done] = False
        go = idx[ok]
        x[go] += 1
        last[go] = t[go]
        alive[go[rng.random(len(go)) < p[go]]] = False     # dropout right after a transaction
    return x.astype(float), np.round(last * 7) / 7, T
