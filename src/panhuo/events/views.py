"""The client experience centre's pages: events, registrations, the compliance review of their materials, the
phone check-in page at the door, and the client's own registration link (no log-in). Thin: services write,
selectors read."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.permissions import Capability, can, require
from panhuo.audit.services import audit_record
from panhuo.clients.events import (
    LinkExpired,
    LinkInvalid,
    checkin_token,
    link_read,
    link_token,
    materials_approved,
)
from panhuo.clients.models import EventKind, EventStatus, RegistrationStatus
from panhuo.clients.selectors import client_get_for_user
from panhuo.events import services
from panhuo.events.forms import EventForm, FileForm
from panhuo.events.selectors import (
    event_counts,
    event_get_for_user,
    event_list,
    link_validity_days,
    registration_get_for_user,
    registrations_for_user,
    review_queue,
)


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno), drawn without inline style so the CSP accepts it."""
    return segno.make(text, error="m").svg_inline(scale=5, border=2)


@require_GET
def event_list_page(request):
    return render(request, "events/list.html", event_list(user=request.user))


@require_http_methods(["GET", "POST"])
def event_edit_page(request, event_id: int | None = None):
    require(request.user, Capability.MANAGE_EVENTS)
    event = event_get_for_user(user=request.user, event_id=event_id) if event_id else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            if event is None:
                event = services.event_create(user=request.user, request=request, **fields)
            else:
                event = services.event_update(user=request.user, event=event, request=request, **fields)
        except ValidationError:
            form.add_error(None, _("Check the event: a title, an end after the start, a venue or a link."))
        else:
            return redirect("events:detail", event.pk)
    return render(request, "events/edit.html", {"form": form, "event": event},
                  status=400 if form.errors else 200)


@require_GET
def event_detail_page(request, event_id: int):
    event = event_get_for_user(user=request.user, event_id=event_id)
    regs = list(registrations_for_user(user=request.user, event=event))
    audit_record(user=request.user, action="event.view", object_type="event", object_ids=[str(event.pk)],
                 detail={"clients": len(regs)}, request=request)
    return render(request, "events/detail.html", {
        "event": event, "registrations": regs, "counts": event_counts(event),
        "problems": services.materials_problems(event), "approved": materials_approved(event),
        "open": event.status == EventStatus.PLANNED, "file_form": FileForm(),
        "education": event.kind == EventKind.EDUCATION, "may_check_in": services.may_check_in(request.user, event),
    })


def _back(request, event):
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("events:detail", event.pk)


@require_POST
def register_page(request, event_id: int):
    event = event_get_for_user(user=request.user, event_id=event_id)
    client = client_get_for_user(user=request.user, client_id=request.POST.get("client", "").strip())
    try:
        reg = services.event_register(user=request.user, event=event, client=client, request=request)
    except ValidationError:
        messages.error(request, _("The client could not be registered: the event is closed, its materials await "
                                  "compliance, or the client is on the do-not-contact list."))
    else:
        if reg.status == RegistrationStatus.WAITLISTED:
            messages.warning(request, _("The event is full: the client is on the waiting list."))
        else:
            messages.success(request, _("Registered."))
    return _back(request, event)


@require_POST
def cancel_registration_page(request, event_id: int, registration_id: int):
    event = event_get_for_user(user=request.user, event_id=event_id)
    reg = registration_get_for_user(user=request.user, event=event, registration_id=registration_id)
    services.registration_cancel(user=request.user, registration=reg, request=request)
    messages.success(request, _("Registration cancelled; the waiting list moved up."))
    return _back(request, event)


@require_POST
def link_page(request, event_id: int, registration_id: int):
    """The client's own link (to send through the usual channel) and its QR code."""
    event = event_get_for_user(user=request.user, event_id=event_id)
    reg = registration_get_for_user(user=request.user, event=event, registration_id=registration_id)
    services.link_made(user=request.user, registration=reg, request=request)
    url = request.build_absolute_uri(reverse("events:public", args=[link_token(reg)]))
    return render(request, "events/link.html", {"event": event, "reg": reg, "url": url, "qr": qr_svg(url),
                                                "days": link_validity_days()})


@require_POST
def action_page(request, event_id: int, action: str):
    event = event_get_for_user(user=request.user, event_id=event_id)
    try:
        if action == "submit":
            services.materials_submit(user=request.user, event=event, request=request)
            messages.success(request, _("Sent to compliance for review."))
        elif action == "close":
            c = services.event_close(user=request.user, event=event, request=request)
            messages.success(request, _("Attendance closed: %(tasks)s follow-up tasks are on the advisors' Today "
                                        "lists.") % {"tasks": c["tasks"]})
        elif action == "cancel":
            services.event_cancel(user=request.user, event=event, request=request)
            messages.success(request, _("The event is cancelled."))
        elif action == "file":
            form = FileForm(request.POST, request.FILES)
            if form.is_valid():
                f = form.cleaned_data["file"]
                services.event_file_add(user=request.user, event=event, name=f.name, content=f.read(),
                                        request=request)
                messages.success(request, _("File added; the materials go back to compliance."))
        else:
            raise PermissionDenied
    except ValidationError:
        messages.error(request, _("That cannot be done now: check the event's status and its materials."))
    return redirect("events:detail", event.pk)


@require_GET
def file_page(request, event_id: int, file_id: int):
    event = event_get_for_user(user=request.user, event_id=event_id)
    f = get_object_or_404(event.files, pk=file_id)
    resp = HttpResponse(bytes(f.content), content_type="application/octet-stream")
    resp["Content-Disposition"] = f'attachment; filename="event-{event.pk}-{f.pk}"'
    return resp


@require_http_methods(["GET", "POST"])
def reviews_page(request):
    """Compliance's queue of event materials; approve, or reject with a reason."""
    if not (can(request.user, Capability.APPROVE_SCRIPT) or can(request.user, Capability.REVIEW_SCRIPT)):
        raise PermissionDenied
    if request.method == "POST":
        raw = request.POST.get("event", "")
        event = event_get_for_user(user=request.user, event_id=int(raw) if raw.isdigit() else 0)
        approve = request.POST.get("decision") == "approve"
        try:
            services.materials_decide(user=request.user, event=event, approve=approve,
                                      reason=request.POST.get("reason", ""), request=request)
        except ValidationError:
            messages.error(request, _("Not decided: a rejection needs a reason, and investor education that names a "
                                      "product cannot be approved."))
        else:
            messages.success(request, _("Approved.") if approve else _("Rejected; the planner sees your reason."))
        return redirect("events:reviews")
    queue = [{"event": e, "problems": services.materials_problems(e)} for e in review_queue(user=request.user)]
    return render(request, "events/reviews.html", {"queue": queue})


@require_http_methods(["GET", "POST"])
def checkin_page(request, event_id: int):
    """The door: a phone page that scans the client's QR code or takes the typed code."""
    event = event_get_for_user(user=request.user, event_id=event_id)
    if not services.may_check_in(request.user, event):
        raise PermissionDenied
    ctx = {"event": event, "counts": event_counts(event)}
    status = 200
    if request.method == "POST":
        try:
            reg = services.event_check_in(user=request.user, event=event, token_or_code=request.POST.get("code", ""),
                                          request=request)
        except services.CheckInError:
            ctx["error"] = _("Unknown or cancelled code: check it and try again, or register the client.")
            status = 400
        else:
            ctx["done"] = reg
            ctx["counts"] = event_counts(event)
    return render(request, "events/checkin.html", ctx, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_page(request, token: str):
    """The client's own page, without logging in: the event, register or decline, and, once registered, the QR
    code to show at the door. It shows nothing about the client but the registration's own state."""
    try:
        reg = link_read(token)
        if request.method == "POST":
            reg = services.link_answer(token=token, accept=request.POST.get("answer") == "yes", request=request)
    except LinkExpired:
        return render(request, "events/public_closed.html", {"why": "expired"}, status=410)
    except LinkInvalid:
        return render(request, "events/public_closed.html", {"why": "invalid"}, status=400)
    except ValidationError:
        return render(request, "events/public_closed.html", {"why": "closed"}, status=409)
    ctx = {"event": reg.event, "reg": reg}
    if reg.status == RegistrationStatus.REGISTERED:
        ctx["qr"] = qr_svg(checkin_token(reg))
    return render(request, "events/public.html", ctx)
