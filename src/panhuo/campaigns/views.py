"""Campaign pages (the builder, launch summary and progress are in views_builder.py): list, script lint, detail
and report with charts, Excel export, the consent ledger of a client, and the public unsubscribe link."""

from __future__ import annotations

import hmac
import json
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.campaigns.export import campaign_workbook
from panhuo.campaigns.models import MemberGroup
from panhuo.campaigns.overview import campaign_readout
from panhuo.campaigns.selectors import (
    campaign_event_outcome,
    campaign_get_for_user,
    campaign_incentive_for_user,
    campaign_report,
    campaigns_for_user,
    members_for_user,
)
from panhuo.campaigns.services.launch import REASON_LABELS
from panhuo.campaigns.services.review import campaign_review_status
from panhuo.clients.consent import (
    consent_ledger_for_client,
    consent_record,
    consent_sms_reply,
    consent_unsubscribe,
    unsubscribe_days,
    unsubscribe_expired_audit,
    unsubscribe_read,
)
from panhuo.clients.models import Channel, ConsentSource
from panhuo.clients.selectors import client_get_for_user
from panhuo.outreach.lint import lint_script
from panhuo.outreach.scripts import VARIABLES, script_variables


@require_GET
def campaign_list(request):
    campaigns = campaigns_for_user(user=request.user).select_related("branch")
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def _lint_by_channel(text: str, channels) -> list[tuple[str, object]]:
    """The script's compliance check per channel (SMS and email add their own rules), labelled in the reader's
    language; an empty channel stands for the script alone."""
    labels = dict(Channel.choices)
    return [(labels.get(ch, ch), lint_script(text, channel=ch if ch in ("sms", "email") else None))
            for ch in channels]


@require_http_methods(["GET", "POST"])
def script_lint(request):
    """HTMX: lint the script as the editor types, once per chosen message channel."""
    require(request.user, Capability.REVIEW_SCRIPT)
    data = request.POST if request.method == "POST" else request.GET
    # the old editor posts `script` and `channels`; a schedule row posts step-<i>-script and step-<i>-channel
    text = (data.get("script") or next((v for k, v in data.items() if k.endswith("-script")), ""))[:4000]
    channels = data.getlist("channels") or [v for k, v in data.items() if k.endswith("-channel") and v] or [""]
    results = _lint_by_channel(text, channels) if text.strip() else []     # an empty step row: nothing to judge
    unknown = [v for v in script_variables(text) if v not in VARIABLES]
    return render(request, "campaigns/partials/lint.html", {"results": results, "unknown": unknown,
                                                            "text": text})


def _bars(lifts: dict) -> dict:
    keys = [k for k, v in lifts.items() if v is not None]
    return {"labels": keys, **{f: [getattr(lifts[k], m) for k in keys] for f, m in (
        ("treatment", "treatment_mean"), ("control", "control_mean"), ("lift", "lift"), ("low", "ci_low"),
        ("high", "ci_high"))}}


def _chart(report) -> dict:
    return {"overall": _bars({_("All"): report.overall}), "advisor": _bars(report.by_advisor),
            # channels as words on the chart's axis (电话, 短信), never the codes
            "channel": _bars({str(dict(Channel.choices).get(k, k)): v for k, v in report.by_channel.items()}),
            "funnel": report.funnel}


@require_GET
def campaign_detail(request, campaign_id: int):
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    members = members_for_user(user=request.user, campaign=campaign)
    report = campaign_report(user=request.user, campaign=campaign)
    excluded = members.filter(group=MemberGroup.EXCLUDED).order_by("exclusion_reason", "client__client_id")
    shown_excluded = list(excluded.select_related("client")[:200])   # names, not bare ids
    for m in shown_excluded:
        m.reason_label = REASON_LABELS.get(m.exclusion_reason, m.exclusion_reason)
    flagged = list(members.filter(turnover_flag=True).select_related("client").order_by("client__client_id")[:200])
    shown = list(members.values_list("client__client_id", flat=True))
    audit_record(user=request.user, action="campaign.view", object_type="client", object_ids=shown,
                 detail={"campaign": campaign.pk}, request=request)
    lints = _lint_by_channel(campaign.script, campaign.channels)
    review_rows = campaign_review_status(campaign)
    return render(request, "campaigns/detail.html", {
        "campaign": campaign, "report": report, "excluded": shown_excluded, "n_excluded": excluded.count(), "flagged": flagged,
        "chart": _chart(report), "lints": lints, "review_rows": review_rows,
        "readout": campaign_readout(user=request.user, campaign=campaign),
        "event_outcome": campaign_event_outcome(user=request.user, campaign=campaign),
        "review_to_submit": any(r["review"] is None or r["review"].state == "rejected" for r in review_rows),
        "review_waiting": any(r["review"] is not None and r["review"].state == "submitted" for r in review_rows),
        "review_blocked": any(r["review"] is None or r["review"].state != "approved" for r in review_rows),
        "incentive": campaign_incentive_for_user(user=request.user, campaign=campaign),
        "channel_labels": dict(Channel.choices)})


@require_GET
def campaign_export(request, campaign_id: int):
    campaign = campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    members = members_for_user(user=request.user, campaign=campaign).order_by("client__client_id")
    data, codes = campaign_workbook(campaign=campaign, report=campaign_report(user=request.user, campaign=campaign),
                                    members=members,
                                    incentive=campaign_incentive_for_user(user=request.user, campaign=campaign))
    audit_record(user=request.user, action="campaign.export", object_type="client", object_ids=codes,
                 detail={"campaign": campaign.pk, "rows": len(codes)}, request=request)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def consent_ledger(request, client_id: str):
    client = client_get_for_user(user=request.user, client_id=client_id)
    if request.method == "POST":
        require(request.user, Capability.SERVE)
        try:
            consent_record(user=request.user, client=client, channel=request.POST.get("channel", ""),
                           granted=request.POST.get("granted") == "1", source=ConsentSource.ADVISOR,
                           note=request.POST.get("note", ""), request=request)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        return redirect("campaigns:consent", client_id=client.client_id)
    ledger = consent_ledger_for_client(client=client)
    audit_record(user=request.user, action="consent.view", object_type="client", object_ids=[client.client_id],
                 request=request)
    return render(request, "campaigns/consent.html", {"client": client, "ledger": ledger,
                                                      "channels": Channel.choices})


@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in every email: GET asks (mail scanners follow links), POST records the refusal. A link past its
    validity gets a page that says so and how else to opt out (410); a forged or mangled one a plain refusal."""
    try:
        if request.method == "POST":
            consent_unsubscribe(token=token, request=request)
        else:
            unsubscribe_read(token=token)
    except ValidationError as e:
        if e.code == "expired":
            unsubscribe_expired_audit(token=token, request=request)
            return render(request, "campaigns/unsubscribe.html", {"state": "expired", "days": unsubscribe_days()},
                          status=410)
        return render(request, "campaigns/unsubscribe.html", {"state": "invalid"}, status=400)
    state = "done" if request.method == "POST" else "ask"
    return render(request, "campaigns/unsubscribe.html", {"state": state, "token": token})


@csrf_exempt
@login_not_required
@require_POST
def sms_inbound(request):
    """The SMS gateway's callback for replies (上行短信): 退订 / TD refuses SMS before the next send.

    Authenticated by a shared secret (PANHUO_SMS_INBOUND_TOKEN, sent as X-Panhuo-Token), compared in constant
    time; without a configured secret the endpoint refuses everything."""
    secret = os.environ.get("PANHUO_SMS_INBOUND_TOKEN", "")
    if not secret or not hmac.compare_digest(request.headers.get("X-Panhuo-Token", ""), secret):
        return JsonResponse({"ok": False}, status=403)
    try:
        data = json.loads(request.body.decode("utf-8"))
        phone, text = str(data["phone"]), str(data["text"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": "need JSON with phone and text"}, status=400)
    recs = consent_sms_reply(phone=phone, text=text)
    return JsonResponse({"ok": True, "opted_out": len(recs)})
