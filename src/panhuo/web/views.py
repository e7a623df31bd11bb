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
