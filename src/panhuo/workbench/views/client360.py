from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.audit.services import audit_record
from panhuo.clients.masking import mask_id_number, mask_phone
from panhuo.clients.registry import client_panels
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.charts import calendar_data, chart_data, reasons
from panhuo.workbench.forms import ContactForm, UnmaskForm
from panhuo.workbench.selectors import client_360
from panhuo.workbench.services.clients import client_unmask
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.tasks import CHURN_THRESHOLD
from panhuo.workbench.views.common import lang_is_zh, segment_choices


@require_GET
def client_detail(request, client_id: str):
    """Client 360: masked profile, assets with transfers, positions, trading calendar, scores, funnel, contacts; other
    features' sections (assessments, service plan, market switch) come from the registry."""
    data = client_360(user=request.user, client_id=client_id)
    client, zh = data["client"], lang_is_zh()
    audit_record(user=request.user, action="client.view", object_type="client", object_ids=[client.client_id],
                 request=request)
    data.update({
        "id_masked": mask_id_number(client.id_number), "phone_masked": mask_phone(client.phone),
        "contact_form": ContactForm(initial={"task_id": request.GET.get("task")}),   # Today's "Done" lands here
        "reasons": reasons(data["snapshot"], zh=zh),
        # Reasons argue for a high risk: under the flag threshold they are the factors that moved the score.
        "churn_flagged": (getattr(data["snapshot"], "churn_risk", None) or 0) >= CHURN_THRESHOLD,
        "tier_label": dict(segment_choices("tier", zh)).get(getattr(data["snapshot"], "tier", None), ""),
        "chart": chart_data(data["series"]), "calendar": calendar_data(data["series"]),
    })
    # Sections other features own (the market pages' switch suggestion), through the core's registry.
    panels = client_panels(client=client, user=request.user)
    for panel in panels:
        data.update(panel.context)
    data["panel_templates"] = [p.template for p in panels]
    return render(request, "workbench/client_detail.html", data)


@require_POST
def client_unmask_view(request, client_id: str):
    client = client_get_for_user(user=request.user, client_id=client_id)    # once; out of reach is a 404
    form = UnmaskForm(request.POST)
    if not form.is_valid():
        return render(request, "workbench/partials/unmasked.html", {"error": True}, status=400)
    value = client_unmask(user=request.user, client=client, field=form.cleaned_data["field"],
                          reason=form.cleaned_data["reason"], request=request)
    return render(request, "workbench/partials/unmasked.html", {"value": value, "field": form.cleaned_data["field"]})


@require_http_methods(["GET", "POST"])
def client_contact(request, client_id: str):
    """GET: the quick contact form (HTMX partial). POST: log it; the outcome moves the funnel."""
    client = client_get_for_user(user=request.user, client_id=client_id)    # once; out of reach is a 404
    if request.method == "GET":
        return render(request, "workbench/partials/contact_form.html",
                      {"client": client, "form": ContactForm(initial={"task_id": request.GET.get("task")}),
                       "task_id": request.GET.get("task", "")})
    form = ContactForm(request.POST)
    if not form.is_valid():
        return render(request, "workbench/partials/contact_form.html", {"client": client, "form": form}, status=400)
    try:
        contact = contact_log(user=request.user, client=client, request=request, **form.cleaned_data)
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
        return render(request, "workbench/partials/contact_form.html", {"client": client, "form": form}, status=400)
    if request.headers.get("HX-Request"):
        # The task the contact answered is closed: HTMX swaps its Today row out of band.
        return render(request, "workbench/partials/contact_logged.html",
                      {"contact": contact, "task_id": form.cleaned_data.get("task_id")})
    messages.success(request, _("Contact logged."))
    return redirect("workbench:client", client_id=client_id)
