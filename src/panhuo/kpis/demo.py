"""The demo's branch figures and teams (clients.registry demo seeders, run by `panhuo demo` after the daily run).

- teams: the simulated back office has no teams (团队), so the demo groups each branch's advisors into teams of
  TEAM_SIZE under their most senior member.
- kpis: the daily run kept the complete months before the teams and the workbench's demo contacts existed; this
  keeps every kept month (and at least the last MONTHS) again with the month snapshot service (`kpi_snapshot`,
  idempotent: it replaces a month's rows), so coverage, contacts and the teams show their history.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from panhuo.analytics.kpis import Month
from panhuo.clients.models import Advisor, Branch, KpiMonth, Team
from panhuo.kpis.services import kpi_snapshot

MONTHS = 12
TEAM_SIZE = 5
NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组"]


def teams_demo_seed(*, as_of: date, seed: int) -> str | None:
    made = 0
    with transaction.atomic():
        for branch in Branch.objects.all():
            advisors = list(Advisor.objects.filter(branch=branch, active=True).order_by("advisor_id"))
            for i in range(0, len(advisors), TEAM_SIZE):
                members = advisors[i:i + TEAM_SIZE]
                k = i // TEAM_SIZE
                name = NAMES[k] if k < len(NAMES) else f"{k + 1}组"
                # The most senior member leads (level order: principal, senior, junior), then the first code.
                leader = sorted(members, key=lambda a: ({"principal": 0, "senior": 1}.get(a.level, 2),
                                                        a.advisor_id))[0]
                team, _ = Team.objects.update_or_create(branch=branch, name=name, defaults={"leader": leader})
                Advisor.objects.filter(pk__in=[a.pk for a in members]).update(team=team)
                made += 1
    return f"{made} teams of up to {TEAM_SIZE} advisors" if made else None


def demo_kpis(*, as_of: date, seed: int) -> str | None:
    from panhuo.warehouse import open_warehouse

    current = Month.parse(f"{as_of:%Y-%m}")
    labels = {f"{m:%Y-%m}" for m in KpiMonth.objects.filter(advisor__isnull=True, team__isnull=True)
              .values_list("month", flat=True).distinct()}
    kept = []
    with open_warehouse() as wh:
        first = wh.con.execute("SELECT min(date) FROM daily_assets").fetchall()[0][0]
        if first is None:
            return None
        labels |= {current.previous(n).label for n in range(MONTHS, 0, -1) if current.previous(n).start > first}
        for label in sorted(labels):
            kpi_snapshot(wh=wh, month=label)
            kept.append(label)
    return f"branch figures: {len(kept)} months kept ({kept[0]} … {kept[-1]}), with the teams" if kept else None
