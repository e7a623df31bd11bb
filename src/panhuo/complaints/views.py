"""Pages: the complaint list, registering a complaint, a complaint's detail and workflow; the call-back queue, one
call-back with its script, and compliance's coverage and findings."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can, require
from panhuo.analytics.kpis import Month
from panhuo.audit.services import audit_record
from panhuo.clients.masking import mask_phone
from panhuo.clients.models import ComplaintCategory, ComplaintChannel, ComplaintStatus
from panhuo.clients.selectors import branches_for_user, client_get_for_user
from panhuo.complaints import selectors, services
from panhuo.complaints.models import CallbackOutcome, FindingCategory


def _may_list(user) -> bool:
    return can(user, Capability.READ_COMPLAINTS) or can(user, Capability.REGISTER_COMPLAINT)


@require_GET
def complaint_list(request):
    """Open complaints, overdue first; filters by status, category, advisor; `show=all` for the closed ones too."""
    if not _may_list(request.user):
        raise PermissionDenied
    g = request.GET
    show = g.get("show") if g.get("show") in ("open", "overdue", "all") else "open"
    rows = selectors.complaint_list(user=request.user, status=g.get("status", ""), category=g.get("category", ""),
                                    advisor=g.get("advisor", ""), show=show)
    audit_record(user=request.user, action="complaints.list", object_type="complaint",
                 object_ids=[str(c.pk) for c in rows][:100], request=request)
    return render(request, "complaints/list.html", {
        "rows": rows, "counts": selectors.complaint_counts(user=request.user), "show": show,
        "status": g.get("status", ""), "category": g.get("category", ""), "advisor": g.get("advisor", ""),
        "statuses": ComplaintStatus.choices, "categories": ComplaintCategory.choices,
    })


def _received_at(text: str) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"received_at": _("Enter the date as YYYY-MM-DD.")}) from None
    if day == timezone.localdate():
        return None   # today: now
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """Register a complaint: the client's code (prefilled from the 360 page), channel, category, date, what the
    client says."""
    require(request.user, Capability.REGISTER_COMPLAINT)
    data = request.POST if request.method == "POST" else request.GET
    code = (data.get("client") or "").strip()
    client = client_get_for_user(user=request.user, client_id=code) if code else None
    errors = {}
    if request.method == "POST":
        if client is None:
            errors["client"] = [_("Enter the client's code.")]
        else:
            try:
                complaint = services.complaint_register(
                    user=request.user, client=client, channel=data.get("channel", ""),
                    category=data.get("category", ""), description=data.get("description", ""),
                    received_at=_received_at(data.get("received_at", "")), request=request)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Complaint registered; it must be resolved by %(day)s.")
                                 % {"day": f"{complaint.deadline:%Y-%m-%d}"})
                return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {
        "client": client, "errors": errors, "data": data, "channels": ComplaintChannel.choices,
        "categories": ComplaintCategory.choices, "today": timezone.localdate(),
    }, status=400 if errors else 200)


@require_GET
def complaint_detail(request, pk: int):
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk)
    audit_record(user=request.user, action="complaint.view", object_type="complaint",
                 object_ids=[str(complaint.pk), complaint.client.client_id], request=request)
    may_handle = can(request.user, Capability.HANDLE_COMPLAINTS) and services.may_own(request.user, complaint)
    return render(request, "complaints/detail.html", {
        "c": complaint, "events": list(complaint.events.select_related("by")),
        "overdue": complaint.overdue_on(timezone.localdate()), "may_handle": may_handle,
        "may_resolve": may_handle and complaint.owner_id in (None, request.user.pk),
        "candidates": services.owner_candidates(complaint) if may_handle else [],
        "today": timezone.localdate(),
    })


ACTIONS = {"assign", "investigate", "escalate", "resolve", "confirm", "close"}


@require_POST
def complaint_act(request, pk: int):
    """One workflow step (the form's `action`), then back to the complaint."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk)
    action, p, u = request.POST.get("action", ""), request.POST, request.user
    if action not in ACTIONS:
        raise PermissionDenied
    try:
        if action == "assign":
            owner = User.objects.filter(pk=p.get("owner") or 0).first()
            if owner is None:
                raise ValidationError({"owner": _("Choose the owner.")})
            services.complaint_assign(user=u, complaint=complaint, owner=owner, request=request)
        elif action == "investigate":
            services.complaint_investigate(user=u, complaint=complaint, note=p.get("note", ""), request=request)
        elif action == "escalate":
            services.complaint_escalate(user=u, complaint=complaint, reason=p.get("reason", ""), request=request)
        elif action == "resolve":
            services.complaint_resolve(user=u, complaint=complaint, resolution=p.get("resolution", ""),
                                       substantiated=p.get("substantiated") == "yes", request=request)
        elif action == "confirm":
            try:
                on = date.fromisoformat(p.get("confirmed_on", ""))
            except ValueError:
                raise ValidationError({"confirmed_on": _("Enter the date as YYYY-MM-DD.")}) from None
            services.complaint_confirm(user=u, complaint=complaint, confirmed_on=on,
                                       satisfied=p.get("satisfied") == "yes", note=p.get("note", ""),
                                       request=request)
        else:
            services.complaint_close(user=u, complaint=complaint, note=p.get("note", ""), request=request)
    except ValidationError:
        messages.error(request, _("Not saved: fill in the step's fields (a reason, the resolution, a date) and check "
                                  "the complaint's status allows this step."))
    else:
        messages.success(request, _("Saved."))
    return redirect("complaints:detail", pk=complaint.pk)


# ---- call-backs ----------------------------------------------------------------------------------------------

def _last_month() -> str:
    return Month.parse(f"{timezone.localdate():%Y-%m}").previous().label


@require_http_methods(["GET", "POST"])
def callback_queue(request):
    """The call-backs this user may make (never to their own clients) and the button that draws last month's sample
    for their branch."""
    require(request.user, Capability.CALL_BACK)
    branches = list(branches_for_user(user=request.user).order_by("branch_id"))
    if request.method == "POST":
        month = request.POST.get("month") or _last_month()
        try:
            month = Month.parse(month).label
        except ValueError:
            month = _last_month()
        for b in branches:
            services.callbacks_sample(branch_id=b.pk, month=month, user=request.user, request=request)
        messages.success(request, _("The sample for %(month)s is drawn.") % {"month": month})
        return redirect("complaints:callbacks")
    rows = selectors.callback_queue(user=request.user)
    for cb in rows:
        cb.phone_masked = mask_phone(cb.client.phone)
    audit_record(user=request.user, action="callbacks.view", object_type="client",
                 object_ids=[cb.client.client_id for cb in rows][:100], request=request)
    return render(request, "complaints/callbacks.html", {"rows": rows, "last_month": _last_month()})


@require_http_methods(["GET", "POST"])
def callback_detail(request, pk: int):
    """One call-back: the script for its kind, the answers, the outcome and what a finding leads to."""
    require(request.user, Capability.CALL_BACK)
    cb = selectors.callback_get_for_user(user=request.user, pk=pk)
    if not services.is_independent(request.user, cb):
        raise PermissionDenied
    script = selectors.script_for(cb.kind, get_language() or "zh")
    errors = {}
    if request.method == "POST":
        p = request.POST
        try:
            services.callback_record(
                user=request.user, callback=cb, outcome=p.get("outcome", ""),
                answers={q["key"]: p.get(f"q_{q['key']}", "") for q in script},
                finding_category=p.get("finding_category", ""), note=p.get("note", ""),
                open_complaint=p.get("open_complaint") == "yes", compliance_note=p.get("compliance_note") == "yes",
                request=request)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Call-back recorded."))
            return redirect("complaints:callbacks")
    else:
        audit_record(user=request.user, action="callback.view", object_type="client",
                     object_ids=[cb.client.client_id], request=request)
    return render(request, "complaints/callback.html", {
        "cb": cb, "script": script, "errors": errors, "phone": mask_phone(cb.client.phone),
        "outcomes": [(v, lbl) for v, lbl in CallbackOutcome.choices if v != CallbackOutcome.PENDING],
        "findings": FindingCategory.choices, "recorded": cb.outcome not in (CallbackOutcome.PENDING,
                                                                             CallbackOutcome.NOT_REACHED),
    }, status=400 if errors else 200)


@require_GET
def callback_coverage(request):
    """For compliance (and the branch's leadership): sampled against done per month and advisor, and the findings."""
    require(request.user, Capability.CALL_BACK)
    findings = selectors.callback_findings(user=request.user)
    audit_record(user=request.user, action="callbacks.coverage", object_type="client",
                 object_ids=[cb.client.client_id for cb in findings][:100], request=request)
    return render(request, "complaints/coverage.html", {
        "months": selectors.callback_coverage(user=request.user), "findings": findings})
