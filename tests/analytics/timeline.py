"""A tiny hand-written branch as of 2024-06-28: seven clients whose features can be worked out by hand.

C1 active trader with a questionnaire; C2 dormant with assets (contacted on 2024-06-01); C3 lost (700 CNY left);
C4 ChinaClear dormant (50 CNY cash, nothing held, last trade 2023-01-10); C5 new (opened 2024-05-01);
C6 moved 60% of its assets out in May; C7 opened in 2021, never traded, 20,000 CNY cash.
"""

from __future__ import annotations

from datetime import date

AS_OF = date(2024, 6, 28)
D = date.fromisoformat

CLIENTS = [  # client_id, open_date
    ("C1", "2022-01-05"), ("C2", "2020-03-01"), ("C3", "2019-01-01"), ("C4", "2018-01-01"),
    ("C5", "2024-05-01"), ("C6", "2021-06-01"), ("C7", "2021-01-01"),
]

TRADES = [  # client, date, symbol, side, quantity, price, commission
    ("C1", "2023-09-01", "600000.SH", "B", 1000, 10.0, 5.0),
    ("C1", "2023-12-15", "600000.SH", "S", 500, 11.0, 5.0),
    ("C1", "2024-03-01", "000001.SZ", "B", 2000, 10.0, 6.0),
    ("C1", "2024-05-20", "000001.SZ", "S", 1000, 12.0, 5.0),
    ("C1", "2024-06-10", "600519.SH", "B", 100, 1500.0, 45.0),
    ("C1", "2024-06-27", "600000.SH", "B", 1000, 9.0, 5.0),
    ("C1", "2024-06-27", "000001.SZ", "B", 500, 12.0, 5.0),
    ("C2", "2023-05-10", "600036.SH", "S", 500, 32.0, 5.0),
    ("C2", "2023-10-09", "600036.SH", "B", 1000, 30.0, 7.5),
    ("C3", "2023-08-01", "601398.SH", "B", 100, 5.0, 5.0),
    ("C4", "2023-01-10", "601398.SH", "S", 100, 4.5, 5.0),
    ("C5", "2024-05-06", "000002.SZ", "B", 200, 20.0, 5.0),
    ("C6", "2024-02-05", "300750.SZ", "B", 300, 150.0, 5.0),
    ("C6", "2024-04-15", "300750.SZ", "S", 300, 180.0, 5.0),
    ("C6", "2024-06-03", "600900.SH", "B", 1000, 23.0, 5.0),
]

ASSETS = [  # client, date, cash, market_value, net_transfer
    ("C1", "2023-06-30", 50000, 50000, 0), ("C1", "2023-12-29", 40000, 70000, 0),
    ("C1", "2024-03-29", 30000, 90000, 0), ("C1", "2024-05-29", 20000, 110000, 0),
    ("C1", "2024-06-28", 25000, 100000, 0),
    ("C2", "2023-12-29", 2000, 46000, 0), ("C2", "2024-06-28", 2000, 48000, 0),
    ("C3", "2024-06-28", 300, 400, 0),
    ("C4", "2024-06-28", 50, 0, 0),
    ("C5", "2024-05-02", 20000, 0, 20000), ("C5", "2024-05-29", 16000, 4200, 0),
    ("C5", "2024-06-28", 16000, 4400, 0),
    ("C6", "2023-12-29", 150000, 0, 0), ("C6", "2024-03-29", 200000, 0, 0),
    ("C6", "2024-05-15", 81000, 0, -120000), ("C6", "2024-05-29", 59000, 23000, 0),
    ("C6", "2024-06-28", 57000, 23000, 0),
    ("C7", "2024-06-28", 20000, 0, 0),
]

TRANSFERS = [  # client, time, direction, amount
    ("C5", "2024-05-02 10:00:00", "in", 20000.0),
    ("C6", "2024-05-15 14:30:00", "out", 120000.0),
    ("C6", "2024-01-10 09:00:00", "in", 5000.0),   # outside the 90-day window
]

POSITIONS = [  # as_of_date, client, symbol, quantity, cost_price, close_price
    ("2024-06-28", "C1", "600000.SH", 1500, 9.5, 9.2), ("2024-06-28", "C1", "000001.SZ", 1500, 10.6, 12.0),
    ("2024-06-28", "C1", "600519.SH", 100, 1500.0, 682.0),
    ("2024-06-28", "C2", "600036.SH", 1500, 30.0, 32.0),
    ("2024-06-28", "C3", "601398.SH", 100, 5.0, 4.0),
    ("2024-06-28", "C5", "000002.SZ", 200, 20.0, 22.0),
    ("2024-06-28", "C6", "600900.SH", 1000, 23.0, 23.0),
    ("2024-05-31", "C7", "600000.SH", 100, 10.0, 9.0),    # an older snapshot must not count
]

CONTACTS = [  # id, client, local time, channel, outcome, logged by staff (else a campaign's automatic send)
    (1, "C2", "2024-04-15 10:00:00", "visit", "interested", True),
    (2, "C2", "2024-06-01 15:00:00", "phone", "reached", True),
    (3, "C2", "2024-07-05 09:00:00", "phone", "reached", True),        # after the as-of date: not seen
    (4, "C1", "2024-06-28 23:30:00", "phone", "not_reached", True),    # late on the as-of date itself
    (5, "C6", "2024-03-01 11:00:00", "wechat", "reached", True),       # outside the 90 days, (03-30, 06-28]
    (6, "C6", "2024-06-20 09:30:00", "sms", "reached", False),         # a campaign's send, not the advisor
    (7, "C3", "2024-06-20 09:30:00", "sms", "reached", False),         # only campaign sends: never contacted
]

CSI300 = [("2023-12-29", 3431.35), ("2024-03-29", 3537.48), ("2024-06-28", 3461.74)]


def load(wh, *, with_optional: bool = True) -> None:
    """Insert the timeline into an empty warehouse and rebuild the aggregates."""
    from panhuo.analytics.aggregates import refresh_aggregates

    con = wh.con
    con.executemany("INSERT INTO clients (client_id, branch_id, open_date, advisor_id) VALUES (?, 'B001', ?, 'A01')",
                    [(c, D(o)) for c, o in CLIENTS])
    con.executemany(
        "INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 'online')",
        [(f"T{i}", c, D(d), s, side, q, p, q * p, fee) for i, (c, d, s, side, q, p, fee) in enumerate(TRADES)])
    con.executemany("INSERT INTO daily_assets VALUES (?, ?, ?, ?, ?, ?)",
                    [(c, D(d), float(cash), float(mv), float(cash + mv), float(nt)) for c, d, cash, mv, nt in ASSETS])
    con.executemany("INSERT INTO transfers VALUES (?, ?, ?, ?, ?, 'ICBC')",
                    [(f"X{i}", c, t, di, a) for i, (c, t, di, a) in enumerate(TRANSFERS)])
    con.executemany("INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(D(d), c, s, q, cp, px, q * px) for d, c, s, q, cp, px in POSITIONS])
    con.executemany("INSERT INTO bars (symbol, trade_date, close) VALUES ('000300.SH', ?, ?)",
                    [(D(d), c) for d, c in CSI300])
    if with_optional:
        con.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, 'A01', ?)",
                        [(i, c, t, ch, o, staff) for i, c, t, ch, o, staff in CONTACTS])
        con.execute("CREATE TABLE questionnaires (client_id VARCHAR, answered_on DATE, score INTEGER)")
        con.execute("INSERT INTO questionnaires VALUES ('C1', DATE '2023-01-01', 20), ('C1', DATE '2024-01-02', 40)")
    refresh_aggregates(wh)
