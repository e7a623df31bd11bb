"""The director's allocation page: the branch as it stands, a preview's diff, approval. Thin: each view resolves
the branch or preview through the selectors (capability `allocate`, own branch), calls one service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panhuo.allocation import InfeasibleAllocation
from panhuo.allocationweb.models import OverCapacity
from panhuo.allocationweb.reasons import infeasible_text
from panhuo.allocationweb.selectors import (
    allocation_branch,
    allocation_settings,
    branch_books,
    preview_for_user,
    preview_latest,
    preview_page,
)
from panhuo.allocationweb.services import (
    PreviewStale,
    allocation_policy_save,
    preview_approve,
    preview_create,
)
from panhuo.audit.services import audit_record
from panhuo.clients.models import Advisor


def _lang() -> str:
    return "zh" if (get_language() or "zh").startswith("zh") else "en"


@require_GET
def allocation(request):
    branch = allocation_branch(user=request.user)
    preview = None
    if request.GET.get("preview", "").isdigit():
        preview = preview_for_user(user=request.user, preview_id=int(request.GET["preview"]))
    else:
        preview = preview_latest(branch=branch)
    lang = _lang()
    books = branch_books(branch=branch, lang=lang)
    audit_record(user=request.user, action="allocation.view", object_type="branch", object_ids=[branch.branch_id],
                 detail={"preview": preview.pk if preview else None}, request=request)
    ctx = {"branch": branch, "books": books, "diff": preview_page(preview=preview, lang=lang) if preview else None,
           "leaving_choices": Advisor.objects.filter(branch=branch, active=True).order_by("name"),
           "chart_labels": {"clients": _("Clients"), "capacity": _("Capacity")},
           "policy": allocation_settings(branch=branch), "over_capacity_choices": OverCapacity.choices}
    return render(request, "allocationweb/allocation.html", ctx)


@require_POST
def preview_make(request):
    branch = allocation_branch(user=request.user)
    departing = None
    if request.POST.get("departing"):
        departing = Advisor.objects.filter(branch=branch, active=True, advisor_id=request.POST["departing"]).first()
        if departing is None:
            messages.error(request, _("Choose an active advisor of the branch."))
            return redirect("allocationweb:allocation")
    try:
        preview = preview_create(branch=branch, actor=request.user, departing=departing, request=request)
    except InfeasibleAllocation as exc:
        messages.error(request, infeasible_text(exc.constraint, lang=_lang(), figures=exc.figures))
        return redirect("allocationweb:allocation")
    messages.success(request, _("Preview made. Nothing has changed yet: check the moves below, then approve."))
    return redirect(reverse("allocationweb:allocation") + f"?preview={preview.pk}#preview")


@require_POST
def preview_approve_view(request, preview_id: int):
    preview = preview_for_user(user=request.user, preview_id=preview_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box to approve."))
        return redirect(reverse("allocationweb:allocation") + f"?preview={preview.pk}#approve")
    try:
        done = preview_approve(preview=preview, actor=request.user, request=request)
    except PreviewStale:
        messages.error(request, _("The branch changed since this preview was made. Make a new preview."))
        return redirect("allocationweb:allocation")
    except ValidationError:
        messages.error(request, _("This preview was already approved or replaced."))
        return redirect("allocationweb:allocation")
    messages.success(request, _("Approved: %(moved)s clients have new advisors, who each have a handover task.")
                     % {"moved": f"{done['moved']:,}"})
    return redirect("allocationweb:allocation")


@require_POST
def settings_save(request):
    branch = allocation_branch(user=request.user)
    try:
        band = float(request.POST.get("band", "")) / 100
        allocation_policy_save(branch=branch, actor=request.user, band=band,
                               over_capacity=request.POST.get("over_capacity", ""), request=request)
    except (ValueError, ValidationError):
        messages.error(request, _("The band must be a whole number of percent between 1 and 50."))
    else:
        messages.success(request, _("Allocation settings saved. Make a new preview to use them."))
    return redirect(reverse("allocationweb:allocation") + "#settings")
