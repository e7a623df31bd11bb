from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from panhuo.accounts.permissions import Capability, require
from panhuo.analytics.kpis import FIGURES
from panhuo.audit.services import audit_record
from panhuo.clients.coverage import coverage_by_advisor, uncontacted
from panhuo.clients.selectors import branches_for_user
from panhuo.kpis.selectors import (
    kpi_advisors,
    kpi_attention,
    kpi_branch_for_user,
    kpi_history,
    kpi_scope,
    kpi_teams,
)

UNCONTACTED_SHOWN = 200
TABLE_FIGURES = ["clients_total", "active_clients", "dormant_clients", "reactivated_clients", "assets_total",
                 "net_inflow", "commission", "turnover_rate", "coverage", "vip_uncontacted", "event_attendees", "nps",
                 "plan_coverage", "complaints_received"]


def _labels() -> dict[str, str]:
    zh = (get_language() or "zh").startswith("zh")
    return {n: (z if zh else e) for n, z, e, _k in FIGURES}


@require_GET
def kpi_page(request):
    """The figures over 12–24 months of the branch, one of its teams or one advisor's book, the teams and
    advisors side by side, and what needs attention first."""
    require(request.user, Capability.SEE_BRANCH)
    branch = kpi_branch_for_user(user=request.user, code=request.GET.get("branch"))
    scope = kpi_scope(branch=branch, team=request.GET.get("team"), advisor=request.GET.get("advisor"))
    team, advisor = scope["team"], scope["advisor"]
    history = kpi_history(branch=branch, team_id=team.pk if team else None,
                          advisor_id=advisor.pk if advisor else None) if branch else []
    latest = history[-1] if history else None
    advisors = kpi_advisors(branch=branch, month=latest.month, team_id=team.pk if team else None) if latest else []
    teams = kpi_teams(branch=branch, month=latest.month) if latest and not advisor else []
    labels, kinds = _labels(), {n: k for n, _z, _e, k in FIGURES}
    attention = kpi_attention(history=history, advisors=advisors)
    for item in attention:
        item["label"] = labels[item["figure"]]
    chart = {"months": [f"{h.month:%Y-%m}" for h in history],
             "series": {n: [h.figures.get(n) for h in history] for n in
                        ("assets_total", "net_inflow", "active_clients", "dormant_clients", "reactivated_clients",
                         "coverage", "commission", "turnover_rate")},
             "labels": {n: labels[n] for n in labels}}
    advisor_rows = [{"name": a.advisor.name, "code": a.advisor.advisor_id,
                     "cells": [(a.figures.get(n), kinds[n]) for n in TABLE_FIGURES]} for a in advisors]
    team_rows = [{"name": t.team.name, "pk": t.team_id, "leader": t.team.leader.name if t.team.leader else "",
                  "cells": [(t.figures.get(n), kinds[n]) for n in TABLE_FIGURES]} for t in teams]
    coverage = coverage_by_advisor(user=request.user)
    audit_record(user=request.user, action="kpis.view", object_type="branch",
                 object_ids=[branch.branch_id] if branch else [], request=request)
    return render(request, "kpis/kpis.html", {
        "branch": branch, "branches": branches_for_user(user=request.user).order_by("branch_id"),
        "team": team, "advisor": advisor, "team_rows": team_rows,
        "latest": latest, "branch_cells": [(labels[n], latest.figures.get(n), kinds[n]) for n, *_ in FIGURES]
        if latest else [], "table_heads": [labels[n] for n in TABLE_FIGURES], "advisor_rows": advisor_rows,
        "attention": attention, "chart": chart, "coverage": coverage,
    })


@require_GET
def uncontacted_page(request):
    """The drill-down: VIP and core clients past their contact cadence, longest-uncontacted first."""
    require(request.user, Capability.SEE_BRANCH)
    advisor, tier = request.GET.get("advisor") or None, request.GET.get("tier") or None
    rows = uncontacted(user=request.user, advisor=advisor, tier=tier)
    shown = rows[:UNCONTACTED_SHOWN]
    audit_record(user=request.user, action="kpis.uncontacted", object_type="client",
                 object_ids=[r["client"].client_id for r in shown], request=request)
    return render(request, "kpis/uncontacted.html", {"rows": shown, "total": len(rows), "advisor": advisor,
                                                     "tier": tier})
