"""The branch's long-term holdout for the director (campaigns area): who is held out this period, and the effect of
all outreach together, the rest of the branch against the holdout (clients/holdout.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.holdout import holdout_readout, holdout_settings
from panhuo.clients.models import Branch, HoldoutDraw


@require_GET
def holdout_page(request):
    require(request.user, Capability.SEE_BRANCH)
    user = request.user
    branches = Branch.objects.all() if user.sees_whole_firm else Branch.objects.filter(pk=user.branch_id)
    today = timezone.localdate()
    sections = []
    for branch in branches:
        draws = list(HoldoutDraw.objects.filter(branch=branch).order_by("-start", "-pk")[:4])
        current = next((d for d in draws if d.start <= today < d.end), None)
        sections.append({"branch": branch, "current": current,
                         "readouts": [holdout_readout(draw=d, as_of=today) for d in draws]})
    audit_record(user=user, action="holdout.view", object_type="branch",
                 object_ids=[str(s["branch"].pk) for s in sections], request=request)
    share, months = holdout_settings()
    return render(request, "campaigns/holdout.html", {"sections": sections, "share": share, "months": months,
                                                      "today": today})
