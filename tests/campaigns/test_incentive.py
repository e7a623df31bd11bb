"""Advisor incentives: paid for the effect the campaign measured (the lower bound of its interval), shared by each
advisor's own effect against their own control clients, capped, never for churning, never for a good book."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.campaigns.models import Campaign, CampaignMember
from panhuo.measure.holdout import assign_holdout
from panhuo.measure.incentive import IncentiveMember, campaign_incentive
from panhuo.measure.lift import lift_binary

PER_CLIENT, CAP = 200.0, 2000.0          # CNY per incremental client, CNY per advisor


def _bound(treated: list[int], control: list[int]) -> float:
    """The lower bound of the lift's 95% interval, as the rule computes it (statsmodels' unused ratios divide by a
    zero control rate: silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return lift_binary(treated, control).ci_low


def _m(group, advisor, outcome, risk="C3", flag=False):
    return IncentiveMember(group=group, advisor=advisor, outcome=outcome, risk_level=risk, turnover_flag=flag)


def _advisor(name, treated, wins, control, control_wins):
    return ([_m("treatment", name, 1.0)] * wins + [_m("treatment", name, 0.0)] * (treated - wins)
            + [_m("control", name, 1.0)] * control_wins + [_m("control", name, 0.0)] * (control - control_wins))


def test_pays_the_lower_bound_of_the_campaigns_lift_shared_by_each_advisors_own_effect():
    members = _advisor("Alice", 100, 50, 40, 6) + _advisor("Bob", 100, 20, 40, 6) + [_m("treatment", "Carol", None)]
    result = campaign_incentive(members, per_client=100, cap=None, binary=True, churn_sensitive=False)
    bound = _bound([1] * 70 + [0] * 130, [1] * 12 + [0] * 68)           # 70/200 against 12/80
    assert result.paid and result.incremental == pytest.approx(bound * 200, abs=0.01)
    rows = {r.advisor: r for r in result.rows}
    alice, bob = rows["Alice"], rows["Bob"]
    assert (alice.control, alice.control_successes) == (40, 6)                      # her own control
    assert alice.share > 0.75 and bob.share < 0.25 and alice.share + bob.share == pytest.approx(1.0)
    assert alice.amount == pytest.approx(100 * result.incremental * alice.share, rel=1e-3)
    assert rows["Carol"].treated == 0 and rows["Carol"].amount == 0.0 and rows["Carol"].effect is None
    capped = {r.advisor: r for r in campaign_incentive(members, per_client=100, cap=1000, binary=True,
                                                       churn_sensitive=False).rows}
    assert capped["Alice"].amount == 1000.0 and capped["Alice"].capped and not capped["Bob"].capped


def test_nothing_is_paid_while_the_interval_includes_zero():
    # a 20-point lift on 20 control clients is not yet an effect the campaign can vouch for
    members = _advisor("Alice", 100, 50, 10, 1) + _advisor("Bob", 100, 20, 10, 2)
    result = campaign_incentive(members, per_client=100, cap=None, binary=True, churn_sensitive=False)
    assert result.lift.ci_low < 0 < result.lift.lift
    assert not result.paid and result.total == 0.0 and all(r.amount == 0.0 for r in result.rows)


def test_volume_measures_never_pay_for_conservative_or_churned_clients_and_each_client_counts_once():
    members = ([_m("control", "Alice", 0.0)] * 30
               + [_m("treatment", "Alice", 80_000.0)] * 30 + [_m("treatment", "Alice", 1.0)] * 10
               + [_m("treatment", "Alice", 50_000.0, risk="C1")] * 20 + [_m("treatment", "Alice", 50_000.0, flag=True)])
    strict = campaign_incentive(members, per_client=50, cap=None, binary=False, churn_sensitive=True)
    (alice,) = strict.rows
    assert (alice.treated, alice.successes) == (40, 40)          # 80,000 CNY traded counts once, like 1 CNY
    assert strict.pot == pytest.approx(50 * _bound([1] * 40, [0] * 30) * 40, abs=0.01)
    (lax,) = campaign_incentive(members, per_client=50, cap=None, binary=False, churn_sensitive=False).rows
    assert lax.successes == 61                                   # the bar applies to volume measures only


def test_no_rule_or_nothing_measured_in_a_group_means_no_incentive():
    members = [_m("treatment", "Alice", 1.0), _m("control", "Alice", None)]
    assert campaign_incentive(members, per_client=None, cap=None, binary=True, churn_sensitive=False) is None
    assert campaign_incentive(members, per_client=100, cap=None, binary=True, churn_sensitive=False) is None


def _simulated(rng, *, effect=lambda advisor: 0.0, base=None, sizes=(60, 150), advisors=10, control_share=0.10):
    """One campaign's measured members: each advisor's clients resume at the advisor's natural rate (5-40%),
    plus `effect(advisor)` when treated; the holdout split by the launch's own stratified assignment."""
    members = []
    for a in range(advisors):
        n = int(rng.integers(sizes[0], sizes[1] + 1))
        rate = rng.uniform(0.05, 0.40) if base is None else base(a)
        strata = [(f"A{a}-{i}", (f"A{a}", "vip" if i % 4 == 0 else "mass")) for i in range(n)]
        split = assign_holdout(strata, control_share=control_share, seed=int(rng.integers(2**31)))
        draws = rng.random(len(split))
        members += [IncentiveMember(group="control" if s.is_control else "treatment", advisor=f"A{a}",
                                    outcome=float(u < rate + (0.0 if s.is_control else effect(a))))
                    for s, u in zip(split, draws, strict=True)]
    return members


def test_a_thousand_campaigns_with_no_effect_pay_at_most_one_percent_of_the_cap(capsys):
    rng = np.random.default_rng(2026)
    totals, paid = [], 0
    for _ in range(1000):
        result = campaign_incentive(_simulated(rng), per_client=PER_CLIENT, cap=CAP, binary=True,
                                    churn_sensitive=False)
        totals.append(result.total)
        paid += result.paid
    per_campaign = float(np.mean(totals))
    per_advisor = per_campaign / 10
    with capsys.disabled():
        print(f"\nnull campaigns: mean payout {per_campaign:.2f} CNY per campaign of 10 advisors "
              f"({per_advisor:.2f} CNY per advisor = {per_advisor / CAP:.3%} of the {CAP:,.0f} CNY cap), "
              f"paid in {paid} of 1,000")
    assert per_advisor <= 0.01 * CAP
    assert paid <= 40                                            # the interval excludes zero by chance, rarely


def test_a_real_effect_is_paid_and_goes_to_the_advisors_who_made_it():
    rng = np.random.default_rng(7)
    # five advisors lift their clients' return by 20 points, five do nothing
    results = [campaign_incentive(_simulated(rng, effect=lambda a: 0.20 if a < 5 else 0.0, control_share=0.2),
                                  per_client=PER_CLIENT, cap=None, binary=True, churn_sensitive=False)
               for _ in range(100)]
    assert sum(r.paid for r in results) >= 75                  # the power of a 20% control on ~1,000 clients
    mean = np.mean([[r.amount for r in res.rows] for res in results], axis=0)
    assert mean.sum() > 3000                                     # a 10-point lift on ~900 treated clients
    assert mean[:5].min() > 1.3 * mean[5:].max()


def test_a_good_book_without_effect_earns_no_more_than_an_advisor_with_one():
    # A0's clients resume on their own at 40% and are not moved; the others' go from 10% to 25%. The rule this
    # replaced paid A0 for ~17 clients against the campaign's control rate, more than anyone who did the work.
    rng = np.random.default_rng(5)
    amounts = [[r.amount for r in campaign_incentive(
        _simulated(rng, base=lambda a: 0.40 if a == 0 else 0.10, effect=lambda a: 0.0 if a == 0 else 0.15,
                   sizes=(100, 100)), per_client=PER_CLIENT, cap=None, binary=True, churn_sensitive=False).rows]
        for _ in range(300)]
    mean = np.mean(amounts, axis=0)
    assert mean[0] < mean[1:].min()


def test_the_launch_stratifies_the_holdout_by_advisor_and_tier(branch_world):
    from collections import Counter

    from panhuo.campaigns.services.launch import campaign_create, campaign_launch

    w = branch_world
    c = campaign_create(user=w.users["director_a"], name="唤醒", rules=[], channels=["phone"], control_share=0.3,
                        script="{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。")
    campaign_launch(user=w.users["director_a"], campaign_id=c.pk)
    members = list(CampaignMember.objects.filter(campaign=c).exclude(group="excluded").select_related("advisor"))
    for m in members:
        assert m.stratum.split("|")[0] == m.advisor.advisor_id and m.stratum.split("|")[1] in ("vip", "mass")
    size, control = Counter(m.stratum for m in members), Counter(m.stratum for m in members if m.is_control)
    for stratum, n in size.items():
        assert abs(control[stratum] - 0.3 * n) < 1, stratum


def _launched(client, world, **extra):
    client.force_login(world.users["director_a"])
    data = {"name": "唤醒休眠", "goal": "", "control_share": "30", "step-0-day": "0", "step-0-channel": "phone",
            "step-0-script": "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。",
            "measure": "resumed", "window_days": "30", "daily_cap_per_advisor": "20", "client_cap_contacts": "2",
            "client_cap_days": "30", "quiet_start": "08:00", "quiet_end": "20:00",
            "incentive_per_client": "200", "incentive_cap": "", **extra}
    assert client.post(reverse("campaigns:new"), data).status_code == 302
    camp = Campaign.objects.get()
    client.post(reverse("campaigns:launch", args=[camp.pk]))
    members = CampaignMember.objects.filter(campaign=camp).exclude(group="excluded")
    for m in members:                                     # every treatment member resumed, no control member did
        m.outcome = 1.0 if m.group == "treatment" else 0.0
        m.save(update_fields=["outcome"])
    return camp, members


def test_report_page_and_export_show_the_campaigns_pot_and_each_advisors_share(client, branch_world):
    camp, members = _launched(client, branch_world)
    treated, control = members.filter(group="treatment").count(), members.filter(group="control").count()
    bound = _bound([1] * treated, [0] * control)
    alice_n = members.filter(group="treatment", advisor__name="Alice 艾丽").count()
    alice = round(200 * bound * treated * alice_n / treated, 2)            # equal effects: shares follow the work
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert 'id="incentives"' in page and f"<strong>{alice:.2f}</strong>" in page
    assert f"{treated} " in page and 'id="incentive-basis"' in page
    wb = load_workbook(io.BytesIO(client.get(reverse("campaigns:export", args=[camp.pk])).content))
    rows = list(wb["incentive 激励"].iter_rows(values_only=True))
    assert rows[2][:4] == ("计入处理组 Treated counted", treated, "增量客户（下限×处理组）Incremental clients",
                           round(bound * treated, 2))
    (row,) = [r for r in rows if r[0] == "Alice 艾丽"]
    assert row[1:3] == (alice_n, alice_n) and row[8] == pytest.approx(alice, abs=0.02)
    client.force_login(branch_world.users["alice"])        # an advisor sees only her own line
    mine = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert "<td>Alice 艾丽</td>" in mine and "<td>Bob 鲍勃</td>" not in mine


def test_incentive_cap_shows_on_the_page(client, branch_world):
    camp, _ = _launched(client, branch_world, incentive_cap="300")
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert "<strong>300.00</strong>" in page
