from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from panhuo.accounts.models import Role
from panhuo.audit.services import audit_record
from panhuo.clients.models import Lifecycle, RiskLevel, Stage, Track
from panhuo.workbench.selectors import PAGE_SIZE, SORTS, ClientFilters, clients_by_ids_for_user, clients_list
from panhuo.workbench.services.clients import advisor_choices
from panhuo.workbench.services.export import clients_workbook
from panhuo.workbench.views.common import lang_is_zh, masked_rows, segment_choices

FILTER_KEYS = ("q", "segment", "tier", "lifecycle", "risk", "advisor", "stage", "sort")


def _filters(request) -> ClientFilters:
    return ClientFilters(**{k: request.GET.get(k, "").strip()[:64] for k in FILTER_KEYS if request.GET.get(k)})


@require_GET
def client_list(request):
    """Filter, search, sort and page through the clients in reach; partial for HTMX, page otherwise."""
    filters = _filters(request)
    page = Paginator(clients_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "client-results"
    if filters.q and not partial and page.paginator.count == 1:
        # A search (the header's box) that finds one client opens that client.
        return redirect("workbench:client", client_id=page.object_list[0]["client_id"])
    rows = masked_rows(page.object_list)
    audit_record(user=request.user, action="clients.list", object_type="client",
                 object_ids=[r["client_id"] for r in rows], detail={"filters": vars(filters)}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"page": page, "rows": rows, "filters": filters, "query": query.urlencode(),
           "query_items": [(k, v) for k, vs in query.lists() for v in vs],    # the page jump keeps the filters
           "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
           "advisors": advisor_choices(user=request.user) if request.user.role != Role.ADVISOR else []}
    if partial:
        return render(request, "workbench/partials/client_rows.html", ctx)
    ctx.update({
        "lifecycles": Lifecycle.choices, "risks": RiskLevel.choices, "stages": Stage.choices,
        "tiers": segment_choices("tier", lang_is_zh()), "segments": segment_choices("value", lang_is_zh()),
        "sorts": list(SORTS),
    })
    return render(request, "workbench/clients.html", ctx)


@require_GET
def client_export(request):
    """The filtered list (or the ticked clients) as an Excel file: personal columns masked, formulas neutralised."""
    ids = request.GET.getlist("ids")
    if ids:
        qs = clients_list(user=request.user, filters=ClientFilters()).filter(
            pk__in=clients_by_ids_for_user(user=request.user, client_ids=ids).values("pk"))
    else:
        qs = clients_list(user=request.user, filters=_filters(request))
    with translation.override("zh-hans"):     # the sheet is the branch's: codes as the Chinese words
        labels = {"tier": dict(segment_choices("tier", True)),
                  **{k: {c: str(v) for c, v in choices} for k, choices in (
                      ("lifecycle", Lifecycle.choices), ("stage", Stage.choices), ("track", Track.choices))}}
    data, exported = clients_workbook(rows=qs, labels=labels)
    audit_record(user=request.user, action="clients.export", object_type="client", object_ids=exported,
                 detail={"rows": len(exported), "masked": True}, request=request)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="clients-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
