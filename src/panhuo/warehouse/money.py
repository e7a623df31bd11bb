"""Exact sums of money in the warehouse's SQL (DuckDB dialect; SQLGlot carries it to Spark unchanged).

A DOUBLE sum depends on the order its rows arrive in, which neither DuckDB (partial sums per thread, merged as
the threads finish) nor Spark (per partition) fixes: two runs on the same input, or the two engines, differed in
the last bits, a feature at a model's split point could go either way (churn risk moved by up to 0.002), and
deposits and withdrawals that net to zero came out as +-1e-10 (a lifetime P&L against "no net deposit").
Amounts are cents, and four places keep prices times quantities exact; a DECIMAL sum is integer arithmetic,
the same in any order, followed by one conversion back to DOUBLE.
"""

from __future__ import annotations

MONEY = "DECIMAL(18, 4)"


def money(expr: str, when: str | None = None) -> str:
    """`expr` as an exact amount; with `when`, NULL where `when` is not true. The cast goes inside the CASE so
    that windows over one column share one cast per row (the engine computes a repeated subexpression once):
    one run of the features step at 100k clients took 1.43 s against 1.72 s with the CASE inside the cast, same
    results."""
    return f"CAST({expr} AS {MONEY})" if when is None else f"CASE WHEN {when} THEN CAST({expr} AS {MONEY}) END"


def money_sum(expr: str, when: str | None = None) -> str:
    return f"CAST(sum({money(expr, when)}) AS DOUBLE)"


def money_avg(expr: str, when: str | None = None) -> str:
    """The mean of the non-NULL values, from the exact sum."""
    return f"({money_sum(expr, when)} / count({money(expr, when)}))"


# A client's day in client_days: its trades, then amount, commission, bought and sold summed exactly; both the
# full rebuild (analytics.aggregates) and the import (ingest.store) use these.
DAY_SUMS = ", ".join(["count(*)::INTEGER"] + [money_sum(e) for e in (
    "amount", "coalesce(commission, 0)", "CASE WHEN side = 'B' THEN amount ELSE 0 END",
    "CASE WHEN side = 'S' THEN amount ELSE 0 END")])
