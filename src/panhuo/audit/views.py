"""The audit trail for compliance and administrators: a filtered, paginated list and its Excel export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from panhuo.audit.forms import AuditFilterForm
from panhuo.audit.labels import action_label, detail_summary, object_label, outcome_label, role_label
from panhuo.audit.selectors import PAGE_SIZE, audit_events, audit_usernames
from panhuo.audit.services import audit_export, audit_record, audit_require_reader

SHOWN_OBJECTS = 5


def _row(e) -> dict:
    ids = [str(i) for i in e.object_ids or []]
    return {"seq": e.seq, "at": e.at, "username": e.username, "role": role_label(e.role),
            "action": action_label(e.action), "object_type": object_label(e.object_type),
            "objects": ids[:SHOWN_OBJECTS], "more_objects": max(len(ids) - SHOWN_OBJECTS, 0),
            "client_links": e.object_type == "client", "outcome": outcome_label(e.outcome),
            "denied": e.outcome == "denied", "summary": detail_summary(e.detail), "ip": e.ip or ""}


@never_cache
@require_GET
def event_list(request):
    audit_require_reader(user=request.user, request=request)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(audit_events(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(e) for e in page.object_list]   # read before this reading is recorded: the page counted without it
    audit_record(user=request.user, action="audit.view", object_type="audit",
                 detail={"filters": filters.as_dict(), "page": page.number}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode(),
                                               "usernames": audit_usernames()})


@never_cache
@require_GET
def event_export(request):
    data, _rows = audit_export(user=request.user, filters=AuditFilterForm(request.GET).filters(), request=request)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
