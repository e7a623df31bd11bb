"""Today (issue 19): one row per client with every reason, late tasks marked, the masked phone and the assets in
the row, "Done" asks for the outcome instead of closing the task without one; on a 390 px phone the list fits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panhuo.clients.masking import mask_phone
from panhuo.clients.models import Client, Task


def _two_tasks_for_ca001(world):
    alice = world.users["alice"]
    today = timezone.localdate()
    Task.objects.filter(client__client_id="CA001").delete()
    for kind, prio, due, zh in (("churn_risk", 180, today, "流失风险80%"),
                                ("follow_up", 100, today - timedelta(days=4), "约定回访")):
        Task.objects.create(client=world.clients["CA001"], advisor_id=alice.advisor_id, kind=kind, priority=prio,
                            due=due, created_on=today, reason_zh=zh, reason_en=zh)


def test_one_row_per_client_with_every_reason_late_marked_phone_and_assets(world, client):
    _two_tasks_for_ca001(world)
    client.force_login(world.users["alice"])
    page = client.get("/today/")
    rows = [r for r in page.context["rows"] if r["client_id"] == "CA001"]
    assert len(rows) == 1                                             # the same client once
    row = rows[0]
    assert [m["reason"] for m in row["more"]] == ["约定回访"] and row["reason"] == "流失风险80%"
    assert row["late"] == 4                                           # the follow-up is 4 days late
    body = page.content.decode()
    assert 'class="task kind-churn_risk overdue"' in body and "逾期4天" in body
    phone = Client.objects.get(client_id="CA001").phone
    assert mask_phone(phone) in body and phone not in body
    assert row["assets"] == "10.00万"                                 # 100,000 in the fixture


def test_done_without_an_outcome_asks_for_it_and_keeps_the_task_open(world, client):
    _two_tasks_for_ca001(world)
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk")
    client.force_login(world.users["alice"])
    r = client.post(f"/tasks/{task.pk}/", {"action": "done", "days": 3})
    assert r.status_code == 302 and r["Location"] == f"/clients/CA001/?task={task.pk}#contact"
    task.refresh_from_db()
    assert task.status == "open"
    page = client.get(r["Location"]).content.decode()
    assert f'name="task_id" value="{task.pk}"' in page               # the contact form will close it
    client.post("/clients/CA001/contact/", {"channel": "phone", "outcome": "reached", "task_id": task.pk})
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.browser
def test_today_fits_a_390px_phone_with_log_contact_in_view(live_server, transactional_db, world):
    from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot

    _two_tasks_for_ca001(world)
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        for lang in ("zh-hans", "en"):
            page = new_page(browser, width=390, height=844)
            log_in(page, live_server.url, "alice", world.password)
            if lang == "en":
                page.click("button[value=en]")
                page.wait_for_load_state()
            page.goto(f"{live_server.url}/today/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, width                                  # no sideways scrolling
            button = page.locator("tr.task", has_text="客户CA001").locator("button.log-contact")
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
            screenshot(page, f"today-phone-{lang}")
            button.click()
            page.locator("form.contact-form").wait_for()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            screenshot(page, f"today-phone-contact-{lang}")
            page.close()
        browser.close()
