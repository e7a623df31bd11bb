"""Task generation from snapshots and contacts, the Today queue's order, done / snooze / hand back."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panhuo.clients.models import ClientSnapshot, Task
from panhuo.workbench.services.clients import client_reassign
from panhuo.workbench.services.tasks import tasks_generate

ORDER = ["campaign", "protection", "churn_risk", "dormant_reachable", "follow_up"]


def test_generation_is_idempotent(world):
    today = timezone.localdate()
    before = list(Task.objects.order_by("pk").values_list("pk", "client_id", "kind", "status", "priority"))
    assert tasks_generate(as_of=today) == {"created": 0, "refreshed": 0, "closed_do_not_contact": 0,
                                              "closed_contacted": 0}
    assert list(Task.objects.order_by("pk").values_list("pk", "client_id", "kind", "status", "priority")) == before


def test_a_changed_snapshot_refreshes_its_open_task_and_no_other(world):
    """The refresh (on PostgreSQL one UPDATE from arrays, elsewhere bulk_update) writes the new priority, both
    reasons and the due date to that task only; a snapshot below every threshold raises nothing."""
    today = timezone.localdate()
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk", status="open")
    others = list(Task.objects.exclude(pk=task.pk).order_by("pk").values_list("pk", "priority", "reason_zh", "due"))
    Task.objects.filter(pk=task.pk).update(due=today - timedelta(days=3))
    ClientSnapshot.objects.filter(client__client_id="CA001", is_latest=True).update(churn_risk=0.95)
    ClientSnapshot.objects.filter(client__client_id="CA002", is_latest=True).update(
        churn_risk=None, is_dormant=False, p_alive=0.99)
    out = tasks_generate(as_of=today)
    assert (out["created"], out["refreshed"]) == (0, 1)
    task.refresh_from_db()
    assert (task.priority, task.due) == (300 + 95, today)
    assert task.reason_zh.startswith("流失风险95%") and task.reason_en.startswith("Churn risk 95%")
    assert list(Task.objects.exclude(pk=task.pk).order_by("pk").values_list("pk", "priority", "reason_zh",
                                                                              "due")) == others


def test_each_task_has_its_reason_and_the_queue_follows_the_priority_bands(world, client):
    # CA001: churn risk 0.8; CB002: churn risk too; follow-ups for everyone from the world's contacts.
    ClientSnapshot.objects.filter(client__client_id="CA002").update(is_dormant=True, churn_risk=0.1, p_alive=0.7,
                                                                    days_since_last_trade=250)
    tasks_generate(as_of=timezone.localdate())
    client.force_login(world.users["alice"])
    assert "follow_up" not in [r["kind"] for r in client.get("/today/").context["rows"]]   # not yet due
    Task.objects.filter(kind="follow_up").update(due=timezone.localdate())
    rows = client.get("/today/").context["rows"]
    kinds = [r["kind"] for r in rows]
    assert kinds == sorted(kinds, key=ORDER.index)
    # One row per client: a client's lower tasks ride along in its row ("more").
    assert {"churn_risk", "dormant_reachable", "follow_up"} <= set(kinds) | {m["kind"] for r in rows for m in r["more"]}
    dormant = next(r for r in rows if r["client_id"] == "CA002")
    assert "dormant_reachable" in [dormant["kind"], *(m["kind"] for m in dormant["more"])]
    if dormant["kind"] == "dormant_reachable":                        # leads its row: its script is shown
        assert "250" in dormant["reason"] and "250" in dormant["script"]     # filled with the client's data
    else:
        assert any("250" in m["reason"] for m in dormant["more"])
    churn = next(r for r in rows if r["client_id"] == "CA001" and r["kind"] == "churn_risk")
    assert "理由CA001" in churn["reason"]


def test_done_tasks_are_not_raised_again_within_the_cooldown(world, client):
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk", status="open")
    client.force_login(world.users["alice"])
    # Done is done with an outcome: the contact that answers the task closes it.
    client.post("/clients/CA001/contact/", {"channel": "phone", "outcome": "reached", "task_id": task.pk})
    assert tasks_generate(as_of=timezone.localdate())["created"] == 0
    assert not Task.objects.filter(client__client_id="CA001", kind="churn_risk", status="open").exists()


def test_snooze_hides_the_task_until_its_day_and_hand_back_goes_to_the_director(world, client):
    alice = world.users["alice"]
    client.force_login(alice)
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk", status="open")
    client.post(f"/tasks/{task.pk}/", {"action": "snooze", "days": "3"})
    task.refresh_from_db()
    assert (task.status, task.snoozed_until) == ("snoozed", timezone.localdate() + timedelta(days=3))
    assert task.pk not in [r["pk"] for r in client.get("/today/").context["rows"]]
    assert client.post(f"/tasks/{task.pk}/", {"action": "snooze", "days": "30"}).status_code == 400
    client.post(f"/tasks/{task.pk}/", {"action": "hand_back"})
    client.force_login(world.users["director_a"])
    assert task.pk in [r["pk"] for r in client.get("/today/").context["rows"]]
    assert "客户CA001" in client.get("/branch/").content.decode()


def test_a_new_assignment_gets_a_protection_task_and_is_flagged_when_the_period_passes(world, client):
    today = timezone.localdate()
    client_reassign(user=world.users["director_a"], client_ids=["CU001"], advisor_id="A01",
                    on=today - timedelta(days=10))
    tasks_generate(as_of=today)
    task = Task.objects.get(client__client_id="CU001", status="open", kind="protection")
    assert (task.kind, task.advisor.advisor_id, task.due) == ("protection", "A01", today - timedelta(days=3))
    client.force_login(world.users["director_a"])
    page = client.get("/branch/")
    assert page.context["overdue_count"] == 1 and "客户CU001" in page.content.decode()
    client.force_login(world.users["alice"])
    client.post("/clients/CU001/contact/", {"channel": "visit", "outcome": "reached", "task_id": task.pk})
    client.force_login(world.users["director_a"])
    assert client.get("/branch/").context["overdue_count"] == 0
    task.refresh_from_db()
    assert task.status == "done"


def test_the_advisor_table_counts_clients_contacts_and_deals(world, client):
    client.force_login(world.users["manager_a"])
    table = {a.advisor_id: a for a in client.get("/branch/").context["advisors"]}
    assert set(table) == {"A01", "A02"}
    assert (table["A01"].n_clients, table["A02"].n_clients) == (3, 2)
    assert table["A01"].dormant == 0 and table["A02"].dormant == 1    # CA003 (n=3) is dormant
    before = table["A01"].contacts_week
    client.post("/clients/CA001/contact/", {"channel": "phone", "outcome": "reached"})
    table = {a.advisor_id: a for a in client.get("/branch/").context["advisors"]}
    assert table["A01"].contacts_week == before + 1


def test_a_branch_can_set_its_own_protection_period(world, client):
    from panhuo.clients.models import BranchPolicy

    today = timezone.localdate()
    client_reassign(user=world.users["director_a"], client_ids=["CU001"], advisor_id="A01",
                    on=today - timedelta(days=10))
    BranchPolicy.objects.create(branch=world.branches["A"], protection_days=14)
    tasks_generate(as_of=today)
    task = Task.objects.get(client__client_id="CU001", status="open", kind="protection")
    assert task.due == today + timedelta(days=4)
    client.force_login(world.users["director_a"])
    assert client.get("/branch/").context["overdue_count"] == 0        # still within the branch's 14 days
