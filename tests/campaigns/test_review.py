"""Compliance reviews every script before a campaign launches: submitted → approved, or rejected with a reason;
the designer never approves their own; an edited script needs approval again; everything is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from panhuo.audit.models import AuditEvent
from panhuo.campaigns.models import Campaign, ReviewState, ScriptReview
from panhuo.campaigns.services.launch import campaign_create, campaign_launch, campaign_update
from panhuo.campaigns.services.review import script_approve, script_reject, scripts_submit, text_hash

SMS = "【盘活证券】{name}您好，营业部本周六有投资者教育讲座，欢迎到场交流。投资有风险。回复TD退订"
CALL = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"
SCHEDULE = [{"day": 0, "channel": "sms", "script": SMS}, {"day": 3, "channel": "phone", "script": CALL}]


def _draft(world, schedule=SCHEDULE, who="director_a") -> Campaign:
    return campaign_create(user=world.users[who], name="唤醒", rules=[], channels=["sms", "phone"], script=SMS,
                           schedule=schedule, step_days=[0, 3], control_share=0.5)


def test_launch_waits_for_compliance_to_approve_every_script(branch_world):
    director, compliance = branch_world.users["director_a"], branch_world.users["compliance"]
    camp = _draft(branch_world)
    with pytest.raises(ValidationError, match="未提交合规审核"):
        campaign_launch(user=director, campaign_id=camp.pk)
    reviews = scripts_submit(user=director, campaign=camp)
    assert sorted(r.channels[0] for r in reviews) == ["phone", "sms"]
    assert scripts_submit(user=director, campaign=camp) == []               # once per version
    script_approve(user=compliance, review_id=reviews[0].pk)
    with pytest.raises(ValidationError, match="待合规审核"):                  # one of two is not enough
        campaign_launch(user=director, campaign_id=camp.pk)
    script_approve(user=compliance, review_id=reviews[1].pk)
    assert campaign_launch(user=director, campaign_id=camp.pk)["treatment"] > 0
    assert AuditEvent.objects.filter(action="script.approved").count() == 2


def test_a_rejection_states_its_reason_and_blocks_with_it(branch_world):
    camp = _draft(branch_world)
    r = scripts_submit(user=branch_world.users["director_a"], campaign=camp)[0]
    with pytest.raises(ValidationError):
        script_reject(user=branch_world.users["compliance"], review_id=r.pk, reason="  ")
    script_reject(user=branch_world.users["compliance"], review_id=r.pk, reason="缺少风险提示的完整表述")
    assert ScriptReview.objects.get(pk=r.pk).state == ReviewState.REJECTED
    event = AuditEvent.objects.get(action="script.rejected")
    assert event.detail["reason"] == "缺少风险提示的完整表述"
    with pytest.raises(ValidationError, match="缺少风险提示"):
        campaign_launch(user=branch_world.users["director_a"], campaign_id=camp.pk)


def test_only_compliance_approves_and_never_their_own_campaign(branch_world):
    camp = _draft(branch_world)
    r = scripts_submit(user=branch_world.users["director_a"], campaign=camp)[0]
    for who in ("director_a", "manager_a", "admin", "alice"):
        with pytest.raises(PermissionDenied):
            script_approve(user=branch_world.users[who], review_id=r.pk)
    # a compliance officer who is also a superuser may design; they still cannot approve what they designed
    officer = branch_world.users["compliance"]
    officer.is_superuser = True
    officer.save()
    own = _draft(branch_world, who="compliance")
    mine = scripts_submit(user=officer, campaign=own)[0]
    with pytest.raises(PermissionDenied):
        script_approve(user=officer, review_id=mine.pk)
    assert AuditEvent.objects.filter(action="script.approved", outcome="refused").exists()


def test_an_edited_script_needs_approval_again_and_the_edit_is_audited(branch_world):
    director, compliance = branch_world.users["director_a"], branch_world.users["compliance"]
    camp = _draft(branch_world)
    for r in scripts_submit(user=director, campaign=camp):
        script_approve(user=compliance, review_id=r.pk)
    edited = [SCHEDULE[0], {**SCHEDULE[1], "script": CALL + "名额有限。"}]
    campaign_update(user=director, campaign_id=camp.pk, rules=[], schedule=edited)
    edit = AuditEvent.objects.get(action="script.edit")
    assert edit.detail["approval_lost"] == [text_hash(CALL)[:12]]
    with pytest.raises(ValidationError, match="未提交合规审核"):
        campaign_launch(user=director, campaign_id=camp.pk)
    camp.refresh_from_db()
    new = scripts_submit(user=director, campaign=camp)
    assert [r.text_hash for r in new] == [text_hash(CALL + "名额有限。")]     # the unchanged SMS keeps its approval
    # a version edited away while it waited cannot be approved any more
    campaign_update(user=director, campaign_id=camp.pk, rules=[], schedule=SCHEDULE)
    with pytest.raises(ValidationError):
        script_approve(user=compliance, review_id=new[0].pk)
    assert campaign_launch(user=director, campaign_id=camp.pk)["treatment"] > 0  # back to the approved text


def test_the_pages_submit_review_and_decide(client, branch_world):
    camp = _draft(branch_world)
    client.force_login(branch_world.users["director_a"])
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert 'id="submit-scripts"' in page and "未提交" in page
    assert client.get(reverse("campaigns:reviews")).status_code == 403
    client.post(reverse("campaigns:submit_scripts", args=[camp.pk]))
    summary = client.get(reverse("campaigns:launch", args=[camp.pk])).content.decode()
    assert "待合规审核" in summary and 'id="confirm-launch"' not in summary     # the summary says why, no button
    client.force_login(branch_world.users["compliance"])
    queue = client.get(reverse("campaigns:reviews")).content.decode()
    assert queue.count('class="card review-item"') == 2
    for r in ScriptReview.objects.all():
        client.post(reverse("campaigns:review_decide", args=[r.pk]), {"decision": "approve"})
    assert set(ScriptReview.objects.values_list("state", flat=True)) == {"approved"}
    client.force_login(branch_world.users["director_a"])
    summary = client.get(reverse("campaigns:launch", args=[camp.pk])).content.decode()
    assert 'id="confirm-launch"' in summary
