"""The campaign page's daily readout: the anytime-valid interval, CUPED and the sample-ratio check."""

from __future__ import annotations

from django.urls import reverse

from panhuo.campaigns.models import Campaign, CampaignMember
from panhuo.campaigns.services.launch import campaign_create, campaign_launch

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


def _launched(world, control_share=0.2):
    director = world.users["director_a"]
    camp = campaign_create(user=director, name="唤醒", rules=[], channels=["phone"], script=SCRIPT,
                           control_share=control_share)
    campaign_launch(user=director, campaign_id=camp.pk)
    for i, m in enumerate(CampaignMember.objects.filter(campaign=camp).exclude(group="excluded")):
        m.outcome, m.before = (1.0 if m.group == "treatment" else 0.0), float(i % 2)
        m.save(update_fields=["outcome", "before"])
    return camp


def test_the_page_reads_the_effect_in_words_that_stay_true_however_often_one_looks(client, branch_world):
    camp = _launched(branch_world)
    client.force_login(branch_world.users["director_a"])
    page = client.get(reverse("campaigns:detail", args=[camp.pk]))
    r = page.context["readout"]
    assert r.cs_low > 0 and r.cs_low < r.fixed_low                    # wider than the one-look interval
    text = page.content.decode()
    assert "可每天查看" in text and "活动有效" in text and "分组比例检查通过" in text


def test_a_split_that_is_not_the_design_is_flagged(client, branch_world):
    camp = _launched(branch_world, control_share=0.1)
    Campaign.objects.filter(pk=camp.pk).update(control_share=0.9)      # the record disagrees with the split
    client.force_login(branch_world.users["director_a"])
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert 'id="srm-warning"' in page and "分组比例检查未通过" in page
