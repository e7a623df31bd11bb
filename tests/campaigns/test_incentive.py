"""Advisor incentives: per incremental reactivated client beyond the control rate, capped, never for churning."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.campaigns.incentive import IncentiveMember, advisor_incentives
from panhuo.campaigns.models import Campaign, CampaignMember


def _m(group, advisor, outcome, risk="C3", flag=False):
    return IncentiveMember(group=group, advisor=advisor, outcome=outcome, risk_level=risk, turnover_flag=flag)


def test_pays_per_success_beyond_the_control_rate_and_caps_per_advisor():
    members = ([_m("control", "x", 1.0)] * 2 + [_m("control", "x", 0.0)] * 8          # control rate 20%
               + [_m("treatment", "Alice", 1.0)] * 6 + [_m("treatment", "Alice", 0.0)] * 4
               + [_m("treatment", "Bob", 1.0)] * 1 + [_m("treatment", "Bob", 0.0)] * 9
               + [_m("treatment", "Carol", None)])
    rows = {r.advisor: r for r in advisor_incentives(members, per_client=100, cap=None, binary=True,
                                                      churn_sensitive=False)}
    assert (rows["Alice"].successes, rows["Alice"].expected, rows["Alice"].incremental) == (6, 2.0, 4.0)
    assert rows["Alice"].amount == pytest.approx(400.0)
    assert rows["Bob"].amount == 0.0                      # fewer successes than control predicts: nothing, not < 0
    assert rows["Carol"].treated == 0 and rows["Carol"].amount == 0.0
    capped = {r.advisor: r for r in advisor_incentives(members, per_client=100, cap=250, binary=True,
                                                        churn_sensitive=False)}
    assert capped["Alice"].amount == 250.0 and capped["Alice"].capped and not capped["Bob"].capped


def test_volume_measures_never_pay_for_conservative_or_churned_clients_and_each_client_counts_once():
    members = ([_m("control", "x", 0.0)] * 5
               + [_m("treatment", "Alice", 80_000.0), _m("treatment", "Alice", 1.0)]
               + [_m("treatment", "Alice", 50_000.0, risk="C1"), _m("treatment", "Alice", 50_000.0, flag=True)])
    (alice,) = advisor_incentives(members, per_client=50, cap=None, binary=False, churn_sensitive=True)
    assert (alice.treated, alice.successes, alice.amount) == (2, 2, 100.0)   # 80,000 CNY traded earns 50 like 1 CNY
    (lax,) = advisor_incentives(members, per_client=50, cap=None, binary=False, churn_sensitive=False)
    assert lax.successes == 4                             # the bar applies to volume measures only


def test_no_rule_or_no_measured_control_means_no_incentive():
    members = [_m("treatment", "Alice", 1.0), _m("control", "x", None)]
    assert advisor_incentives(members, per_client=None, cap=None, binary=True, churn_sensitive=False) == []
    assert advisor_incentives(members, per_client=100, cap=None, binary=True, churn_sensitive=False) == []


def _launched(client, world, **extra):
    client.force_login(world.users["director_a"])
    data = {"name": "唤醒休眠", "goal": "", "control_share": "0.3", "channels": ["phone"],
            "script": "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。",
            "measure": "resumed", "window_days": "30", "daily_cap_per_advisor": "20", "client_cap_contacts": "2",
            "client_cap_days": "30", "quiet_start": "08:00", "quiet_end": "20:00", "seed": "9",
            "incentive_per_client": "200", "incentive_cap": "", **extra}
    assert client.post(reverse("campaigns:new"), data).status_code == 302
    camp = Campaign.objects.get()
    client.post(reverse("campaigns:launch", args=[camp.pk]))
    members = CampaignMember.objects.filter(campaign=camp).exclude(group="excluded")
    for m in members:                                     # every treatment member resumed, no control member did
        m.outcome = 1.0 if m.group == "treatment" else 0.0
        m.save(update_fields=["outcome"])
    return camp, members


def test_report_page_and_export_show_each_advisors_incentive(client, branch_world):
    camp, members = _launched(client, branch_world)
    alice_n = members.filter(group="treatment", advisor__name="Alice 艾丽").count()
    assert alice_n > 0
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert 'id="incentives"' in page and f"<strong>{200 * alice_n:.2f}</strong>" in page
    wb = load_workbook(io.BytesIO(client.get(reverse("campaigns:export", args=[camp.pk])).content))
    rows = list(wb["incentive 激励"].iter_rows(values_only=True))
    assert ("Alice 艾丽", alice_n, alice_n, 0.0, alice_n, 200.0 * alice_n) in [r[:6] for r in rows]
    client.force_login(branch_world.users["alice"])        # an advisor sees only her own line
    mine = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert "Alice 艾丽" in mine and "<td>Bob 鲍勃</td>" not in mine


def test_incentive_cap_shows_on_the_page(client, branch_world):
    camp, _ = _launched(client, branch_world, incentive_cap="300")
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert "<strong>300.00</strong>" in page
