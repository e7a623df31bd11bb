"""Outcomes written from the warehouse and the report: lift with interval, by advisor, funnel, advisor scope."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from panhuo.campaigns.models import CampaignMember
from panhuo.campaigns.selectors import campaign_report
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.outcomes import campaign_outcomes_refresh
from panhuo.measure.report import ReportRow, build_report

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


def test_build_report_compares_groups_and_counts_the_funnel():
    rng = np.random.default_rng(1)
    rows = [ReportRow("treatment", "Alice", "phone", float(rng.random() < 0.5), stages=("A", "B")) for _ in range(200)]
    rows += [ReportRow("control", "Alice", "", float(rng.random() < 0.2)) for _ in range(200)]
    rows += [ReportRow("treatment", "Bob", "", None)]
    rep = build_report(rows, binary=True)
    assert rep.overall.ci_low > 0.15 and rep.overall.p_value < 1e-6
    assert rep.by_advisor["Bob"] is None and rep.by_advisor["Alice"].n_treatment == 200
    assert rep.by_channel["phone"].n_control == 200
    assert rep.funnel["treatment"] == {"A": 200, "B": 200, "C": 0, "D": 0} and rep.pending == 1
    cont = build_report([ReportRow("treatment", "A", "", x) for x in (1.0, 2.0, 3.0)]
                        + [ReportRow("control", "A", "", x) for x in (0.0, 1.0, 2.0)], binary=False)
    assert cont.overall.lift == pytest.approx(1.0) and cont.overall.method == "welch"


def test_outcomes_refresh_and_report(branch_world, warehouse):
    w = branch_world
    today = timezone.localdate()
    c = campaign_create(user=w.users["director_a"], name="唤醒", rules=[], channels=["phone"], script=SCRIPT,
                        seed=5, control_share=0.3, start=today - timedelta(days=40))
    campaign_launch(user=w.users["director_a"], campaign_id=c.pk, today=today)
    c.refresh_from_db()
    treated = CampaignMember.objects.filter(campaign=c, group="treatment").select_related("client")
    # every treatment member trades after launch, nobody in control does
    for n, m in enumerate(treated):
        warehouse.execute("INSERT INTO trades (trade_id, client_id, trade_date, symbol, side, quantity, price, amount, "
                          "commission, stamp_duty, transfer_fee, channel) VALUES (?, ?, ?, '600000.SH', 'B', 100, 10, "
                          "1000, 5, 0, 0, 'online')", [f"T{n}", m.client.client_id, c.start + timedelta(days=2)])
    assert campaign_outcomes_refresh(wh=warehouse, campaign_id=c.pk, as_of=today) > 0
    rep = campaign_report(user=w.users["director_a"], campaign=c)
    assert rep.overall.treatment_mean == 1.0 and rep.overall.control_mean == 0.0 and rep.overall.p_value < 0.001
    assert set(rep.by_advisor) == {"Alice 艾丽", "Bob 鲍勃"}
    alice = campaign_report(user=w.users["alice"], campaign=c)          # an advisor sees only her own members
    assert set(alice.by_advisor) == {"Alice 艾丽"}
