"""The demo branch's teams (团队): the simulated back office has none, so the demo groups each branch's advisors
into teams of TEAM_SIZE, then keeps the months' figures again so the KPI page shows the teams' history too."""

from __future__ import annotations

from django.db import transaction

from panhuo.clients.models import Advisor, Branch, KpiMonth, Team

TEAM_SIZE = 5
NAMES = ["一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组"]


def teams_demo_seed(*, as_of, seed: int) -> str | None:
    from panhuo.kpis.services import kpi_snapshot
    from panhuo.warehouse import open_warehouse

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
    months = sorted(KpiMonth.objects.filter(advisor__isnull=True, team__isnull=True)
                    .values_list("month", flat=True).distinct())
    with open_warehouse() as wh:
        for month in months:
            kpi_snapshot(wh=wh, month=f"{month:%Y-%m}")
    return f"{made} teams of up to {TEAM_SIZE} advisors, {len(months)} months of figures kept again with them"
