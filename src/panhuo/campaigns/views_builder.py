"""The builder a branch manager uses: the form in the material's order with target rows in words and a schedule of
message steps, a row partial for HTMX, the launch summary to confirm, and the progress view."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from panhuo.accounts.permissions import Capability, can, require
from panhuo.audit.services import audit_record
from panhuo.campaigns import builder
from panhuo.campaigns.forms import CampaignForm
from panhuo.campaigns.models import CampaignStatus
from panhuo.campaigns.overview import campaign_launch_summary, campaign_progress
from panhuo.campaigns.selectors import campaign_get_for_user, members_for_user, segment_preview
from panhuo.campaigns.services.launch import (
    campaign_create,
    campaign_launch,
    campaign_update,
    campaign_validate,
)
from panhuo.clients.models import Channel
from panhuo.outreach.scripts import VARIABLES


def _row_context(row: builder.Row, i: int) -> dict:
    lang = get_language() or "zh-hans"
    spec = row.spec
    return {"row": row, "i": i, "spec": spec, "choices": builder.choices_for(spec, lang) if spec and spec.kind == "choice" else [],
            "groups": builder.grouped_fields(), "ops": builder.OPS, "numeric_ops": builder.NUMERIC_OPS}


def _builder_context(form, campaign, rows, steps, problems) -> dict:
    rows = rows + [builder.Row()]                                  # one empty row to add a condition
    steps = steps + [{"day": "", "channel": "", "script": ""}]
    return {"form": form, "campaign": campaign, "rows": [_row_context(r, i) for i, r in enumerate(rows)],
            "next_row": len(rows), "steps": list(enumerate(steps)), "next_step": len(steps),
            "channels": Channel.choices, "variables": VARIABLES, "problems": problems,
            "templates": [(k, t["title"]) for k, t in builder.TEMPLATES.items()]}


@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id: int | None = None):
    require(request.user, Capability.DESIGN_CAMPAIGN)
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id) if campaign_id else None
    if campaign is not None and campaign.status != CampaignStatus.DRAFT:
        return redirect("campaigns:detail", campaign_id=campaign.pk)
    if request.method == "GET":
        template = builder.TEMPLATES.get(request.GET.get("template", "")) if campaign is None else None
        if template:             # a playbook fills the form; the designer edits everything before saving
            form = CampaignForm(initial={"name": template["name"], "goal": template["goal"],
                                         "measure": template["measure"]}, user=request.user)
            rows, steps = builder.rows_from_rules(template["rules"]), list(template["schedule"])
        else:
            form = CampaignForm(instance=campaign, user=request.user)
            rows = builder.rows_from_rules(campaign.rules) if campaign else [
                builder.Row(field="lifecycle", op="in", chosen=["dormant"])]
            steps = list(campaign.schedule or [{"day": d, "channel": c, "script": campaign.script}
                                               for d in campaign.step_days for c in campaign.channels]
                         ) if campaign else []
        return render(request, "campaigns/edit.html", _builder_context(form, campaign, rows, steps, []))
    form = CampaignForm(request.POST, instance=campaign, user=request.user)
    rows = builder.rows_from_post(request.POST)
    rules, problems = builder.rules_from_rows(rows)
    steps, step_problems = builder.schedule_from_post(request.POST)
    problems += step_problems
    if form.is_valid() and not problems:
        data = {**form.cleaned_data, **builder.schedule_fields(steps)}
        try:
            if campaign is None:
                campaign = campaign_create(user=request.user, rules=rules, request=request, **data)
            else:
                campaign_update(user=request.user, campaign_id=campaign.pk, rules=rules, request=request, **data)
        except ValidationError as e:
            form.add_error(None, "; ".join(e.messages))
        else:
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    return render(request, "campaigns/edit.html", _builder_context(form, campaign, rows, steps, problems))


@require_GET
def rule_row(request):
    """HTMX: one target row redrawn for the field just picked (its operators, unit or choices)."""
    require(request.user, Capability.DESIGN_CAMPAIGN)
    try:
        i = max(0, min(int(request.GET.get("i", "0")), 19))
    except ValueError:
        i = 0
    f = request.GET.get(f"rule-{i}-field", "")
    spec = builder.BY_KEY.get(f)
    row = builder.Row(field=f, op="in" if spec and spec.kind == "choice" else "gte", chosen=[])
    response = render(request, "campaigns/partials/rule_row.html", _row_context(row, i))
    response["HX-Trigger-After-Settle"] = "rulesChanged"        # the live count follows the new row
    return response


@require_GET
def campaign_preview(request):
    """HTMX: the live count and assets of the target the rows describe."""
    require(request.user, Capability.DESIGN_CAMPAIGN)
    rules, problems = builder.rules_from_rows(builder.rows_from_post(request.GET))
    preview, error = None, "; ".join(problems)
    if not problems:
        try:
            preview = segment_preview(user=request.user, rules=rules)
        except ValidationError as e:
            error = "; ".join(e.messages)
    return render(request, "campaigns/partials/preview.html", {"preview": preview, "error": error})


@require_http_methods(["GET", "POST"])
def campaign_launch_view(request, campaign_id: int):
    """GET: the launch summary (targets, control group, channels, caps, dates, expected cost) to confirm.
    POST (the confirm button): launch."""
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    require(request.user, Capability.LAUNCH_CAMPAIGN)
    if campaign.status != CampaignStatus.DRAFT:
        return redirect("campaigns:progress", campaign_id=campaign.pk)
    if request.method == "GET":
        summary = campaign_launch_summary(user=request.user, campaign=campaign, problems=campaign_validate(campaign))
        audit_record(user=request.user, action="campaign.launch_summary", object_type="campaign",
                     object_ids=[str(campaign.pk)], request=request)
        return render(request, "campaigns/launch.html", {"campaign": campaign, "s": summary,
                                                         "channel_labels": dict(Channel.choices)})
    try:
        s = campaign_launch(user=request.user, campaign_id=campaign.pk, request=request)
    except ValidationError as e:
        messages.error(request, _("Launch blocked: %(why)s") % {"why": "; ".join(e.messages)})
        return redirect("campaigns:launch", campaign_id=campaign.pk)
    messages.success(request, _("Launched: %(t)d in treatment, %(c)d in control, %(x)d excluded, %(k)d tasks.")
                     % {"t": s["treatment"], "c": s["control"], "x": s["excluded"], "k": s["tasks"]})
    return redirect("campaigns:progress", campaign_id=campaign.pk)


@require_GET
def campaign_progress_view(request, campaign_id: int):
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    total, rows = campaign_progress(user=request.user, campaign=campaign)
    shown = list(members_for_user(user=request.user, campaign=campaign).values_list("client__client_id", flat=True))
    audit_record(user=request.user, action="campaign.progress", object_type="client", object_ids=shown,
                 detail={"campaign": campaign.pk}, request=request)
    return render(request, "campaigns/progress.html", {"campaign": campaign, "total": total, "rows": rows,
                                                       "may_launch": can(request.user, Capability.LAUNCH_CAMPAIGN)})
