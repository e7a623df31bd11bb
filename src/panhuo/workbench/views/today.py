from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panhuo.accounts.models import Role
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.clients.masking import mask_phone
from panhuo.clients.models import TaskKind
from panhuo.clients.registry import task_scripts, today_panels
from panhuo.formatting import cn_amount, cn_date
from panhuo.outreach.scripts import task_script
from panhuo.workbench.forms import TaskActionForm
from panhuo.workbench.selectors import today_queue
from panhuo.workbench.services.tasks import task_act, task_get_for_user
from panhuo.workbench.views.common import lang_is_zh, path_maker
from panhuo.workbench.views.today_rows import task_rows_html

TODAY_LIMIT = 40   # a day's work; the rest wait for tomorrow's queue


def _task_rows(tasks, zh: bool) -> list[dict]:
    """One row per client (the queue is by priority, so the client's first task leads the row); the client's
    other open tasks add their kinds and reasons to it, so nobody is called twice for two reasons."""
    lang = "zh" if zh else "en"
    kinds = dict(TaskKind.choices)
    today = timezone.localdate()
    lang_code = get_language() or "zh-hans"
    client_path, action_path = path_maker("workbench:client"), path_maker("workbench:task_action")
    rows, by_client = [], {}
    tasks = list(tasks)
    # A task a feature created (a campaign's) carries that feature's script (话术), from the core's registry.
    campaign_scripts = task_scripts(tasks=tasks)
    for t in tasks:
        c = t.client
        reason = t.reason_zh if zh else (t.reason_en or t.reason_zh)
        late = (today - t.due).days if t.due and t.due < today else 0
        if c.pk in by_client:
            row = by_client[c.pk]
            row["more"].append({"kind": t.kind, "kind_label": kinds.get(t.kind, t.kind), "reason": reason})
            row["late"] = max(row["late"], late)
            continue
        client_url = client_path(c.client_id)
        row = by_client[c.pk] = {
            # `key` is the id as the template writes it (five times a row): a string, which the template engine
            # prints as is, where an int goes through number localisation each time.
            "pk": t.pk, "key": str(t.pk), "kind": t.kind, "kind_label": kinds.get(t.kind, t.kind),
            "snoozed": t.status == "snoozed", "name": c.name, "client_id": c.client_id, "advisor": t.advisor.name,
            "phone": mask_phone(c.phone), "assets": cn_amount(t.assets, lang=lang_code),
            "client_url": client_url, "contact_url": f"{client_url}contact/?task={t.pk}",
            "action_url": action_path(t.pk),
            "due": cn_date(t.due), "late": late, "more": [],
            "reason": reason,
            "script": campaign_scripts.get(t.pk) or task_script(
                kind=t.script_key or t.kind, lang=lang, name=c.name, advisor=t.advisor.name, branch=c.branch.name,
                days_since_last_trade=t.days_idle, total_assets=t.assets),
        }
        rows.append(row)
    return rows


def _action_buttons():
    # "Done" is not here: a task is done by logging its contact with an outcome (the row's first buttons).
    return format_html_join("", '<button type="submit" name="action" value="{}" class="small act-{}">{}</button>',
                            ((a, a, label) for a, label in (("snooze", _("Snooze 3 days")),
                                                            ("hand_back", _("Hand back")))))


@require_GET
def today(request):
    """The advisor's task queue by priority, each with its reason, a suggested script and a quick contact log."""
    tasks = today_queue(user=request.user, limit=TODAY_LIMIT)
    audit_record(user=request.user, action="today.view", object_type="client",
                 object_ids=[t.client.client_id for t in tasks], request=request)
    rows, is_advisor = _task_rows(tasks, lang_is_zh()), request.user.role == Role.ADVISOR
    task_rows_html(rows, is_advisor=is_advisor, csrf_token=get_token(request), action_buttons=_action_buttons())
    return render(request, "workbench/today.html", {
        "rows": rows, "limit": TODAY_LIMIT, "is_advisor": is_advisor,
        "panels": today_panels(user=request.user),   # other features' sections (clients.registry)
    })


@require_POST
def task_action(request, task_id: int):
    form = TaskActionForm(request.POST)
    if not form.is_valid():
        return render(request, "workbench/partials/task_gone.html", {"error": True}, status=400)
    if form.cleaned_data["action"] == "done":
        # Done without an outcome would lose what happened: ask for it (the contact form closes the task).
        task = task_get_for_user(user=request.user, task_id=task_id)
        require(request.user, Capability.SERVE)
        messages.info(request, _("Record the outcome of the contact to complete the task."))
        url = reverse("workbench:client", args=[task.client.client_id]) + f"?task={task.pk}#contact"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})   # a page, not a swap into the row
        return redirect(url)
    try:
        task = task_act(user=request.user, task_id=task_id, action=form.cleaned_data["action"],
                        snooze_days=form.cleaned_data["days"], request=request)
    except ValidationError:
        return render(request, "workbench/partials/task_gone.html", {"error": True}, status=400)
    if request.headers.get("HX-Request"):
        return render(request, "workbench/partials/task_gone.html", {"task": task})
    return redirect("workbench:today")
