"""Pages that agree with each other and say what they mean (issue 19): the branch dashboard and Today count the
same late first contacts; the 360 page shows 0 days for a client who traded today; reasons are labelled by what
they explain."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panhuo.clients.models import ClientSnapshot, Task
from panhuo.workbench.services.clients import client_reassign
from panhuo.workbench.services.tasks import tasks_generate


def test_a_first_contact_task_late_beyond_the_look_back_is_still_flagged_on_the_dashboard(world, client):
    today = timezone.localdate()
    client_reassign(user=world.users["director_a"], client_ids=["CU001"], advisor_id="A01",
                    on=today - timedelta(days=10))
    tasks_generate(as_of=today)
    task = Task.objects.get(client__client_id="CU001", status="open", kind="protection")
    # Weeks later nobody has called: the assignment is now older than the look-back window, the task still open.
    Task.objects.filter(pk=task.pk).update(due=today - timedelta(days=23))
    world.clients["CU001"].__class__.objects.filter(client_id="CU001").update(assigned_on=today - timedelta(days=30 + 23))
    client.force_login(world.users["director_a"])
    page = client.get("/branch/")
    assert page.context["overdue_count"] == 1
    assert "新分配的客户均已按时联系" not in page.content.decode()


def test_days_since_the_last_trade_of_someone_who_traded_today_is_0_not_a_dash(world, client):
    ClientSnapshot.objects.filter(client__client_id="CA001").update(days_since_last_trade=0)
    client.force_login(world.users["alice"])
    body = client.get("/clients/CA001/").content.decode()
    assert '<span class="value">0</span>' in body


def test_reasons_under_the_flag_level_are_labelled_as_what_moved_the_score(world, client):
    client.force_login(world.users["alice"])
    ClientSnapshot.objects.filter(client__client_id="CA001").update(churn_risk=0.049)
    body = client.get("/clients/CA001/").content.decode()
    assert "影响流失评分的因素" in body and "流失风险高的原因" not in body and "4.9%" in body
    ClientSnapshot.objects.filter(client__client_id="CA001").update(churn_risk=0.8)
    body = client.get("/clients/CA001/").content.decode()
    assert "流失风险高的原因" in body and "影响流失评分的因素" not in body
    assert "仍活跃概率" in body and "存活概率" not in body       # one term for P(alive)
