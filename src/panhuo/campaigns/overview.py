"""Reads for the launch summary (what a launch will do, to confirm first) and the progress view (what it has
done so far, per advisor). Members are read through selectors.members_for_user, so an advisor's view holds only
their clients."""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from panhuo.accounts.models import User
from panhuo.campaigns.models import Campaign, MemberGroup
from panhuo.campaigns.selectors import members_for_user, segment_snapshots
from panhuo.clients.models import Channel, Contact, TaskStatus

MESSAGE_CHANNELS = {Channel.SMS, Channel.EMAIL}
MIN_CLUSTERS = 10        # advisors per arm below which a cluster-randomised readout is too uncertain to trust
ADVISOR_CHANNELS = {Channel.PHONE, Channel.VISIT, Channel.EVENT, Channel.WECHAT}


def sms_price() -> float:
    """CNY per SMS (the gateway's contract price; PANHUO_SMS_PRICE, default 0.05)."""
    try:
        return float(os.environ.get("PANHUO_SMS_PRICE", "0.05"))
    except ValueError:
        return 0.05


@dataclass
class LaunchSummary:
    targets: int                        # clients the rules select now (before the exclusions at launch)
    control: int                        # expected control group
    treatment: int
    channels: list[str]
    steps: list[dict]                   # the schedule
    advisors: int
    tasks: int                          # advisor tasks (phone, visit, event, WeChat)
    days_for_tasks: int                 # working days the busiest advisor needs at the daily cap
    messages: int
    message_cost: float
    incentive_ceiling: float | None     # the most the incentive can pay
    expected_cost: float
    start: object = None
    end: object = None
    problems: list[str] = field(default_factory=list)
    held_out: int = 0                   # targets in the branch's persistent holdout: never members
    by_advisor: bool = False            # randomised by advisor (whole books)
    clusters_treatment: int = 0         # expected advisors in each arm when randomised by advisor
    clusters_control: int = 0

    @property
    def few_clusters(self) -> bool:
        return self.by_advisor and min(self.clusters_treatment, self.clusters_control) < MIN_CLUSTERS


def campaign_launch_summary(*, user: User, campaign: Campaign, problems: list[str] | None = None) -> LaunchSummary:
    """What launching would do, from the target as it stands now. Exclusions (consent, suitability, contact caps)
    are applied at launch, so the counts are upper bounds; the page says so."""
    from datetime import date

    from panhuo.clients.holdout import holdout_client_ids

    held = holdout_client_ids(on=date.today(), branch_id=campaign.branch_id)
    rows = list(segment_snapshots(user=user, rules=campaign.rules, branch_id=campaign.branch_id)
                .values_list("client_id", "client__advisor_id"))
    held_out = sum(pk in held for pk, _a in rows)
    snaps = [a for pk, a in rows if pk not in held]
    n = min(len(snaps), campaign.size) if campaign.size else len(snaps)
    control = int(round(n * campaign.control_share))
    treatment = n - control
    by_advisor = Counter(snaps)
    advisor_steps = [s for s in campaign.schedule if s["channel"] in ADVISOR_CHANNELS] or (
        [{"channel": c} for c in campaign.channels if c in ADVISOR_CHANNELS][:1])
    message_steps = [s for s in campaign.schedule if s["channel"] in MESSAGE_CHANNELS] or (
        [{"channel": c} for c in campaign.channels if c in MESSAGE_CHANNELS])
    share = treatment / n if n else 0
    tasks = treatment if advisor_steps else 0
    busiest = max(by_advisor.values(), default=0) * share
    days = math.ceil(busiest / max(1, campaign.daily_cap_per_advisor)) if tasks else 0
    messages = treatment * len(message_steps)
    cost = sum(treatment * sms_price() for s in message_steps if s["channel"] == Channel.SMS)
    ceiling = None
    if campaign.incentive_per_client is not None:
        ceiling = float(campaign.incentive_per_client) * treatment
        if campaign.incentive_cap is not None:
            ceiling = min(ceiling, float(campaign.incentive_cap) * len([a for a in by_advisor if a]))
    advisors = len([a for a in by_advisor if a])
    clusters_control = int(round(advisors * campaign.control_share)) if campaign.randomise_by_advisor else 0
    return LaunchSummary(targets=n, control=control, treatment=treatment, channels=list(campaign.channels),
                         steps=list(campaign.schedule), advisors=len([a for a in by_advisor if a]), tasks=tasks,
                         days_for_tasks=days, messages=messages, message_cost=round(cost, 2),
                         incentive_ceiling=ceiling, expected_cost=round(cost + (ceiling or 0), 2),
                         start=campaign.start, end=campaign.end, problems=problems or [], held_out=held_out,
                         by_advisor=campaign.randomise_by_advisor, clusters_control=clusters_control,
                         clusters_treatment=advisors - clusters_control if campaign.randomise_by_advisor else 0)


@dataclass
class ProgressRow:
    advisor: str
    treatment: int = 0
    control: int = 0
    assigned: int = 0            # tasks given
    done: int = 0                # tasks worked
    contacted: int = 0           # treatment members reached by any contact since launch
    measured: int = 0            # members with an outcome
    successes: int = 0           # treatment members with a success so far
    control_successes: int = 0


def campaign_progress(*, user: User, campaign: Campaign) -> tuple[ProgressRow, list[ProgressRow]]:
    """(total, per advisor at launch): assigned, contacted, outcomes so far. Three queries."""
    members = list(members_for_user(user=user, campaign=campaign).exclude(group=MemberGroup.EXCLUDED)
                   .select_related("task"))
    reached = set()
    if campaign.launched_at is not None:
        reached = set(Contact.objects.filter(client_id__in=[m.client_id for m in members],
                                             at__gte=campaign.launched_at).values_list("client_id", flat=True))
    rows: dict[str, ProgressRow] = defaultdict(lambda: ProgressRow(advisor=""))
    total = ProgressRow(advisor="")
    for m in members:
        name = m.advisor.name if m.advisor else "—"
        row = rows[name]
        row.advisor = name
        # a success: outcome 1 for resumed / assets, a rise over the span before for the others (outcome > 0)
        success = m.outcome is not None and m.outcome > 0
        for r in (row, total):
            if m.group == MemberGroup.TREATMENT:
                r.treatment += 1
                r.assigned += m.task_id is not None
                r.done += m.task is not None and m.task.status == TaskStatus.DONE
                r.contacted += m.client_id in reached
                r.successes += bool(success)
            else:
                r.control += 1
                r.control_successes += bool(success)
            r.measured += m.outcome is not None
    return total, sorted(rows.values(), key=lambda r: r.advisor)


def campaign_readout(*, user: User, campaign: Campaign):
    """The anytime-valid readout (measure.sequential) over the measured members the user may see: the lift with
    its confidence sequence (safe to read every day), CUPED on the span before (`before`), and the sample-ratio
    check against the designed control share. None before both groups have measured members."""
    from panhuo.measure.sequential import readout

    rows = list(members_for_user(user=user, campaign=campaign).exclude(group=MemberGroup.EXCLUDED)
                .values_list("group", "outcome", "before", "advisor_id"))
    measured = [r for r in rows if r[1] is not None]
    if not measured:
        return None
    treated = [g == MemberGroup.TREATMENT for g, _y, _b, _a in measured]
    y = [y for _g, y, _b, _a in measured]
    x = [b or 0.0 for _g, _y, b, _a in measured]
    if campaign.randomise_by_advisor:
        # the advisors are the units (a member without an advisor is a cluster of one)
        cluster = [f"a{a}" if a else f"m{i}" for i, (_g, _y, _b, a) in enumerate(measured)]
        planned = len({f"a{a}" if a else f"m{i}" for i, (_g, _y, _b, a) in enumerate(rows)})
        return readout(y, treated, control_share=campaign.control_share, x=x if any(x) else None,
                       planned_n=planned, cluster=cluster)
    return readout(y, treated, control_share=campaign.control_share, x=x if any(x) else None,
                   planned_n=len(rows))
