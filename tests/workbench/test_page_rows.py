"""The list rows written in Python (Today's task rows, the client list's links and figures) show what the templates
showed: escaped values, the task's links and actions, labels in the page's language, the plural of "late"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from panhuo.clients.models import Client, Task
from panhuo.formatting import cn_amount, cn_percent
from panhuo.workbench.views.common import path_maker


@pytest.mark.parametrize("code", ["CA001", "C0000001", "a b", "客户1", "x%y", "a&b", "~:@!$'()*+,;=", "9876543210"])
def test_path_maker_gives_what_reverse_gives(code):
    assert path_maker("workbench:client")(code) == reverse("workbench:client", args=[code])


@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_path_maker_gives_what_reverse_gives_for_an_int_path(pk):
    assert path_maker("workbench:task_action")(pk) == reverse("workbench:task_action", args=[pk])


def _one_task(world, *, client="CA001", due_days_ago=1, **fields):
    alice, today = world.users["alice"], timezone.localdate()
    Task.objects.filter(client__client_id=client).delete()
    return Task.objects.create(client=world.clients[client], advisor_id=alice.advisor_id, kind="churn_risk",
                               priority=180, due=today - timedelta(days=due_days_ago), created_on=today,
                               reason_zh="流失<风险>", reason_en="churn <risk>", **fields)


def _row_html(body: str, pk: int) -> str:
    start = body.index(f'<tr id="task-{pk}"')
    return body[start:body.index("</tr>", body.index(f'id="slot-{pk}"')) + 5]


@pytest.mark.parametrize("lang,late,snoozed", [("zh-hans", "逾期1天", "已推迟"), ("en", "1 day late", "Snoozed")])
def test_today_row_shows_the_task_escaped_with_its_links_and_actions(world, lang, late, snoozed):
    c = Client.objects.get(client_id="CA001")
    c.name = "客户<b>&"
    c.save()
    task = _one_task(world, status="snoozed", snoozed_until=timezone.localdate())
    client = HttpClient(enforce_csrf_checks=True)     # the row's own form must carry a token that is accepted
    client.force_login(world.users["alice"])
    client.cookies["django_language"] = lang
    body = client.get("/today/").content.decode()
    row = _row_html(body, task.pk)
    assert 'class="task kind-churn_risk overdue"' in row and f'<span class="late">{late}</span>' in row
    assert '<a href="/clients/CA001/">客户&lt;b&gt;&amp;</a>' in row and "<b>" not in row
    assert ("流失&lt;风险&gt;" if lang == "zh-hans" else "churn &lt;risk&gt;") in row
    assert f'<span class="muted small">{snoozed}</span>' in row
    assert row.count(f'hx-get="/clients/CA001/contact/?task={task.pk}" hx-target="#slot-{task.pk}"') == 2
    assert f'hx-post="/tasks/{task.pk}/" hx-target="#task-{task.pk}"' in row
    assert 'value="snooze"' in row and 'value="hand_back"' in row
    assert f'<td colspan="5" id="slot-{task.pk}"></td>' in row
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    done = client.post(f"/tasks/{task.pk}/", {"action": "hand_back", "days": "3", "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "handed_back"


def test_today_row_of_a_handed_back_task_names_the_advisor_for_the_director(world, client):
    task = _one_task(world, status="handed_back", closed_at=timezone.now())
    client.force_login(world.users["director_a"])
    body = client.get("/today/").content.decode()
    row = _row_html(body, task.pk)
    assert '<span class="muted small">Alice 艾丽</span>' in row
    assert "hx-post" not in row and "log-contact" not in row


def test_client_list_rows_link_and_figures_as_the_filters_wrote_them(world, client):
    client.force_login(world.users["alice"])
    for lang in ("zh-hans", "en"):
        client.cookies["django_language"] = lang
        page = client.get("/clients/")
        body = page.content.decode()
        assert page.context["rows"]
        for r in page.context["rows"]:
            assert f'<a href="/clients/{r["client_id"]}/">{r["client_id"]}</a>' in body
            assert f'<td class="num">{cn_amount(r["snap__total_assets"], lang=lang)}</td>' in body
            assert f'<td class="num">{cn_percent(r["snap__churn_risk"])}</td>' in body
