"""From a campaign's invitation to the follow-up task: the treatment group is invited, the control group and the
do-not-contact clients are not, the script passes the real compliance review, attendance is a campaign outcome."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from panhuo.campaigns.models import CampaignMember
from panhuo.campaigns.selectors import campaign_event_outcome
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.review import script_approve, scripts_submit
from panhuo.clients.events import link_token
from panhuo.clients.models import ClientSnapshot, EventRegistration, Task, TaskKind
from panhuo.events import services
from tests.events.conftest import make_event

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


def _world(cast, n: int = 40):
    from panhuo.clients.models import Client

    for i in range(n):
        adv = cast.advisors["alice" if i % 2 else "bob"]
        Client.objects.create(client_id=f"CX{i:03d}", branch=cast.branches["A"], advisor=adv, name=f"客户X{i}")
    for c in Client.objects.filter(branch=cast.branches["A"]):
        ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 20), total_assets=50_000, tier="mass",
                                      lifecycle="dormant", is_dormant=True)
    dnc = Client.objects.get(client_id="CX000")
    dnc.do_not_contact = True
    dnc.save()
    return dnc


def _campaign(cast, event):
    director = cast.users["director_a"]
    camp = campaign_create(user=director, name="讲座邀约", rules=[], channels=["phone"], script=SCRIPT,
                           control_share=0.3, event=event)
    for review in scripts_submit(user=director, campaign=camp):
        script_approve(user=cast.users["compliance"], review_id=review.pk)
    return camp


def test_invitation_to_follow_up_task_end_to_end(cast):
    dnc = _world(cast)
    event = make_event(cast, capacity=None, days=5)
    camp = _campaign(cast, event)
    summary = campaign_launch(user=cast.users["director_a"], campaign_id=camp.pk)
    members = CampaignMember.objects.filter(campaign=camp)
    treatment = set(members.filter(group="treatment").values_list("client_id", flat=True))
    control = set(members.filter(group="control").values_list("client_id", flat=True))
    invited = set(EventRegistration.objects.filter(event=event).values_list("client_id", flat=True))
    assert control and treatment
    assert invited == treatment and not invited & control and dnc.pk not in invited
    assert summary["invited"] == len(treatment)
    assert set(EventRegistration.objects.filter(event=event).values_list("status", flat=True)) == {"invited"}
    assert set(EventRegistration.objects.filter(event=event).values_list("campaign_id", flat=True)) == {camp.pk}

    # Two invited clients answer through their links; one comes, one does not.
    regs = list(EventRegistration.objects.filter(event=event).order_by("client__client_id")[:2])
    came, absent = (services.link_answer(token=link_token(r), accept=True) for r in regs)
    assert came.status == absent.status == "registered"
    services.event_check_in(user=cast.users["director_a"], event=event, token_or_code=came.code)
    event.starts_at = event.starts_at.replace(year=2026, month=1, day=10)     # held (in the past) before closing
    event.ends_at = event.ends_at.replace(year=2026, month=1, day=10)
    event.save()
    services.event_close(user=cast.users["director_a"], event=event)
    for reg, word in ((came, "已到场"), (absent, "未到场")):
        task = Task.objects.get(client_id=reg.client_id, kind=TaskKind.EVENT_FOLLOW_UP)
        assert word in task.reason_zh and task.advisor_id == reg.client.advisor_id

    # Attendance is a campaign outcome: the treatment group came, the control group was never invited.
    rows = {r["group"]: r for r in campaign_event_outcome(user=cast.users["director_a"], campaign=camp)}
    assert rows["treatment"]["invited"] == len(treatment)
    assert (rows["treatment"]["registered"], rows["treatment"]["attended"]) == (2, 1)
    assert (rows["control"]["invited"], rows["control"]["attended"]) == (0, 0)
    assert rows["control"]["members"] == len(control)


def test_a_campaign_cannot_invite_to_an_event_whose_materials_are_not_approved(cast):
    _world(cast, 6)
    event = make_event(cast, approve=False)
    camp = _campaign(cast, event)
    with pytest.raises(ValidationError) as e:
        campaign_launch(user=cast.users["director_a"], campaign_id=camp.pk)
    assert "materials" in str(e.value)
    assert not EventRegistration.objects.filter(event=event).exists()
