"""Per-member success measures from the analytical store (trades, daily assets), and the churning guard.

Pure: no Django. The caller passes the members as plain rows and writes the results back in bulk. Windows are
calendar days: "after" is (launch, launch + N], "before" the same span (launch - N, launch].

Volume, frequency and commission measures are the change against the span before, capped per client, so that
one client's burst cannot carry a campaign and no advisor gains from pushing trades (证券法 Art. 57). The guard
flags a client whose turnover after contact jumped beyond their trading style's band (segments.toml [style],
6-month turnover), with the band halved for C1-C2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from panhuo.analytics.segments import load_config

MEASURES = ("resumed", "amount", "instruments", "trading_days", "commission", "assets")
BINARY = ("resumed", "assets")
# Default per-client caps on the change (CNY, count, days, CNY) when the campaign sets none.
DEFAULT_CAPS = {"amount": 500_000.0, "instruments": 5.0, "trading_days": 10.0, "commission": 500.0}
JUMP = 2.0                      # a flag needs the turnover to at least double, as well as leave the band


@dataclass(frozen=True)
class MemberRow:
    client_id: str
    trading_style: str = "unknown"
    risk_level: str = ""


def style_ceiling(style: str, risk_level: str, config: dict | None = None) -> float:
    """The highest 6-month turnover the client's own style allows (C1-C2: half of it)."""
    cfg = (config or load_config())["style"]
    bands = {"long_term": cfg["medium_term"], "medium_term": cfg["short_term"], "short_term": cfg["high_frequency"],
             "unknown": cfg["medium_term"]}
    ceiling = bands.get(style, float("inf"))
    return ceiling / 2 if risk_level in ("C1", "C2") else ceiling


_SQL = """
WITH m AS (SELECT * FROM campaign_members),
t AS (
  SELECT t.client_id,
         sum(amount) FILTER (WHERE trade_date > $launch AND trade_date <= $after) AS amount_after,
         sum(amount) FILTER (WHERE trade_date > $before AND trade_date <= $launch) AS amount_before,
         count(DISTINCT symbol) FILTER (WHERE trade_date > $launch AND trade_date <= $after) AS instruments_after,
         count(DISTINCT symbol) FILTER (WHERE trade_date > $before AND trade_date <= $launch) AS instruments_before,
         count(DISTINCT trade_date) FILTER (WHERE trade_date > $launch AND trade_date <= $after) AS days_after,
         count(DISTINCT trade_date) FILTER (WHERE trade_date > $before AND trade_date <= $launch) AS days_before,
         sum(commission) FILTER (WHERE trade_date > $launch AND trade_date <= $after) AS commission_after,
         sum(commission) FILTER (WHERE trade_date > $before AND trade_date <= $launch) AS commission_before
  FROM trades t JOIN m USING (client_id)
  WHERE trade_date > $before AND trade_date <= $after
  GROUP BY t.client_id
),
a AS (
  SELECT d.client_id,
         arg_max(total_assets, date) FILTER (WHERE date <= $launch) AS assets_at_launch,
         arg_max(total_assets, date) FILTER (WHERE date <= $after) AS assets_at_end,
         avg(total_assets) FILTER (WHERE date > $launch AND date <= $after) AS mean_assets_after,
         avg(total_assets) FILTER (WHERE date > $before AND date <= $launch) AS mean_assets_before
  FROM daily_assets d JOIN m USING (client_id)
  WHERE date <= $after
  GROUP BY d.client_id
)
SELECT m.client_id, m.trading_style, m.risk_level,
       coalesce(amount_after, 0) AS amount_after, coalesce(amount_before, 0) AS amount_before,
       coalesce(instruments_after, 0) AS instruments_after, coalesce(instruments_before, 0) AS instruments_before,
       coalesce(days_after, 0) AS trading_days_after, coalesce(days_before, 0) AS trading_days_before,
       coalesce(commission_after, 0) AS commission_after, coalesce(commission_before, 0) AS commission_before,
       coalesce(assets_at_launch, 0) AS assets_before, coalesce(assets_at_end, 0) AS assets_after,
       mean_assets_after, mean_assets_before
FROM m LEFT JOIN t USING (client_id) LEFT JOIN a USING (client_id)
ORDER BY m.client_id
"""


def member_outcomes(wh, *, members: list[MemberRow], launch: date, window_days: int, measure: str,
                    cap: float | None = None) -> list[dict]:
    """One dict per member: outcome (0/1 or capped change), before (the same measure before launch),
    turnover before/after (per window) and the churning flag. `wh` is a panhuo Warehouse."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    if window_days < 1:
        raise ValueError("window_days must be positive")
    table = pa.table({"client_id": [m.client_id for m in members],
                      "trading_style": [m.trading_style or "unknown" for m in members],
                      "risk_level": [m.risk_level or "" for m in members]})
    wh.con.register("campaign_members", table)
    try:
        cur = wh.con.execute(_SQL, {"launch": launch, "after": launch + timedelta(days=window_days),
                                    "before": launch - timedelta(days=window_days)})
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]     # fetchall: no pending result
    finally:
        wh.con.unregister("campaign_members")
    cap = cap if cap is not None else DEFAULT_CAPS.get(measure)
    cfg = load_config()
    out = []
    for r in rows:
        if measure == "resumed":
            outcome, before = float(r["trading_days_after"] > 0), float(r["trading_days_before"] > 0)
        elif measure == "assets":
            outcome = float(r["assets_before"] > 0 and r["assets_after"] >= r["assets_before"])
            before = r["assets_before"]
        else:
            after_v, before = float(r[f"{measure}_after"]), float(r[f"{measure}_before"])
            outcome = min(after_v - before, cap) if cap is not None else after_v - before
        t_after = r["amount_after"] / r["mean_assets_after"] if r["mean_assets_after"] else 0.0
        t_before = r["amount_before"] / r["mean_assets_before"] if r["mean_assets_before"] else 0.0
        six_months = t_after * 182.0 / window_days
        flag = bool(t_after > JUMP * t_before and six_months > style_ceiling(r["trading_style"], r["risk_level"],
                                                                             cfg))
        out.append({"client_id": r["client_id"], "outcome": outcome, "before": before,
                    "turnover_before": t_before, "turnover_after": t_after, "turnover_flag": flag})
    return out
