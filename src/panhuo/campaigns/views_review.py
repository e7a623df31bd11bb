"""Compliance review of campaign scripts: the designer submits, compliance approves or rejects with a reason (the
queue of scripts awaiting review), and the campaign page shows each script's state."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panhuo.accounts.permissions import Capability, require
from panhuo.campaigns.models import ReviewState, ScriptReview
from panhuo.campaigns.selectors import campaign_get_for_user, campaigns_for_user
from panhuo.campaigns.services.review import script_approve, script_reject, scripts_submit
from panhuo.outreach.lint import lint_script


@require_POST
def scripts_submit_view(request, campaign_id: int):
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    require(request.user, Capability.DESIGN_CAMPAIGN)
    try:
        done = scripts_submit(user=request.user, campaign=campaign, request=request)
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    else:
        messages.success(request, _("%(n)d scripts sent to compliance for review.") % {"n": len(done)})
    return redirect("campaigns:detail", campaign_id=campaign.pk)


@require_GET
def review_queue(request):
    """Compliance's queue: scripts awaiting review in the campaigns the user can see, with the lint's findings."""
    require(request.user, Capability.APPROVE_SCRIPT)
    reviews = (ScriptReview.objects.filter(state=ReviewState.SUBMITTED, campaign__in=campaigns_for_user(
        user=request.user)).select_related("campaign", "submitted_by").order_by("submitted_at"))
    rows = [(r, [(ch, lint_script(r.text, channel=ch if ch in ("sms", "email") else None))
                 for ch in r.channels or [""]]) for r in reviews]
    decided = (ScriptReview.objects.exclude(state=ReviewState.SUBMITTED)
               .filter(campaign__in=campaigns_for_user(user=request.user))
               .select_related("campaign", "reviewed_by").order_by("-reviewed_at")[:30])
    return render(request, "campaigns/reviews.html", {"rows": rows, "decided": decided})


@require_POST
def review_decide(request, review_id: int):
    review = get_object_or_404(ScriptReview.objects.filter(campaign__in=campaigns_for_user(user=request.user)),
                               pk=review_id)
    try:
        if request.POST.get("decision") == "approve":
            script_approve(user=request.user, review_id=review.pk, request=request)
            messages.success(request, _("Script approved."))
        else:
            script_reject(user=request.user, review_id=review.pk, reason=request.POST.get("reason", ""),
                          request=request)
            messages.success(request, _("Script sent back with your reason."))
    except ValidationError as e:
        messages.error(request, "; ".join(e.messages))
    return redirect("campaigns:reviews")
