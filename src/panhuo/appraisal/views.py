"""Pages: the team's activity against targets, one advisor's progress and history, the monthly scorecard."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.models import Role
from panhuo.accounts.permissions import Capability, can, require
from panhuo.appraisal import measures, selectors, services
from panhuo.appraisal.display import deduction_cells, weight_total
from panhuo.appraisal.export import scorecard_pdf, scorecard_xlsx
from panhuo.appraisal.forms import CommentForm, TargetForm
from panhuo.appraisal.models import LockedError
from panhuo.appraisal.scorecard import LABELS, UNITS
from panhuo.audit.services import audit_record
from panhuo.clients.selectors import advisors_for_user

HISTORY_WEEKS, HISTORY_MONTHS = 8, 6


def _month(text: str) -> date:
    try:
        return date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        raise Http404("month") from None


def _last_month(today: date) -> date:
    return measures.month_of(today.replace(day=1) - timedelta(days=1))[0]


@require_GET
def team(request):
    """The manager's view: each advisor's week against their targets, each team's row (团队) and the whole's, the
    weekly and monthly history; `?team=` narrows all of it to one team. An advisor goes to their own page."""
    if request.user.role == Role.ADVISOR and request.user.advisor_id:
        return redirect("appraisal:advisor", advisor_code=request.user.advisor.advisor_id)
    require(request.user, Capability.SEE_BRANCH)
    advisors = list(advisors_for_user(user=request.user).filter(active=True).select_related("branch", "team"))
    teams = sorted({a.team for a in advisors if a.team_id}, key=lambda t: (t.branch_id, t.name))
    chosen = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    if chosen:
        advisors = [a for a in advisors if a.team_id == chosen.pk]
    start, end = measures.week_of(timezone.localdate())
    rows = selectors.progress(advisors=advisors, start=start, end=end)
    team_rows = [] if chosen else [
        {"team": t, **selectors.team_total([r for r in rows if r["advisor"].team_id == t.pk])} for t in teams]
    audit_record(user=request.user, action="appraisal.team.view", object_type="advisor",
                 object_ids=[a.advisor_id for a in advisors][:100], request=request)
    return render(request, "appraisal/team.html", {
        "rows": rows, "team": selectors.team_total(rows), "start": start, "end": end,
        "chosen": chosen, "team_rows": team_rows,
        "weeks": selectors.history(advisors=advisors, by="week", periods=HISTORY_WEEKS),
        "months": selectors.history(advisors=advisors, by="month", periods=HISTORY_MONTHS),
        "last_month": _last_month(timezone.localdate()),
    })


@require_GET
def advisor(request, advisor_code: str):
    adv = selectors.advisor_get_for_user(user=request.user, advisor_code=advisor_code)
    start, end = measures.week_of(timezone.localdate())
    audit_record(user=request.user, action="appraisal.advisor.view", object_type="advisor",
                 object_ids=[adv.advisor_id], request=request)
    target = selectors.targets_for(advisors=[adv])[adv.pk]
    return render(request, "appraisal/advisor.html", {
        "adv": adv, "rows": selectors.progress(advisors=[adv], start=start, end=end), "start": start, "end": end,
        "weeks": selectors.history(advisors=[adv], by="week", periods=HISTORY_WEEKS),
        "months": selectors.history(advisors=[adv], by="month", periods=HISTORY_MONTHS),
        "form": TargetForm(instance=target) if can(request.user, Capability.SET_TARGETS) else None,
        "cards": selectors.scorecards_for(advisor=adv), "last_month": _last_month(timezone.localdate()),
    })


@require_GET
def today_panel(request):
    """Today's panel (loaded by the placeholder): the advisor's own week, no client named."""
    if request.user.role != Role.ADVISOR or request.user.advisor_id is None:
        raise Http404("panel")
    row = selectors.week_progress(advisor=request.user.advisor)
    return render(request, "appraisal/today_panel.html", {"panel": {"row": row}})


@require_POST
def targets(request, advisor_code: str):
    adv = selectors.advisor_get_for_user(user=request.user, advisor_code=advisor_code)
    require(request.user, Capability.SET_TARGETS)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.targets_set(user=request.user, advisor=adv, values=form.cleaned_data, request=request)
        messages.success(request, _("Targets saved."))
    else:
        messages.error(request, _("Targets not saved: check the figures."))
    return redirect("appraisal:advisor", advisor_code=adv.advisor_id)


def _items_for_page(card) -> list[dict]:
    return [{**i, "label": LABELS[i["key"]], "unit": UNITS[i["key"]], "deduction": deduction_cells(i)}
            for i in (card.items if card else [])]


@require_http_methods(["GET", "POST"])
def scorecard(request, advisor_code: str, month: str):
    adv = selectors.advisor_get_for_user(user=request.user, advisor_code=advisor_code)
    first = _month(month)
    card = selectors.scorecard_get(advisor=adv, month=first)
    if request.method == "POST":
        require(request.user, Capability.SIGN_SCORECARD)
        action = request.POST.get("action")
        try:
            if action == "compute":
                services.scorecard_compute(user=request.user, advisor=adv, month=first, request=request)
                messages.success(request, _("Scorecard computed from the month's data."))
            elif card is not None and action == "comment":
                form = CommentForm(request.POST)
                if form.is_valid():
                    services.scorecard_comment(user=request.user, card=card, comment=form.cleaned_data["comment"],
                                               request=request)
                    messages.success(request, _("Comment saved."))
            elif card is not None and action == "sign":
                services.scorecard_sign(user=request.user, card=card, request=request)
                messages.success(request, _("Signed off: this month is now locked."))
            else:
                return HttpResponse(status=400)
        except LockedError:
            messages.error(request, _("This month is signed off and locked; it cannot be changed."))
        except ValueError:
            messages.error(request, _("Compute the scorecard before signing it."))
        return redirect("appraisal:scorecard", advisor_code=adv.advisor_id, month=month)
    if card is None and not can(request.user, Capability.SIGN_SCORECARD):
        raise Http404("scorecard")
    audit_record(user=request.user, action="appraisal.scorecard.view", object_type="advisor",
                 object_ids=[adv.advisor_id], detail={"month": month}, request=request)
    return render(request, "appraisal/scorecard.html", {
        "adv": adv, "card": card, "month": first, "items": _items_for_page(card),
        "weight_total": weight_total(card.items if card else []),
        "comment_form": CommentForm(initial={"comment": card.comment if card else ""}),
    })


@require_GET
def scorecard_export(request, advisor_code: str, month: str, fmt: str):
    adv = selectors.advisor_get_for_user(user=request.user, advisor_code=advisor_code)
    card = selectors.scorecard_get(advisor=adv, month=_month(month))
    if card is None:
        raise Http404("scorecard")
    if fmt not in ("xlsx", "pdf"):
        raise PermissionDenied
    audit_record(user=request.user, action="appraisal.scorecard.export", object_type="advisor",
                 object_ids=[adv.advisor_id], detail={"month": month, "format": fmt}, request=request)
    if fmt == "xlsx":
        body, ctype = scorecard_xlsx(card), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, ctype = scorecard_pdf(card), "application/pdf"
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="scorecard-{adv.advisor_id}-{month}.{fmt}"'
    return resp
