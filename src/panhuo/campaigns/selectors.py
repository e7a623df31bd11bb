"""Reads: campaigns a user may see, a campaign's target preview, its members, the consent ledger.

Clients are reached only through clients.selectors, so a campaign preview never counts a client the user
could not open. Target rules are a closed vocabulary (fields and operators below), never raw SQL or ORM paths.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.campaigns.models import Campaign, CampaignMember, MemberGroup
from panhuo.clients.events import events_within_reach
from panhuo.clients.models import ClientSnapshot, Event, EventRegistration, EventStatus
from panhuo.clients.selectors import out_of_reach, snapshots_for_user, within_reach
from panhuo.market.vocabulary import regime_words

# field -> ORM path on ClientSnapshot; "features.<key>" reaches the snapshot's features JSON.
RULE_FIELDS = {
    "total_assets": "total_assets", "days_since_last_trade": "days_since_last_trade", "trades_90d": "trades_90d",
    "commission_365d": "commission_365d", "tier": "tier", "value_tier": "value_tier",
    "position_band": "position_band", "profit_state": "profit_state", "trading_style": "trading_style",
    "personality": "personality", "lifecycle": "lifecycle", "is_dormant": "is_dormant", "p_alive": "p_alive",
    "churn_risk": "churn_risk", "expected_trading_days_90d": "expected_trading_days_90d",
    "risk_level": "client__risk_level", "advisor": "client__advisor__advisor_id",
}
RULE_OPS = {"eq": "exact", "ne": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "in": "in"}


def _rule_q(rule: dict) -> Q:
    field, op, value = rule.get("field", ""), rule.get("op", ""), rule.get("value")
    if field.startswith("features."):
        key = field.removeprefix("features.")
        if not key.replace("_", "").isalnum():
            raise ValidationError({"rules": f"bad feature name: {key}"})
        path = f"features__{key}"
    elif field in RULE_FIELDS:
        path = RULE_FIELDS[field]
    else:
        raise ValidationError({"rules": f"unknown field: {field}"})
    if op not in RULE_OPS:
        raise ValidationError({"rules": f"unknown operator: {op}"})
    if op == "in" and not isinstance(value, list):
        value = [v.strip() for v in str(value).split(",") if v.strip()]
    q = Q(**{f"{path}__{RULE_OPS[op]}": value})
    return ~q if op == "ne" else q


def rules_q(rules: list[dict]) -> Q:
    """All rules must hold (AND); an empty rule list is everyone in reach."""
    q = Q()
    for rule in rules:
        q &= _rule_q(rule)
    return q


def segment_preview(*, user: User, rules: list[dict]) -> dict:
    """Live count and assets of a target, for the rule builder."""
    qs = snapshots_for_user(user=user).filter(rules_q(rules))
    agg = qs.aggregate(n=Count("id"), assets=Sum("total_assets"))
    return {"count": agg["n"] or 0, "assets": float(agg["assets"] or 0)}


def segment_snapshots(*, user: User, rules: list[dict], branch_id: int | None = None) -> QuerySet[ClientSnapshot]:
    qs = snapshots_for_user(user=user).filter(rules_q(rules)).select_related("client", "client__advisor")
    if branch_id is not None:
        qs = qs.filter(client__branch_id=branch_id)
    return qs.order_by("client__client_id")


def campaign_events_open(*, user: User) -> QuerySet[Event]:
    """Events a campaign of `user` may invite to: planned, not yet over, within reach (materials are checked at
    launch: `clients.events.event_problems`)."""
    return (events_within_reach(user=user).filter(status=EventStatus.PLANNED, ends_at__gt=timezone.now())
            .order_by("starts_at"))


def campaign_event_outcome(*, user: User, campaign: Campaign) -> list[dict] | None:
    """Attendance as a campaign outcome: per group (treatment, control) the members the user may see, how many
    were invited, registered and came. The control group is never invited; a control member who came anyway found
    the event themselves. None for a campaign without an event."""
    if not campaign.event_id:
        return None
    members = members_for_user(user=user, campaign=campaign).exclude(group=MemberGroup.EXCLUDED)
    regs = {r["client_id"]: r for r in EventRegistration.objects.filter(
        event_id=campaign.event_id, client_id__in=members.values("client_id")).values(
        "client_id", "status", "checked_in_at", "campaign_id")}
    out = []
    for group in (MemberGroup.TREATMENT, MemberGroup.CONTROL):
        ids = list(members.filter(group=group).values_list("client_id", flat=True))
        rs = [regs[i] for i in ids if i in regs]
        out.append({"group": group, "label": MemberGroup(group).label, "members": len(ids),
                    "invited": sum(1 for r in rs if r["campaign_id"] == campaign.pk),
                    "registered": sum(1 for r in rs if r["status"] == "registered"),
                    "attended": sum(1 for r in rs if r["checked_in_at"] is not None)})
    return out


def campaigns_for_user(*, user: User) -> QuerySet[Campaign]:
    """Directors and managers see their branch's campaigns; compliance and admins all; advisors those with a
    member who is their client now (to read the script and their clients' results) or whom they served at launch
    (to read their incentive; the client's rows stay with the current advisor, see members_for_user)."""
    campaigns = Campaign.objects.all()
    qs = (within_reach(campaigns, user=user, advisor="members__client__advisor_id")
          | within_reach(campaigns, user=user, advisor="members__advisor_id"))
    return qs.distinct() if user.is_authenticated and user.role == Role.ADVISOR else qs   # one row per campaign


def campaign_get_for_user(*, user: User, campaign_id: int) -> Campaign:
    try:
        return campaigns_for_user(user=user).get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise out_of_reach(user=user, object_type="campaign", object_ids=[campaign_id]) from None


def members_for_user(*, user: User, campaign: Campaign) -> QuerySet[CampaignMember]:
    """The members whose client the user may reach now, by the one access rule: after a reassignment the former
    advisor no longer sees the client in the campaign's lists, report and export, and the new one does
    (`member.advisor` stays the advisor recorded at launch: the randomisation's stratum and the incentive's)."""
    qs = campaign.members.select_related("client", "client__advisor", "advisor")
    return within_reach(qs, user=user, branch="client__branch_id", advisor="client__advisor_id")


def campaign_report(*, user: User, campaign: Campaign):
    """The report over the members the user may see (an advisor: their clients now), as measure.report.Report;
    by advisor means the advisor recorded at launch, the stratum the holdout was split in."""
    from panhuo.campaigns.models import BINARY_MEASURES, MemberGroup, SendAttempt, SendStatus
    from panhuo.clients.models import Contact, FunnelEvent
    from panhuo.measure.report import ReportRow, build_report

    members = list(members_for_user(user=user, campaign=campaign).exclude(group=MemberGroup.EXCLUDED))
    pks = [m.client_id for m in members]
    since = campaign.launched_at
    channel: dict[int, str] = {}
    if since is not None:
        # The first thing that reached the member after launch: a logged contact or a sent message.
        firsts = [(c.at, c.client_id, c.channel) for c in
                  Contact.objects.filter(client_id__in=pks, at__gte=since).only("at", "client_id", "channel")]
        firsts += [(s.sent_at, s.member.client_id, s.channel) for s in
                   SendAttempt.objects.filter(campaign=campaign, status=SendStatus.SENT).select_related("member")]
        for _, cid, ch in sorted(firsts):
            channel.setdefault(cid, ch)
    stages: dict[int, set] = {}
    if since is not None:
        for cid, stage in FunnelEvent.objects.filter(client_id__in=pks, at__gte=since).values_list("client_id",
                                                                                                  "stage"):
            stages.setdefault(cid, set()).add(stage)
    rows = [ReportRow(group=m.group, advisor=m.advisor.name if m.advisor else "-",
                      channel=channel.get(m.client_id, "") if m.group == MemberGroup.TREATMENT else "",
                      outcome=m.outcome, turnover_flag=m.turnover_flag, stages=tuple(sorted(stages.get(m.client_id, ()))),
                      cluster=f"a{m.advisor_id}" if m.advisor_id else f"m{m.client_id}")
            for m in members]
    return build_report(rows, binary=campaign.measure in BINARY_MEASURES, clustered=campaign.randomise_by_advisor)


def campaign_incentive_for_user(*, user: User, campaign: Campaign):
    """The campaign's incentive by its rule (measure.incentive.CampaignIncentive), or None before it can be
    computed. The pot is the campaign's whatever the viewer; an advisor then sees only their own row. Rows are by
    the advisor recorded at launch (the randomisation's stratum and the advisor the task was given to), so a
    client reassigned later stays credited to the advisor who served them. One query."""
    from panhuo.campaigns.models import BINARY_MEASURES, CHURN_SENSITIVE, MemberGroup
    from panhuo.measure.incentive import IncentiveMember, campaign_incentive

    if campaign.incentive_per_client is None:
        return None
    rows = (campaign.members.exclude(group=MemberGroup.EXCLUDED)
            .values_list("group", "advisor_id", "advisor__name", "outcome", "risk_level", "turnover_flag"))
    names, members = {}, []
    for group, advisor_pk, name, outcome, risk, flag in rows:
        names[str(advisor_pk)] = name or "-"
        members.append(IncentiveMember(group=group, advisor=str(advisor_pk), outcome=outcome, risk_level=risk or "",
                                       turnover_flag=flag))
    result = campaign_incentive(members, per_client=float(campaign.incentive_per_client),
                                cap=None if campaign.incentive_cap is None else float(campaign.incentive_cap),
                                binary=campaign.measure in BINARY_MEASURES,
                                churn_sensitive=campaign.measure in CHURN_SENSITIVE)
    if result is None:
        return None
    mine = result.rows
    if user.role == Role.ADVISOR:     # their own row only; an advisor user not linked to an advisor sees none
        mine = [r for r in mine if user.advisor_id is not None and r.advisor == str(user.advisor_id)]
    return replace(result, rows=sorted((replace(r, advisor=names[r.advisor]) for r in mine), key=lambda r: r.advisor))


def campaign_scripts_by_key(*, keys: list[str]) -> dict[str, str]:
    """{task script_key "campaign:<pk>": the campaign's script} in one query, for the Today list."""
    ids = {int(k.split(":", 1)[1]) for k in keys if k and k.startswith("campaign:") and k[9:].isdigit()}
    if not ids:
        return {}
    return {f"campaign:{pk}": script for pk, script in Campaign.objects.filter(pk__in=ids).values_list("pk", "script")}


def campaign_task_scripts(*, tasks) -> dict[int, str]:
    """{task pk: its campaign's script filled with the client's name, holdings, P&L and the market regime} for
    the Today list, in at most three queries whatever the number of tasks (none without a campaign task)."""
    from panhuo.clients.models import ClientSeries
    from panhuo.outreach.scripts import render_script

    scripts = campaign_scripts_by_key(keys=[t.script_key for t in tasks])
    mine = [t for t in tasks if t.script_key in scripts]
    if not mine:
        return {}
    positions = dict(ClientSeries.objects.filter(client_id__in=[t.client_id for t in mine])
                     .values_list("client_id", "positions"))
    regime = market_regime_zh() if any("{regime}" in scripts[t.script_key] for t in mine) else ""
    return {t.pk: render_script(scripts[t.script_key], name=t.client.name, positions=positions.get(t.client_id),
                                regime=regime) for t in mine}


def market_regime_zh() -> str:
    """The latest market day's regime for {regime}, e.g. "盘整市道"; empty before the market run has written one."""
    from panhuo.clients.models import MarketDay

    regime = MarketDay.objects.order_by("-date").values_list("regime", flat=True).first()
    return regime_words(regime, "zh")     # scripts go to clients in Chinese


def campaign_attributions(*, branch_id: int, start, end) -> list[dict]:
    """The appraisal's reactivations by campaign lift (clients.registry.attributions): for each campaign whose
    measurement window (launch + window_days) closed in [start, end] and has outcomes, each advisor of the
    branch is credited with their share of the campaign's incremental clients, shared exactly as the incentive
    shares its pot (measure.incentive: the lift's lower bound x counted treated, by shrunk own effect). A
    churn-sensitive measure (volume, commission) is commission-based: its C1-C2 members never count."""
    from datetime import timedelta

    from django.utils import timezone

    from panhuo.campaigns.models import BINARY_MEASURES, CHURN_SENSITIVE, MemberGroup

    out = []
    launched = Campaign.objects.filter(launched_at__isnull=False, outcomes_as_of__isnull=False,
                                       launched_at__date__lte=end, launched_at__date__gte=start - timedelta(days=400))
    for campaign in launched:
        closes = timezone.localdate(campaign.launched_at) + timedelta(days=campaign.window_days)
        if not start <= closes <= end:
            continue
        # numpy and statsmodels load on the first campaign, not on every scorecard
        from panhuo.measure.incentive import IncentiveMember, campaign_incentive
        rows = (campaign.members.exclude(group=MemberGroup.EXCLUDED)
                .values_list("group", "advisor_id", "advisor__branch_id", "outcome", "risk_level", "turnover_flag"))
        members, ours = [], set()
        for group, advisor_pk, advisor_branch, outcome, risk, flag in rows:
            members.append(IncentiveMember(group=group, advisor=str(advisor_pk), outcome=outcome,
                                           risk_level=risk or "", turnover_flag=flag))
            if advisor_branch == branch_id:
                ours.add(str(advisor_pk))
        sensitive = campaign.measure in CHURN_SENSITIVE
        # per_client=1 and no cap: each advisor's `incremental` is their share of the clients, not money.
        result = campaign_incentive(members, per_client=1.0, cap=None, binary=campaign.measure in BINARY_MEASURES,
                                    churn_sensitive=sensitive)
        if result is None:
            continue
        out += [{"advisor": int(r.advisor), "source": campaign.name, "campaign_id": campaign.pk,
                 "incremental": r.incremental, "treated": r.treated, "lift_low": round(result.lift.ci_low, 4),
                 "commission_based": sensitive} for r in result.rows if r.advisor in ours]
    return out
