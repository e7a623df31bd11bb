from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panhuo.audit.services import audit_record
from panhuo.workbench.forms import TaskActionForm
from panhuo.workbench.scripts import script_render
from panhuo.workbench.selectors import tasks_for_user
from panhuo.workbench.services.tasks import task_act
from panhuo.workbench.views.common import lang_is_zh

TODAY_LIMIT = 40   # a day's work; the rest wait for tomorrow's queue


def _task_rows(tasks, zh: bool) -> list[dict]:
    rows = []
    for t in tasks:
        rows.append({
            "task": t, "reason": t.reason_zh if zh else (t.reason_en or t.reason_zh),
            "script": script_render(kind=t.script_key or t.kind, lang="zh" if zh else "en", name=t.client.name,
                                    advisor=t.advisor.name, branch=t.client.branch.name,
                                    days_since_last_trade=t.days_idle, total_assets=t.assets),
        })
    return rows


@require_GET
def today(request):
    """The advisor's task queue by priority, each with its reason, a suggested script and a quick contact log."""
    tasks = list(tasks_for_user(user=request.user)[:TODAY_LIMIT])
    audit_record(user=request.user, action="today.view", object_type="client",
                 object_ids=[t.client.client_id for t in tasks], request=request)
    return render(request, "workbench/today.html", {
        "rows": _task_rows(tasks, lang_is_zh()), "limit": TODAY_LIMIT,
        "actions": [("done", _("Done")), ("snooze", _("Snooze 3 days")), ("hand_back", _("Hand back"))],
    })


@require_POST
def task_action(request, task_id: int):
    form = TaskActionForm(request.POST)
    if not form.is_valid():
        return render(request, "workbench/partials/task_gone.html", {"error": True}, status=400)
    try:
        task = task_act(user=request.user, task_id=task_id, action=form.cleaned_data["action"],
                        snooze_days=form.cleaned_data["days"], request=request)
    except ValidationError:
        return render(request, "workbench/partials/task_gone.html", {"error": True}, status=400)
    if request.headers.get("HX-Request"):
        return render(request, "workbench/partials/task_gone.html", {"task": task})
    return redirect("workbench:today")
