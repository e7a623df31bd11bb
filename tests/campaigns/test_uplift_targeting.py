"""With a trained uplift model, a campaign's tasks go first to the contacts expected to bring the most
(incremental reactivation × value − cost) within each advisor's daily capacity, and the task and page say so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from django.urls import reverse

from panhuo.campaigns.models import Campaign, CampaignMember
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.clients.models import Client, ClientSnapshot, Task

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


def _source_campaign(world) -> Campaign:
    """An earlier randomised campaign: contact brought back the clients with large assets, never the small ones."""
    rng = np.random.default_rng(5)
    director = world.users["director_a"]
    src = Campaign.objects.create(name="上一次激活", branch=world.branches["A"], created_by=director, channels=["phone"],
                                  script=SCRIPT, launched_at=datetime(2026, 10, 2, tzinfo=UTC),
                                  status="launched", outcomes_as_of=date(2026, 11, 1), control_share=0.5)
    for n in range(160):
        assets = float(rng.uniform(1e4, 3e5))
        c = Client.objects.create(client_id=f"T{n:03d}", branch=world.branches["A"], name=f"客户T{n}",
                                  advisor=world.advisors["alice" if n % 2 else "bob"])
        ClientSnapshot.objects.create(client=c, as_of=date(2026, 10, 1), total_assets=assets, lifecycle="active",
                                      days_since_last_trade=int(rng.integers(30, 400)),
                                      trades_90d=int(rng.integers(0, 5)), commission_365d=float(rng.uniform(0, 900)),
                                      churn_risk=float(rng.random()), p_alive=float(rng.random()))
        treated = n % 4 != 0 if n < 80 else n % 2 == 0
        p = (0.1 + 0.7 * assets / 3e5) if treated else 0.1
        CampaignMember.objects.create(campaign=src, client=c, group="treatment" if treated else "control",
                                      outcome=float(rng.random() < p))
    return src


def test_tasks_go_first_to_the_contacts_expected_to_bring_the_most(client, branch_world):
    src = _source_campaign(branch_world)
    director = branch_world.users["director_a"]
    camp = campaign_create(user=director, name="按增量排序", rules=[{"field": "lifecycle", "op": "in",
                                                                   "value": ["dormant"]}],
                           channels=["phone"], script=SCRIPT, control_share=0.1, uplift_from=src,
                           daily_cap_per_advisor=3)
    campaign_launch(user=director, campaign_id=camp.pk)
    for advisor in ("alice", "bob"):
        tasks = list(Task.objects.filter(kind="campaign", advisor=branch_world.advisors[advisor])
                     .select_related("client").order_by("-priority", "due"))
        assets = [float(ClientSnapshot.objects.get(client=t.client, is_latest=True).total_assets) for t in tasks]
        first_day = [a for t, a in zip(tasks, assets, strict=True) if t.due == tasks[0].due]
        assert len(first_day) == 3 and min(first_day) >= np.median(assets)    # the capacity goes to the largest
        assert all("按预期增量激活×价值−成本排序" in t.reason_zh for t in tasks)
    client.force_login(director)
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert 'id="uplift-order"' in page and "上一次激活" in page


def test_without_a_model_the_order_is_as_before(branch_world):
    director = branch_world.users["director_a"]
    camp = campaign_create(user=director, name="普通", rules=[], channels=["phone"], script=SCRIPT)
    campaign_launch(user=director, campaign_id=camp.pk)
    tasks = Task.objects.filter(kind="campaign")
    assert tasks.exists() and {t.priority for t in tasks} == {500}
    assert not any("增量" in t.reason_zh for t in tasks)
