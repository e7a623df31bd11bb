"""Reads for the KPI page: the kept monthly figures within the user's reach, their trends, what needs attention."""

from __future__ import annotations

from panhuo.accounts.models import User
from panhuo.analytics.kpis import FIGURES
from panhuo.clients.models import Advisor, Branch, KpiMonth, Team
from panhuo.clients.selectors import branches_for_user

TREND_MONTHS = 24
KINDS = {n: k for n, _z, _e, k in FIGURES}
# Figures where a rise is bad news (the rest: a fall is).
WORSE_IF_UP = {"dormant_clients", "churned_clients", "vip_uncontacted", "assets_out", "loss_share",
               "complaints_received", "complaints_overdue"}
WATCHED = ["coverage", "vip_uncontacted", "net_inflow", "dormant_clients", "churned_clients", "active_clients",
           "reactivated_clients", "assets_total", "commission", "complaints_overdue"]
COVERAGE_TARGET = 0.8


def kpi_branch_for_user(*, user: User, code: str | None) -> Branch | None:
    """The branch the page shows: the one asked for if within reach, else the user's first."""
    branches = branches_for_user(user=user).order_by("branch_id")
    return (branches.filter(branch_id=code).first() if code else None) or branches.first()


def kpi_history(*, branch: Branch, advisor_id: int | None = None, team_id: int | None = None,
                months: int = TREND_MONTHS) -> list[KpiMonth]:
    """The kept months, oldest first, of the branch (no advisor, no team), an advisor's book or a team's."""
    rows = KpiMonth.objects.filter(branch=branch, advisor_id=advisor_id, team_id=team_id).order_by("-month")[:months]
    return list(reversed(rows))


def kpi_advisors(*, branch: Branch, month, team_id: int | None = None) -> list[KpiMonth]:
    """The month's rows of the branch's advisors (of one team when team_id is given)."""
    qs = KpiMonth.objects.filter(branch=branch, month=month, advisor__isnull=False)
    if team_id is not None:
        qs = qs.filter(advisor__team_id=team_id)
    return list(qs.select_related("advisor").order_by("advisor__advisor_id"))


def kpi_teams(*, branch: Branch, month) -> list[KpiMonth]:
    return list(KpiMonth.objects.filter(branch=branch, month=month, team__isnull=False)
                .select_related("team", "team__leader").order_by("team__name"))


def kpi_scope(*, branch: Branch | None, team: str | None, advisor: str | None) -> dict:
    """What the page's trends show: the branch, one of its teams, or one of its advisors (ids from the query
    string; anything not in this branch falls back to the branch). Keys: team, advisor (objects or None)."""
    scope = {"team": None, "advisor": None}
    if branch is None:
        return scope
    if advisor:
        scope["advisor"] = Advisor.objects.filter(branch=branch, advisor_id=advisor).first()
    elif team and team.isdigit():
        scope["team"] = Team.objects.filter(branch=branch, pk=int(team)).first()
    return scope


def kpi_attention(*, history: list[KpiMonth], advisors: list[KpiMonth]) -> list[dict]:
    """The figures to look at first: a worse month than the one before (largest change first), coverage under
    target, VIPs past their cadence, and the advisors with the lowest coverage."""
    out = []
    if history:
        now = history[-1].figures
        before = history[-2].figures if len(history) > 1 else {}
        for name in WATCHED:
            a, b = now.get(name), before.get(name)
            if a is None or b is None or a == b:
                continue
            change = (a - b) / abs(b) if b else 1.0
            worse = (change > 0) if name in WORSE_IF_UP else (change < 0)
            if worse:
                out.append({"figure": name, "kind": KINDS[name], "now": a, "before": b, "change": change,
                            "weight": abs(change)})
        if (now.get("coverage") or 0) < COVERAGE_TARGET and now.get("coverage") is not None:
            out.append({"figure": "coverage", "kind": "ratio", "now": now["coverage"], "target": COVERAGE_TARGET,
                        "weight": 10.0})
        if now.get("vip_uncontacted"):
            out.append({"figure": "vip_uncontacted", "kind": "count", "now": now["vip_uncontacted"], "weight": 20.0})
    seen, merged = set(), []
    for item in sorted(out, key=lambda x: -x["weight"]):
        if item["figure"] in seen:
            continue
        seen.add(item["figure"])
        merged.append(item)
    low = sorted((a for a in advisors if a.figures.get("coverage") is not None),
                 key=lambda a: a.figures["coverage"])[:3]
    for a in low:
        if a.figures["coverage"] < COVERAGE_TARGET:
            merged.append({"figure": "coverage", "kind": "ratio", "now": a.figures["coverage"], "advisor": a.advisor,
                           "weight": 0})
    return merged
