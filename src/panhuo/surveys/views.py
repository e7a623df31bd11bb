from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.services import audit_record
from panhuo.clients.models import AnswerVia, Contact
from panhuo.clients.selectors import can_edit_plan, client_get_for_user
from panhuo.clients.suitability import (
    PRODUCT_RISKS,
    OverrideRefused,
    special_warning_text,
    suitability_override_confirm,
    suitability_warning_give,
)
from panhuo.questionnaires.engine import MULTI
from panhuo.surveys import plan_selectors
from panhuo.surveys.files import SATISFACTION, questionnaire_current
from panhuo.surveys.plan_pdf import plan_pdf
from panhuo.surveys.plan_services import Unsuitable, service_plan_save
from panhuo.surveys.selectors import lang, questionnaire_form
from panhuo.surveys.services import (
    LinkExpired,
    LinkInvalid,
    LinkUsed,
    link_days,
    questionnaire_link_make,
    questionnaire_link_open,
    questionnaire_submit,
    satisfaction_independent,
)


def _questionnaire(key: str):
    try:
        return questionnaire_current(key)
    except KeyError:
        raise Http404 from None


def _answers(request, qn) -> dict:
    """The posted answers: an option key, the ticked option keys of a multi-choice question, or a text."""
    out: dict = {}
    for q in qn.questions:
        name = f"q_{q.key}"
        if q.type == MULTI:
            if request.POST.getlist(name):
                out[q.key] = request.POST.getlist(name)
        elif request.POST.get(name, "").strip():
            out[q.key] = request.POST[name]
    return out


def _contact(request, client):
    """The contact a satisfaction survey asks about (?contact=<pk>), one of this client's, or None."""
    pk = request.GET.get("contact") or request.POST.get("contact")
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404
    contact = Contact.objects.filter(pk=int(pk), client=client).first()
    if contact is None:
        raise Http404
    return contact


def _result_text(qn, answer) -> str:
    if not qn.bands:
        return _("thank you") if qn.kind != "needs" else _("your needs are recorded")
    return qn.label(answer.band, lang())


@require_http_methods(["GET", "POST"])
def questionnaire_take(request, client_id: str, key: str):
    """The advisor asks the questions with the client (in the branch or on the phone) and records the answers."""
    client = client_get_for_user(user=request.user, client_id=client_id)    # once; out of reach is a 404
    qn = _questionnaire(key)
    if not can(request.user, Capability.SERVE):
        raise PermissionDenied
    contact = _contact(request, client)
    if qn.kind == SATISFACTION and not satisfaction_independent(user=request.user, client=client, contact=contact):
        # The advisor rated never records the answer: the client's link is the way (docs/service-plan.md).
        audit_record(user=request.user, action="questionnaire.answer", object_type="client", outcome="denied",
                     object_ids=[client.client_id], request=request,
                     detail={"questionnaire": qn.key, "why": "not independent"})
        return render(request, "surveys/not_independent.html", {"client": client, "form": questionnaire_form(qn),
                                                                "contact": contact}, status=403)
    error = ""
    if request.method == "POST":
        answers = _answers(request, qn)
        try:
            answer = questionnaire_submit(client=client, questionnaire=qn, answers=answers, via=AnswerVia.ADVISOR,
                                          user=request.user, contact=contact, request=request)
        except ValidationError:
            error = _("Please answer every question.")
        else:
            messages.success(request, _("Recorded: %(title)s, %(total)s points, %(result)s.") % {
                "title": qn.title_zh if lang() == "zh" else qn.title_en, "total": answer.total,
                "result": _result_text(qn, answer)})
            return redirect("workbench:client", client_id=client.client_id)
    else:
        answers = {}
        audit_record(user=request.user, action="questionnaire.open", object_type="client",
                     object_ids=[client.client_id], request=request, detail={"questionnaire": key})
    return render(request, "surveys/take.html", {"client": client, "form": questionnaire_form(qn, chosen=answers),
                                                 "error": error, "contact": contact}, status=400 if error else 200)


@require_POST
def questionnaire_link(request, client_id: str, key: str):
    """A link for the client to answer on their own phone, to send through the usual channel."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    qn = _questionnaire(key)
    if not can(request.user, Capability.SERVE):
        raise PermissionDenied
    token = questionnaire_link_make(user=request.user, client=client, key=qn.key, contact=_contact(request, client),
                                    request=request)
    url = request.build_absolute_uri(reverse("surveys:public", args=[token]))
    return render(request, "surveys/link.html", {"client": client, "url": url, "days": link_days(),
                                                 "form": questionnaire_form(qn)})


@login_not_required
@require_http_methods(["GET", "POST"])
def questionnaire_public(request, token: str):
    """The client answers on their phone, without logging in. The signed link names the client and the
    questionnaire; it expires and works once. The page shows nothing about the client."""
    try:
        target = questionnaire_link_open(token=token)
    except LinkExpired:
        return render(request, "surveys/public_closed.html", {"why": "expired"}, status=410)
    except LinkUsed:
        return render(request, "surveys/public_closed.html", {"why": "used"}, status=410)
    except LinkInvalid:
        return render(request, "surveys/public_closed.html", {"why": "invalid"}, status=400)
    qn, error, answers = target.questionnaire, "", {}
    if request.method == "POST":
        answers = _answers(request, qn)
        try:
            answer = questionnaire_submit(client=target.client, questionnaire=qn, answers=answers,
                                          via=AnswerVia.LINK, user=request.user, nonce=target.nonce,
                                          contact=target.contact, request=request)
        except LinkUsed:
            return render(request, "surveys/public_closed.html", {"why": "used"}, status=410)
        except ValidationError:
            error = _("Please answer every question.")
        else:
            return render(request, "surveys/public_done.html", {"result": _result_text(qn, answer),
                                                                "total": answer.total, "form": questionnaire_form(qn)})
    return render(request, "surveys/public.html", {"form": questionnaire_form(qn, chosen=answers), "error": error},
                  status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def risk_warning(request, client_id: str):
    """The written special-warning flow: a client insists on a product above their level. Step 1 shows and
    records the special risk warning; step 2 records the client's written confirmation (or their decline)."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    if not can(request.user, Capability.SERVE):
        raise PermissionDenied
    ctx = {"client": client, "risks": PRODUCT_RISKS, "product": "", "product_risk": "", "step": "ask"}
    if request.method == "GET":
        return render(request, "surveys/warning.html", ctx)
    product = (request.POST.get("product") or "").strip()[:64]
    product_risk = request.POST.get("product_risk") or ""
    ctx.update(product=product, product_risk=product_risk)
    if not product or product_risk not in PRODUCT_RISKS:
        ctx["error"] = _("Name the product and its risk rating.")
        return render(request, "surveys/warning.html", ctx, status=400)
    try:
        if request.POST.get("step") == "confirm":
            confirmed = request.POST.get("confirmed") == "yes"
            decision = suitability_override_confirm(client=client, product=product, product_risk=product_risk,
                                                    user=request.user, confirmed=confirmed, request=request)
            messages.success(request, _("Recorded: the client confirmed the special risk warning in writing.")
                             if decision.allowed else _("Recorded: the client declined."))
            return redirect("workbench:client", client_id=client.client_id)
        decision, text = suitability_warning_give(client=client, product=product, product_risk=product_risk,
                                                  user=request.user, request=request)
    except OverrideRefused as exc:
        ctx.update(step="refused", reasons=exc.decision.reason_labels())
        return render(request, "surveys/warning.html", ctx)
    if decision.allowed:
        ctx.update(step="suitable", reasons=decision.reason_labels())
    else:       # the record keeps the Chinese text the client signs; the page shows it in the reader's language
        shown = text if lang() == "zh" else special_warning_text(client=client, product=product,
                                                                 product_risk=product_risk, lang="en")
        ctx.update(step="warn", text=shown, today=timezone.localdate())
    return render(request, "surveys/warning.html", ctx)


# The service plan (服务计划书): edit (a new version on each save), read a version, print it.

def _plan_actions(request) -> list[dict]:
    out = []
    for i in range(plan_selectors.MAX_ROWS):
        row = {f: (request.POST.get(f"a{i}_{f}") or "").strip() for f in ("kind", "what", "due", "product",
                                                                         "product_risk")}
        if any(row.values()) and (row["what"] or row["product"]):
            out.append(row)
    return out


@require_http_methods(["GET", "POST"])
def plan_edit(request, client_id: str):
    """The plan form, prefilled from the client's data; saving makes a new version."""
    client = client_get_for_user(user=request.user, client_id=client_id)    # once; out of reach is a 404
    if not can_edit_plan(request.user, client):
        raise PermissionDenied
    ctx = plan_selectors.plan_form_initial(client=client)
    error, refused, status = "", [], 200
    if request.method == "POST":
        goals = (request.POST.get("goals") or "").splitlines()
        actions = _plan_actions(request)
        note = request.POST.get("note") or ""
        try:
            review_on = date.fromisoformat(request.POST.get("review_on") or "")
        except ValueError:
            review_on = None
        try:
            version = service_plan_save(user=request.user, client=client, goals=goals, actions=actions,
                                        review_on=review_on, note=note, request=request)
        except Unsuitable as exc:
            error, refused, status = exc.messages[0], exc.refused, 400
        except ValidationError as exc:
            error, status = exc.messages[0], 400
        else:
            messages.success(request, _("Service plan saved as version %(n)s.") % {"n": version.version})
            return redirect(reverse("workbench:client", args=[client.client_id]) + "#plan")
        rows = [{**a, "due": a["due"]} for a in actions]
        rows += [{"kind": "", "what": "", "due": "", "product": "", "product_risk": ""}] * max(
            plan_selectors.ACTION_ROWS - len(rows), 2)
        ctx.update(goals="\n".join(goals), actions=rows, review_on=request.POST.get("review_on"), note=note)
    else:
        audit_record(user=request.user, action="plan.view", object_type="client", object_ids=[client.client_id],
                     request=request, detail={"form": True})
    ctx.update(client=client, error=error, refused=refused)
    return render(request, "surveys/plan_edit.html", ctx, status=status)


def _version(client, version: int):
    v = plan_selectors.plan_version_get(client=client, version=version)
    if v is None:
        raise Http404
    return v


@require_GET
def plan_version(request, client_id: str, version: int):
    """One saved version, read-only: the profile as it was, goals, actions, review date, who and when."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    v = _version(client, version)
    audit_record(user=request.user, action="plan.view", object_type="client", object_ids=[client.client_id],
                 request=request, detail={"version": version})
    return render(request, "surveys/plan_version.html", {
        "client": client, "v": v, "shown": plan_selectors.profile_shown(v.profile),
        "actions": plan_selectors.action_rows(v), "versions": plan_selectors.plan_versions(client=client),
        "is_current": plan_selectors.plan_is_current(v) and v.version == max(
            x.version for x in plan_selectors.plan_versions(client=client))})


@require_GET
def plan_version_pdf(request, client_id: str, version: int):
    """The version as a Chinese PDF (服务计划书)."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    v = _version(client, version)
    audit_record(user=request.user, action="plan.export", object_type="client", object_ids=[client.client_id],
                 request=request, detail={"version": version, "format": "pdf"})
    response = HttpResponse(plan_pdf(v), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-plan-{client.client_id}-v{version}.pdf"'
    return response
