from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.coverage import vip_overdue_count
from panhuo.clients.selectors import branch_overview
from panhuo.workbench.forms import ReassignForm
from panhuo.workbench.selectors import (
    advisor_table,
    assignment_conflicts_for_user,
    protection_overdue,
    tasks_for_user,
)
from panhuo.workbench.services.clients import (
    advisor_choices,
    advisor_names,
    assignment_conflict_settle,
    client_reassign,
)
from panhuo.workbench.views.common import masked_rows

OVERDUE_SHOWN = 50


@require_GET
def branch_dashboard(request):
    """Director and manager: the branch's figures, the advisor table, overdue first contacts, handed-back tasks."""
    require(request.user, Capability.SEE_BRANCH)
    overdue = protection_overdue(user=request.user)
    overdue_rows = list(overdue.values("client_id", "name", "assigned_on", "advisor__name")[:OVERDUE_SHOWN])
    handed_back = list(tasks_for_user(user=request.user)[:50])
    conflicts = list(assignment_conflicts_for_user(user=request.user)[:OVERDUE_SHOWN])
    names = advisor_names(user=request.user) if conflicts else {}
    for c in conflicts:
        c.kept_name = names.get(c.kept_advisor_code, c.kept_advisor_code)
        c.backoffice_name = names.get(c.backoffice_advisor_code, c.backoffice_advisor_code)
    audit_record(user=request.user, action="branch.view", object_type="client",
                 object_ids=[r["client_id"] for r in overdue_rows] + [t.client.client_id for t in handed_back]
                 + [c.client.client_id for c in conflicts], request=request)
    return render(request, "workbench/branch.html", {
        "overview": branch_overview(user=request.user), "advisors": advisor_table(user=request.user),
        "overdue": masked_rows(overdue_rows), "overdue_count": overdue.count(), "handed_back": handed_back,
        "advisor_choices": advisor_choices(user=request.user), "form": ReassignForm(), "conflicts": conflicts,
        "vip_overdue": vip_overdue_count(user=request.user),   # 定期回访: VIPs past the cadence, for the manager
    })


@require_POST
def reassign(request):
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an advisor."))
        return redirect("workbench:branch")
    nxt = request.POST.get("next", "")
    back = nxt if nxt.startswith("/") and not nxt.startswith("//") else "workbench:branch"
    try:
        n = client_reassign(user=request.user, client_ids=form.client_ids(request.POST),
                            advisor_id=form.cleaned_data["advisor"], reason=form.cleaned_data["reason"],
                            request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("%(n)d clients reassigned.") % {"n": n})
    return redirect(back)


@require_POST
def settle_conflict(request, conflict_id: int):
    """Keep the assignment made in panhuo, or take the back office's."""
    take = request.POST.get("choice") == "backoffice"
    try:
        assignment_conflict_settle(user=request.user, conflict_id=conflict_id, take_backoffice=take, request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("workbench:branch")
    messages.success(request, _("Took the back office's assignment.") if take else
                     _("Kept the assignment made in panhuo."))
    return redirect("workbench:branch")
