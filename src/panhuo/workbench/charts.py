"""Shapes the stored series into what the 360 page's ECharts scripts draw. Pure Python."""

from __future__ import annotations

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


def calendar_data(series) -> dict | None:
    if series is None or not series.trade_days:
        return None
    days = series.trade_days
    return {"start": days[0], "end": series.as_of.isoformat(), "days": [[d, 1] for d in days], "count": len(days)}


def reasons(snapshot, *, zh: bool) -> list[str]:
    if snapshot is None:
        return []
    return [reason_pair(r)[0 if zh else 1] for r in (snapshot.churn_reasons or [])]
