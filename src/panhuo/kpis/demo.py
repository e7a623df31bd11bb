"""The demo's branch figures (clients.registry demo seeder, run by `panhuo demo` after the daily run).

The daily run kept the complete months before the workbench's demo contacts existed; this keeps the last
MONTHS months again with the month snapshot service (`kpi_snapshot`, idempotent: it replaces a month's rows),
now that the contacts are in the warehouse, so coverage and contacts show a year of history.
"""

from __future__ import annotations

from datetime import date

from panhuo.analytics.kpis import Month
from panhuo.kpis.services import kpi_snapshot

MONTHS = 12


def demo_kpis(*, as_of: date, seed: int) -> str | None:
    from panhuo.warehouse import open_warehouse

    current = Month.parse(f"{as_of:%Y-%m}")
    kept = []
    with open_warehouse() as wh:
        first = wh.con.execute("SELECT min(date) FROM daily_assets").fetchone()[0]
        if first is None:
            return None
        for n in range(MONTHS, 0, -1):
            m = current.previous(n)
            if m.start > first:
                kpi_snapshot(wh=wh, month=m.label)
                kept.append(m.label)
    return f"branch figures: {len(kept)} months kept ({kept[0]} … {kept[-1]})" if kept else None
