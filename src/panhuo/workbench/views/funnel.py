from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from panhuo.accounts.models import Role
from panhuo.audit.services import audit_record
from panhuo.workbench.charts import funnel_chart
from panhuo.workbench.selectors import funnel_board
from panhuo.workbench.services.clients import advisor_choices


@require_GET
def funnel(request):
    """Columns A–D for normal and dormant clients apart, with counts and the conversion between stages."""
    advisor = request.GET.get("advisor", "").strip()[:32]
    board = funnel_board(user=request.user, advisor=advisor)
    shown = [r["client__client_id"] for t in board["tracks"] for c in t["columns"] for r in c["rows"]]
    audit_record(user=request.user, action="funnel.view", object_type="client", object_ids=shown, request=request)
    advisors = advisor_choices(user=request.user) if request.user.role != Role.ADVISOR else []
    for t in board["tracks"]:
        t["chart"], t["chart_id"] = funnel_chart(t), f"funnel-data-{t['track']}"
    charts = any(t["chart"] for t in board["tracks"])
    return render(request, "workbench/funnel.html", {"board": board, "advisor": advisor, "advisors": advisors,
                                                     "charts": charts})
