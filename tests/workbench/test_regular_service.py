"""Regular service (定期回访) by tier and the onboarding sequence: which quiet clients get a task, which do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panhuo.clients.models import BranchPolicy, ClientSnapshot, ConsentRecord, Contact, Task
from panhuo.workbench.services import tasks as tasks_service
from panhuo.workbench.services.tasks import tasks_generate

TIERS = {"CA001": "vip", "CA002": "core", "CA003": "mass", "CB001": "vip", "CB002": "vip", "CC001": "vip",
         "CC002": "core"}


@pytest.fixture
def quiet(cast):
    """Every client calm (no churn, not dormant), with a tier; no contact on record yet."""
    today = timezone.localdate()
    for cid, tier in TIERS.items():
        ClientSnapshot.objects.create(client=cast.clients[cid], as_of=today, tier=tier, total_assets=500_000,
                                      churn_risk=0.1, is_dormant=False, p_alive=0.9, days_since_last_trade=5)
    return cast


def contacted(cast, cid, days_ago, user="alice"):
    Contact.objects.create(client=cast.clients[cid], advisor=cast.clients[cid].advisor, by=cast.users[user],
                           channel="phone", outcome="reached", at=timezone.now() - timedelta(days=days_ago))


def regular(cid):
    return Task.objects.filter(client__client_id=cid, kind="regular", status="open").first()


def test_clients_not_contacted_within_their_tiers_cadence_get_a_regular_task(quiet):
    contacted(quiet, "CA001", 40)                 # VIP, every 30 days: due
    contacted(quiet, "CA002", 40)                 # core, every 90 days: not yet
    contacted(quiet, "CB001", 10, user="bob")     # VIP contacted 10 days ago: not due
    tasks_generate(as_of=timezone.localdate())
    assert regular("CA001") is not None and "40" in regular("CA001").reason_zh
    assert regular("CA002") is None and regular("CB001") is None
    assert regular("CA003") is not None           # mass, never contacted
    # VIP above core above mass, all between follow-up (150) and dormant (200)
    assert 150 < regular("CA003").priority < regular("CB002").priority < 200


def test_the_cadence_is_the_branchs_own(quiet):
    BranchPolicy.objects.create(branch=quiet.branches["A"], cadence_vip_days=60)
    contacted(quiet, "CA001", 40)
    contacted(quiet, "CC001", 40, user="charlie")   # branch B keeps the default 30 days
    tasks_generate(as_of=timezone.localdate())
    assert regular("CA001") is None and regular("CC001") is not None


def test_do_not_contact_and_refused_phone_and_visit_get_no_task(quiet):
    quiet.clients["CA001"].do_not_contact = True
    quiet.clients["CA001"].save()
    now = timezone.now()
    for channel in ("phone", "visit"):
        ConsentRecord.objects.create(client=quiet.clients["CB001"], channel=channel, granted=False, source="form",
                                     at=now)
    ConsentRecord.objects.create(client=quiet.clients["CB002"], channel="phone", granted=False, source="form", at=now)
    tasks_generate(as_of=timezone.localdate())
    assert regular("CA001") is None and regular("CB001") is None
    assert regular("CB002") is not None            # a visit is still allowed


def test_generation_is_idempotent_capped_per_advisor_and_a_contact_settles_the_task(quiet, monkeypatch):
    monkeypatch.setattr(tasks_service, "REGULAR_CAP_PER_ADVISOR", 1)
    today = timezone.localdate()
    contacted(quiet, "CA003", 400)
    tasks_generate(as_of=today)
    assert tasks_generate(as_of=today)["created"] == 0
    # alice's one slot goes to a client never contacted, VIP before core at equal books
    assert [t.client.client_id for t in Task.objects.filter(kind="regular", advisor__advisor_id="A01")] == ["CA001"]
    contacted(quiet, "CA001", 0)
    out = tasks_generate(as_of=today)
    assert out["closed_contacted"] == 1 and regular("CA001") is None
    assert regular("CA002") is not None             # the next in line takes the slot


def test_a_client_with_another_task_in_hand_gets_no_regular_task(quiet):
    ClientSnapshot.objects.filter(client__client_id="CA001").update(churn_risk=0.9)
    tasks_generate(as_of=timezone.localdate())
    assert Task.objects.filter(client__client_id="CA001", kind="churn_risk").exists() and regular("CA001") is None


def test_a_new_account_is_contacted_within_n_days_and_checked_at_30(quiet):
    today = timezone.localdate()
    new = quiet.clients["CA001"]
    new.open_date = today - timedelta(days=2)
    new.save()
    tasks_generate(as_of=today)
    task = Task.objects.get(client=new, kind="onboarding", status="open")
    assert task.due == new.open_date + timedelta(days=7) and task.priority > 400
    contacted(quiet, "CA001", 0)
    tasks_generate(as_of=today)
    assert not Task.objects.filter(client=new, kind="onboarding", status="open").exists()
    # 30 days after opening: the check-in, although the first step closed less than the cooldown ago
    check_day = new.open_date + timedelta(days=30)
    Contact.objects.filter(client=new).update(at=timezone.now() - timedelta(days=2))
    tasks_generate(as_of=check_day)
    check = Task.objects.get(client=new, kind="onboarding", status="open")
    assert check.due == check_day and "30" in check.reason_zh
    assert tasks_generate(as_of=check_day)["created"] == 0
    # long after the window: nothing more
    Task.objects.filter(client=new).update(status="done", closed_at=timezone.now())
    Task.objects.filter(client=new, kind="onboarding").delete()
    tasks_generate(as_of=new.open_date + timedelta(days=60))
    assert not Task.objects.filter(client=new, kind="onboarding").exists()


def test_todays_list_keeps_places_for_regular_service_below_busier_bands(quiet, monkeypatch):
    from panhuo.workbench import selectors

    ClientSnapshot.objects.filter(client__client_id__in=["CA001", "CA002"]).update(churn_risk=0.9)
    tasks_generate(as_of=timezone.localdate())
    monkeypatch.setattr(selectors, "REGULAR_SLOTS", 1)
    kinds = [t.kind for t in selectors.today_queue(user=quiet.users["alice"], limit=2)]
    assert kinds == ["churn_risk", "regular"]
    monkeypatch.setattr(selectors, "REGULAR_SLOTS", 0)
    assert [t.kind for t in selectors.today_queue(user=quiet.users["alice"], limit=2)] == ["churn_risk"] * 2
