"""Shapes the stored series into what the 360 page's ECharts scripts draw. Pure Python."""

from __future__ import annotations

from panhuo.formatting import cn_count, cn_percent
from panhuo.workbench.services.tasks import reason_pair


def chart_data(series) -> dict | None:
    """Weekly total assets, and transfers as marks (in above the line's zero, out below)."""
    if series is None or not series.weeks:
        return None
    return {
        "dates": [w[0] for w in series.weeks],
        "assets": [w[1] for w in series.weeks],
        "net": [w[2] for w in series.weeks],
        "transfers": [{"date": t[0], "dir": t[1], "amount": t[2]} for t in series.transfers],
    }


def funnel_chart(track: dict) -> dict | None:
    """One track of the funnel board as the funnel chart draws it: per stage the clients who reached it (a later
    stage counts as having passed through the earlier ones, so the widths only narrow), with the numbers already
    written the staff's way (formatting.py): the count and the conversion from the stage before."""
    if not track["entered"]:
        return None
    return {"stages": [{"name": str(c["label"]), "value": c["reached"], "count": cn_count(c["reached"]),
                        "now": cn_count(c["count"]),
                        "conversion": cn_percent(c["conversion"]) if c["conversion"] is not None else ""}
                       for c in track["columns"]]}


def calendar_data(series) -> dict | None:
    if series is None or not series.trade_days:
        return None
    days = series.trade_days
    return {"start": days[0], "end": series.as_of.isoformat(), "days": [[d, 1] for d in days], "count": len(days)}


def reasons(snapshot, *, zh: bool) -> list[str]:
    if snapshot is None:
        return []
    return [reason_pair(r)[0 if zh else 1] for r in (snapshot.churn_reasons or [])]
