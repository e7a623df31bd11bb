"""The demo's campaigns (clients.registry demo seeder, run by `panhuo demo` after the daily run).

Two phone campaigns through the real path: a director designs each from a playbook and submits its script,
compliance approves it, the director launches it (members frozen, holdout drawn, tasks on the advisors' Today
lists), and the outcomes are measured from the warehouse's trades. One was launched WINDOW_DAYS + 70 days before
the data date, so its measurement window has closed (a finished campaign with outcomes and a readout); the
other 10 days before, so it is running and measured so far. The advisors then work the campaign tasks through
the workbench's own seeder (it runs after this one and logs contacts against the open tasks).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can
from panhuo.campaigns.builder import PHONE_SCRIPT
from panhuo.campaigns.models import Campaign
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.outcomes import campaign_outcomes_refresh
from panhuo.campaigns.services.review import script_approve, scripts_submit

DEMO_CAMPAIGNS = [
    # (name, goal, rules, days before the data date it was launched, members at most)
    # Targets that do not depend on what happened after the launch: a rule on today's lifecycle ("dormant now")
    # would pick, 100 days back, exactly the clients who did not trade since, and the readout would be all zeros.
    ("亏损客户关怀（第三季度）", "陪亏损两成以上的客户复盘持仓，让他们继续交易",
     [{"field": "features.lifetime_pnl_pct", "op": "lte", "value": -0.20}], 100, 600),
    ("活跃度下降客户关怀", "活跃度下降的客户在流失前得到一次关怀",
     [{"field": "lifecycle", "op": "in", "value": ["declining"]}], 10, 400),
]


def _first(users, *capabilities):
    return next((u for u in users if all(can(u, c) for c in capabilities)), None)


def demo_campaigns(*, as_of: date, seed: int) -> str | None:
    """Create, approve, launch and measure the demo campaigns; a second run changes nothing."""
    from panhuo.warehouse import open_warehouse

    users = list(User.objects.filter(is_active=True).order_by("username"))
    director = _first([u for u in users if u.branch_id], Capability.DESIGN_CAMPAIGN, Capability.LAUNCH_CAMPAIGN)
    reviewer = _first(users, Capability.APPROVE_SCRIPT)
    if director is None or reviewer is None:
        return None
    made = []
    for n, (name, goal, rules, days_ago, size) in enumerate(DEMO_CAMPAIGNS):
        if Campaign.objects.filter(name=name).exists():
            continue
        start = as_of - timedelta(days=days_ago)
        campaign = campaign_create(user=director, name=name, goal=goal, rules=rules, channels=["phone"],
                                   script=PHONE_SCRIPT, size=size, window_days=30, control_share=0.2,
                                   seed=seed + n, start=start, daily_cap_per_advisor=8)
        for review in scripts_submit(user=director, campaign=campaign):
            script_approve(user=reviewer, review_id=review.pk)
        try:
            campaign_launch(user=director, campaign_id=campaign.pk, today=start)
        except ValidationError:        # a branch too small to have such clients: the draft stays, approved
            continue
        # The demo plays the launch `days_ago` days back: the service stamps the launch with the clock, so the
        # stamp is moved to the start day (the report's funnel and contacts count from it). Nothing else is.
        Campaign.objects.filter(pk=campaign.pk).update(
            launched_at=timezone.make_aware(datetime.combine(start, time(9, 0))))
        with open_warehouse() as wh:
            campaign_outcomes_refresh(wh=wh, campaign_id=campaign.pk, as_of=as_of)
        made.append(name)
    return f"campaigns: {len(made)} launched and measured ({'、'.join(made)})" if made else None
