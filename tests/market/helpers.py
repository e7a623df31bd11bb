"""Tiny hand-written panels for rule tests."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from panhuo.market.panel import build_panel


def sessions(start: date, n: int) -> list[date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def tiny_panel(prices: dict[str, list], start: date = date(2023, 8, 21), suspended: dict[str, list[int]] | None = None,
               st: dict[str, list[int]] | None = None):
    """prices: symbol -> list of closes, or of (open, close) pairs; high/low span open and close.
    pre_close is the previous close; a suspended day keeps the last close with volume 0."""
    rows = []
    n = max(len(v) for v in prices.values())
    days = sessions(start, n)
    for sym, seq in prices.items():
        prev = None
        for i, p in enumerate(seq):
            o, c = (p, p) if np.isscalar(p) else p
            sus = i in (suspended or {}).get(sym, [])
            if sus:
                o = c = prev
            rows.append({"symbol": sym, "trade_date": days[i], "open": o, "high": max(o, c), "low": min(o, c),
                         "close": c, "pre_close": prev if prev is not None else c, "volume": 0.0 if sus else 1e6,
                         "amount": 0.0 if sus else 1e6 * c, "turnover_rate": 1.0, "adj_factor": 1.0,
                         "is_st": i in (st or {}).get(sym, []), "suspended": sus})
            prev = c
    return build_panel(pl.DataFrame(rows)), days
