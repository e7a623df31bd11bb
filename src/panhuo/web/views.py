from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from panhuo.clients.models import Lifecycle
from panhuo.clients.selectors import branch_overview
from panhuo.web.health import store_health


@require_GET
def home(request):
    """The branch at a glance, over the clients the user may see."""
    overview = branch_overview(user=request.user)
    labels = dict(Lifecycle.choices)
    for row in overview["by_lifecycle"]:
        row["label"] = labels.get(row["lifecycle"], row["lifecycle"] or "—")
    chart = [{"label": str(r["label"]), "n": r["n"]} for r in overview["by_lifecycle"]]
    return render(request, "web/home.html", {"overview": overview, "lifecycle_chart": chart})


@login_not_required
@never_cache
@require_GET
def health(request):
    """For monitors and the branch's IT: answers without login and reveals no client data, only whether both
    stores answer and the date of the last daily run (the latest snapshot). 503 when a store is down."""
    report = store_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def server_error(request):
    """The 500 page in the app's layout (menu, language, a way back). Django's own handler renders without the
    request, so the menu would be missing; if even this page fails, a plain line is better than nothing."""
    from django.http import HttpResponseServerError

    try:
        return render(request, "500.html", status=500)
    except Exception:   # noqa: BLE001 — the error page must never raise
        return HttpResponseServerError("500 · 服务器错误 / Server error", content_type="text/plain; charset=utf-8")
