"""Launch: lint blocks, exclusions recorded before the split, stratified holdout, Today tasks within caps."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.campaigns.models import CampaignMember, CampaignStatus
from panhuo.campaigns.selectors import segment_preview
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.clients.consent import consent_record
from panhuo.clients.models import Task, TaskKind
from panhuo.clients.selectors import client_get_for_user

from .conftest import SMS_SCRIPT

PHONE_SCRIPT = "{name}您好，好久没见您来营业部了，最近有一场投资者教育讲座，想邀请您参加。投资有风险，入市需谨慎。"
DORMANT = [{"field": "lifecycle", "op": "eq", "value": "dormant"}]


def _create(world, **kw):
    args = dict(name="唤醒", rules=DORMANT, channels=["phone"], script=PHONE_SCRIPT, seed=42)
    args.update(kw)
    return campaign_create(user=world.users["director_a"], **args)


def test_preview_counts_the_segment_within_reach(branch_world):
    w = branch_world
    rules = DORMANT + [{"field": "total_assets", "op": "gte", "value": 200_000}]
    p = segment_preview(user=w.users["director_a"], rules=rules)
    assert p["count"] == 11 and p["assets"] == sum(10_000 * (n + 1) for n in range(19, 30))
    assert segment_preview(user=w.users["charlie"], rules=rules)["count"] == 0        # branch B sees none
    feat = segment_preview(user=w.users["director_a"], rules=[{"field": "features.max_drawdown", "op": "lte",
                                                                "value": -0.25}])
    assert feat["count"] == 5
    with pytest.raises(ValidationError):
        segment_preview(user=w.users["director_a"], rules=[{"field": "client__phone", "op": "eq", "value": "1"}])


def test_a_promise_blocks_the_launch(branch_world):
    c = _create(branch_world, script="{name}您好，这只产品保本保收益，稳赚不赔！")
    with pytest.raises(ValidationError) as e:
        campaign_launch(user=branch_world.users["director_a"], campaign_id=c.pk)
    assert "保本" in str(e.value)
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT and not CampaignMember.objects.filter(campaign=c).exists()


def test_sms_needs_sender_and_opt_out(branch_world):
    c = _create(branch_world, channels=["sms"], script="您好，本周有投资者教育活动。")
    with pytest.raises(ValidationError):
        campaign_launch(user=branch_world.users["director_a"], campaign_id=c.pk)
    ok = _create(branch_world, channels=["sms"], script=SMS_SCRIPT)
    assert campaign_launch(user=branch_world.users["director_a"], campaign_id=ok.pk)["tasks"] == 0


def test_only_roles_with_launch_campaign_launch(branch_world):
    from panhuo.accounts.permissions import Capability, can

    c = _create(branch_world)
    for who in ("alice", "compliance"):
        assert not can(branch_world.users[who], Capability.LAUNCH_CAMPAIGN)
        with pytest.raises(PermissionDenied):
            campaign_launch(user=branch_world.users[who], campaign_id=c.pk)
    # The branch's leadership owns its reactivation campaigns: the manager launches (the material; issue #10).
    campaign_launch(user=branch_world.users["manager_a"], campaign_id=c.pk)
    c.refresh_from_db()
    assert c.status == "launched"


def test_exclusions_are_recorded_before_the_split(branch_world):
    w = branch_world
    w.clients["W001"].do_not_contact = True
    w.clients["W001"].save()
    consent_record(user=w.users["bob"], client=client_get_for_user(user=w.users["bob"], client_id="W003"), channel="phone", granted=False, note="不要打电话")
    # a refusal later withdrawn: the latest ledger row decides
    consent_record(user=w.users["alice"], client=client_get_for_user(user=w.users["alice"], client_id="W004"), channel="phone", granted=False)
    consent_record(user=w.users["alice"], client=client_get_for_user(user=w.users["alice"], client_id="W004"), channel="phone", granted=True)
    c = _create(w, product_risk="R3", measure="commission")
    s = campaign_launch(user=w.users["director_a"], campaign_id=c.pk)
    members = {m.client.client_id: m for m in CampaignMember.objects.filter(campaign=c).select_related("client")}
    assert len(members) == 30
    assert members["W001"].exclusion_reason == "do_not_contact"
    assert members["W003"].exclusion_reason == "opted_out"
    assert members["W004"].group != "excluded"
    # C1/C2 below R3 are excluded for suitability (recorded with the levels), before the churn guard
    assert members["W000"].exclusion_reason == "suitability" and members["W000"].exclusion_detail == "C1 < R3"
    for m in members.values():
        if m.risk_level in ("C1", "C2"):
            assert m.group == "excluded"
    eligible = [m for m in members.values() if m.group != "excluded"]
    assert s["treatment"] + s["control"] == len(eligible) == 17     # 18 at C3+, less W003 who refused the phone
    assert s["seed"] == 42


def test_churn_guard_excludes_c1_c2_from_volume_measures(branch_world):
    c = _create(branch_world, measure="amount")
    campaign_launch(user=branch_world.users["director_a"], campaign_id=c.pk)
    guard = CampaignMember.objects.filter(campaign=c, exclusion_reason="churn_guard_c1_c2")
    assert guard.count() == 12 and set(guard.values_list("risk_level", flat=True)) == {"C1", "C2"}


def test_holdout_is_seeded_and_tasks_respect_the_daily_cap(branch_world):
    w = branch_world
    c = _create(w, control_share=0.3, daily_cap_per_advisor=4)
    today = timezone.localdate()
    s = campaign_launch(user=w.users["director_a"], campaign_id=c.pk, today=today)
    assert s["control"] > 0 and s["treatment"] > 0 and s["tasks"] == s["treatment"]
    tasks = Task.objects.filter(kind=TaskKind.CAMPAIGN)
    per_day = Counter((t.advisor_id, t.due) for t in tasks)
    assert max(per_day.values()) <= 4 and min(t.due for t in tasks) == today
    assert max(t.due for t in tasks) > today
    control = set(CampaignMember.objects.filter(campaign=c, group="control").values_list("client_id", flat=True))
    assert not tasks.filter(client_id__in=control).exists()
    linked = CampaignMember.objects.filter(campaign=c, group="treatment").values_list("task__kind", flat=True)
    assert set(linked) == {"campaign"}                               # every treatment member knows its task
    # the same seed on the same members gives the same split
    c2 = _create(w, control_share=0.3, channels=["sms"], script=SMS_SCRIPT)
    campaign_launch(user=w.users["director_a"], campaign_id=c2.pk)
    control2 = set(CampaignMember.objects.filter(campaign=c2, group="control").values_list("client_id", flat=True))
    assert control2 == control
    with pytest.raises(ValidationError):
        campaign_launch(user=w.users["director_a"], campaign_id=c.pk)        # not twice


def test_contact_frequency_cap(branch_world):
    from panhuo.workbench.services.contacts import contact_log

    w = branch_world
    for _ in range(2):
        contact_log(user=w.users["alice"], client=client_get_for_user(user=w.users["alice"], client_id="W002"), channel="phone", outcome="reached",
                    at=timezone.now() - timedelta(days=3))
    c = _create(w)
    campaign_launch(user=w.users["director_a"], campaign_id=c.pk)
    assert CampaignMember.objects.get(campaign=c, client__client_id="W002").exclusion_reason == "contact_cap"
