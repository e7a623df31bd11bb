"""The workbench's part of the daily run, in the order it must happen (docs/workbench.md)."""

from __future__ import annotations

from datetime import date

from panhuo.workbench.services.funnel import funnel_confirm_from_trades
from panhuo.workbench.services.series import series_refresh
from panhuo.workbench.services.tasks import tasks_generate


def workbench_daily(*, wh, as_of: date) -> dict:
    """Series from the warehouse `wh`, then C/D confirmed from them, then the day's tasks from the snapshots.

    Call after the day's ClientSnapshot rows are written. Each step is idempotent, so a rerun is safe.
    """
    series = series_refresh(wh=wh, as_of=as_of)
    funnel = funnel_confirm_from_trades(as_of=as_of)
    tasks = tasks_generate(as_of=as_of)
    return {"series": series, "funnel": funnel, "tasks": tasks}
