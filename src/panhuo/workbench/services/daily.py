"""The workbench's part of the daily run, in the order it must happen (docs/workbench.md)."""

from __future__ import annotations

import time
from datetime import date

from panhuo.workbench.services.funnel import funnel_confirm_from_trades
from panhuo.workbench.services.series import series_refresh
from panhuo.workbench.services.tasks import tasks_generate


def workbench_daily(*, wh, as_of: date, timings: dict | None = None) -> dict:
    """Series from the warehouse `wh`, then C/D confirmed from them, then the day's tasks from the snapshots.

    Call after the day's ClientSnapshot rows are written. Each step is idempotent, so a rerun is safe.
    `timings`, when given, receives the seconds of "series", "funnel" and "tasks".
    """
    out = {}
    for name, step in (("series", lambda: series_refresh(wh=wh, as_of=as_of)),
                       ("funnel", lambda: funnel_confirm_from_trades(as_of=as_of)),
                       ("tasks", lambda: tasks_generate(as_of=as_of))):
        t0 = time.perf_counter()
        out[name] = step()
        if timings is not None:
            timings[name] = time.perf_counter() - t0
    return out
