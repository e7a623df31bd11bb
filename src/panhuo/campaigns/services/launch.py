"""Creating and launching a campaign: lint, eligibility with recorded reasons, holdout, tasks on Today lists.

Eligibility is decided BEFORE randomisation, so treatment and control are drawn from the same eligible
population and the lift compares like with like; every excluded client keeps a member row with its reason.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.campaigns.models import (
    CHURN_SENSITIVE,
    Campaign,
    CampaignMember,
    CampaignStatus,
    Measure,
    MemberGroup,
    SeedSource,
)
from panhuo.campaigns.selectors import rules_q, segment_snapshots
from panhuo.campaigns.services.review import campaign_script_versions, scripts_edit_audit, unapproved_scripts
from panhuo.clients.consent import consent_state
from panhuo.clients.events import event_invite, event_problems
from panhuo.clients.holdout import holdout_client_ids
from panhuo.clients.models import OPEN_STATUSES, Channel, Contact, Task, TaskKind
from panhuo.clients.suitability import EXPIRED, NOT_ASSESSED, Decision, suitability_check_many
from panhuo.measure.holdout import assign_clusters, assign_holdout
from panhuo.outreach.lint import lint_script

CAMPAIGN_PRIORITY = 500
ADVISOR_CHANNELS = {Channel.PHONE, Channel.VISIT, Channel.EVENT, Channel.WECHAT}

# Exclusion reasons (codes are stored; labels live in the report template and the zh_Hans catalogue).
DO_NOT_CONTACT = "do_not_contact"
SUITABILITY = "suitability"
RISK_UNKNOWN = "risk_level_unknown"
RISK_EXPIRED = "risk_assessment_expired"
CHURN_GUARD = "churn_guard_c1_c2"
OPTED_OUT = "opted_out"
CONTACT_CAP = "contact_cap"
NO_ADVISOR = "no_advisor"
BUSY = "open_campaign_task"
REASON_LABELS = {
    DO_NOT_CONTACT: _("Do not contact"), SUITABILITY: _("Product risk above the client's level"),
    RISK_UNKNOWN: _("Risk level not assessed"),
    RISK_EXPIRED: _("The risk assessment has expired: assess the client again"), CHURN_GUARD: _("Volume measure not offered to C1-C2"),
    OPTED_OUT: _("Opted out of every campaign channel"), CONTACT_CAP: _("Contacted too often lately"),
    NO_ADVISOR: _("No advisor"), BUSY: _("Already in another campaign's task"),
}


def step_days_valid(step_days) -> bool:
    """Days after the start on which each message step goes out: whole numbers ≥ 0, strictly increasing."""
    days = step_days or [0]
    return (isinstance(days, list) and all(type(d) is int and d >= 0 for d in days)
            and all(a < b for a, b in zip(days, days[1:], strict=False)))


def campaign_validate(campaign: Campaign) -> list[str]:
    """Problems that block a launch (empty list: ready). Lint runs per channel: an SMS needs more."""
    problems = []
    if not campaign.channels:
        problems.append("no channel")
    bad = [c for c in campaign.channels if c not in Channel.values]
    if bad:
        problems.append(f"unknown channel: {', '.join(bad)}")
    if not campaign.script.strip():
        problems.append("no script")
    for channel in campaign.channels or [None]:
        result = lint_script(campaign.script, channel=channel if channel in ("sms", "email") else None)
        if not result.ok:
            problems.append(f"{channel or 'script'}: {result.reason('zh')} / {result.reason('en')}")
    if not 0 < campaign.control_share < 1:
        problems.append("control share must be between 0 and 1")
    if not step_days_valid(campaign.step_days):
        problems.append("步骤天数须为递增的非负整数 / step days must be increasing whole numbers from 0")
    if campaign.start and campaign.end and campaign.end < campaign.start:
        problems.append("结束日期早于开始日期 / the end is before the start")
    try:
        rules_q(campaign.rules)
    except ValidationError as e:
        problems.extend(e.messages)
    # Marketing material is reviewed before staff use it: every script's current text approved by compliance.
    problems.extend(unapproved_scripts(campaign))
    if campaign.event_id:
        problems.extend(event_problems(campaign.event))
        if campaign.branch_id and campaign.event.branch_id != campaign.branch_id:
            problems.append("活动属于其他营业部 / the event is another branch's")
    return problems


def campaign_create(*, user: User, name: str, rules: list[dict], channels: list[str], script: str,
                    goal: str = "", measure: str = Measure.RESUMED, window_days: int = 30,
                    control_share: float = 0.10, size: int | None = None, product_risk: str = "",
                    measure_cap: float | None = None, incentive_rule: str = "", start: date | None = None,
                    end: date | None = None, seed: int | None = None, request=None, **limits) -> Campaign:
    """A draft. The holdout seed is drawn by the server at launch; `seed` exists for tests and calibration only
    (no page or command passes it), and a campaign given one is recorded as `chosen` and flagged on its report."""
    require(user, Capability.DESIGN_CAMPAIGN)
    if measure not in Measure.values:
        raise ValidationError({"measure": "unknown measure"})
    rules_q(rules)                                        # refuse a bad rule now, not at launch
    if not step_days_valid(limits.get("step_days")):
        raise ValidationError({"step_days": "step days must be increasing whole numbers from 0"})
    campaign = Campaign.objects.create(
        name=name, goal=goal, branch_id=user.branch_id, created_by=user, rules=rules, channels=channels,
        script=script, measure=measure, window_days=window_days, control_share=control_share, size=size,
        product_risk=product_risk, measure_cap=measure_cap, incentive_rule=incentive_rule, start=start, end=end,
        seed=seed, seed_source=SeedSource.CHOSEN if seed is not None else "", **limits)
    audit_record(user=user, action="campaign.create", object_type="campaign", object_ids=[str(campaign.pk)],
                 request=request)
    return campaign


def campaign_update(*, user: User, campaign_id: int, rules: list[dict], request=None, **fields) -> Campaign:
    """Edit a draft; a launched campaign is frozen (its members and split are on record)."""
    require(user, Capability.DESIGN_CAMPAIGN)
    campaign = Campaign.objects.get(pk=campaign_id)
    if not user.sees_whole_firm and campaign.branch_id != user.branch_id:     # a campaign of one's own branch
        raise PermissionDenied
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("a launched campaign cannot be edited")
    if fields.get("measure", campaign.measure) not in Measure.values:
        raise ValidationError({"measure": "unknown measure"})
    rules_q(rules)
    if {"seed", "seed_source", "status"} & set(fields):
        raise ValidationError("the seed and the status are not edited: the server draws the seed at launch")
    before = campaign_script_versions(campaign)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.rules = rules
    campaign.save()
    audit_record(user=user, action="campaign.update", object_type="campaign", object_ids=[str(campaign.pk)],
                 request=request)
    scripts_edit_audit(user=user, campaign=campaign, before=before, request=request)
    return campaign


def _exclusion(campaign: Campaign, client, refused: dict[str, dict[int, bool]], recent: Counter,
               busy: set[int], suitable: dict[int, Decision]) -> tuple[str, str]:
    """(reason, detail) or ("", "") when eligible. Order matters only for which reason is recorded first.
    `suitable`: the core's suitability decision per client for the campaign's product risk (clients.suitability:
    the firm's matrix, an expired assessment blocks)."""
    if client.do_not_contact:
        return DO_NOT_CONTACT, ""
    level = client.risk_level or ""
    if campaign.product_risk:
        decision = suitable[client.pk]
        if not decision.allowed:
            if NOT_ASSESSED in decision.reasons:
                return RISK_UNKNOWN, f"product {campaign.product_risk}"
            if EXPIRED in decision.reasons:
                return RISK_EXPIRED, f"{level} {client.risk_assessed_on}"
            return SUITABILITY, f"{level} < {campaign.product_risk}"
    if campaign.measure in CHURN_SENSITIVE and level in ("C1", "C2"):
        return CHURN_GUARD, f"{level}, measure {campaign.measure}"
    open_channels = [ch for ch in campaign.channels if refused[ch].get(client.pk, True)]
    if not open_channels:
        return OPTED_OUT, ",".join(campaign.channels)
    if recent[client.pk] >= campaign.client_cap_contacts:
        return CONTACT_CAP, f"{recent[client.pk]} in {campaign.client_cap_days} d"
    if set(campaign.channels) & ADVISOR_CHANNELS:
        if client.advisor_id is None:
            return NO_ADVISOR, ""
        if client.pk in busy:
            return BUSY, ""
    return "", ""


def _sample(ids: list, size: int | None, seed: int) -> set:
    if size is None or size >= len(ids):
        return set(ids)
    rng = np.random.default_rng([seed, 1])
    return {ids[i] for i in rng.choice(len(ids), size=size, replace=False)}


def campaign_launch(*, user: User, campaign_id: int, today: date | None = None, request=None) -> dict:
    """Freeze the members, split the holdout, put treatment members on their advisors' Today lists."""
    require(user, Capability.LAUNCH_CAMPAIGN)
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if not user.sees_whole_firm and campaign.branch_id != user.branch_id:
            raise PermissionDenied
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError("campaign already launched")
        problems = campaign_validate(campaign)
        if problems:
            audit_record(user=user, action="campaign.launch", object_type="campaign", object_ids=[str(campaign.pk)],
                         outcome="blocked", detail={"problems": problems}, request=request)
            raise ValidationError(problems)
        if campaign.seed is None:
            # Drawn here, after the design is frozen, from the OS's CSPRNG: nobody can pick a flattering split.
            # Recorded, so the split can be recomputed for audit.
            campaign.seed, campaign.seed_source = secrets.randbits(31), SeedSource.SERVER
        elif not campaign.seed_source:
            campaign.seed_source = SeedSource.UNKNOWN          # a seed set some other way: nobody knows by whom
        snaps = list(segment_snapshots(user=user, rules=campaign.rules, branch_id=campaign.branch_id))
        # The branch's persistent holdout is never a member, never invited (clients/holdout.py).
        held = holdout_client_ids(on=today, branch_id=campaign.branch_id)
        n_held = sum(s.client_id in held for s in snaps)
        snaps = [s for s in snaps if s.client_id not in held]
        chosen = _sample([s.client.client_id for s in snaps], campaign.size, campaign.seed)
        snaps = [s for s in snaps if s.client.client_id in chosen]
        pks = [s.client_id for s in snaps]
        refused = {ch: {k: v for k, v in consent_state(client_ids=pks, channel=ch).items()}
                   for ch in campaign.channels}
        since = timezone.now() - timedelta(days=campaign.client_cap_days)
        recent = Counter(dict(Contact.objects.filter(client_id__in=pks, at__gte=since).values("client_id")
                              .annotate(n=Count("id")).values_list("client_id", "n")))
        busy = set(Task.objects.filter(client_id__in=pks, kind=TaskKind.CAMPAIGN, status__in=OPEN_STATUSES)
                   .values_list("client_id", flat=True))
        # Every target is checked and the check kept in the suitability record (20 years), match or not.
        suitable = (suitability_check_many(clients=[s.client for s in snaps], product_risk=campaign.product_risk,
                                           place="campaign_target", product=f"campaign:{campaign.pk}", user=user,
                                           today=today) if campaign.product_risk else {})
        rows, eligible = [], []
        for s in snaps:
            c = s.client
            reason, detail = _exclusion(campaign, c, refused, recent, busy, suitable)
            stratum = f"{c.advisor.advisor_id if c.advisor else '-'}|{s.tier or '-'}"
            m = CampaignMember(campaign=campaign, client=c, advisor=c.advisor, stratum=stratum,
                               risk_level=c.risk_level or "", group=MemberGroup.EXCLUDED,
                               exclusion_reason=reason, exclusion_detail=detail)
            rows.append(m)
            if not reason:
                eligible.append(m)
        if not eligible:
            raise ValidationError("no eligible members")
        if campaign.randomise_by_advisor:
            # whole books: every member of an advisor in one arm (no advisor: a cluster of one)
            split = {a.member_id: a.is_control for a in assign_clusters(
                [(m.client.client_id, m.advisor.advisor_id if m.advisor else None) for m in eligible],
                control_share=campaign.control_share, seed=campaign.seed)}
        else:
            split = {a.member_id: a.is_control for a in assign_holdout(
                [(m.client.client_id, (m.stratum,)) for m in eligible],
                control_share=campaign.control_share, seed=campaign.seed)}
        for m in eligible:
            m.group = MemberGroup.CONTROL if split[m.client.client_id] else MemberGroup.TREATMENT
        CampaignMember.objects.bulk_create(rows, batch_size=1000)
        n_tasks = _tasks_for(campaign, [m for m in rows if m.group == MemberGroup.TREATMENT], today)
        n_invited = 0
        if campaign.event_id:      # the treatment group only: the control group measures the event's effect
            n_invited = event_invite(event=campaign.event, campaign_id=campaign.pk,
                                     members=[(m.client, m.advisor_id) for m in rows
                                              if m.group == MemberGroup.TREATMENT])
            audit_record(user=user, action="event.invite", object_type="event", object_ids=[str(campaign.event_id)],
                         detail={"campaign": campaign.pk, "invited": n_invited}, request=request)
        campaign.status = CampaignStatus.LAUNCHED
        campaign.launched_at, campaign.launched_by = timezone.now(), user
        campaign.start = campaign.start or today
        campaign.save()
        counts = Counter(m.group for m in rows)
        reasons = Counter(m.exclusion_reason for m in rows if m.exclusion_reason)
        summary = {"campaign": campaign.pk, "seed": campaign.seed, "seed_source": campaign.seed_source,
                   "treatment": counts[MemberGroup.TREATMENT],
                   "control": counts[MemberGroup.CONTROL], "excluded": counts[MemberGroup.EXCLUDED],
                   "reasons": dict(reasons), "tasks": n_tasks, "held_out": n_held,
                   "invited": n_invited}
        if campaign.randomise_by_advisor:
            arms = {g: {m.advisor_id for m in rows if m.group == g} for g in (MemberGroup.TREATMENT,
                                                                               MemberGroup.CONTROL)}
            summary["clusters"] = {"treatment": len(arms[MemberGroup.TREATMENT]),
                                   "control": len(arms[MemberGroup.CONTROL])}
        audit_record(user=user, action="campaign.launch", object_type="campaign", object_ids=[str(campaign.pk)],
                     detail=summary, request=request)
    return summary


UPLIFT_FEATURES = ["days_since_last_trade", "trades_90d", "total_assets", "commission_365d", "churn_risk", "p_alive"]


def _features(snaps) -> dict[int, list[float]]:
    return {s.client_id: [float(getattr(s, f) or 0) for f in UPLIFT_FEATURES] for s in snaps}


def _env_float(name: str, default: float) -> float:
    import os

    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def uplift_scores(campaign: Campaign, treatment: list[CampaignMember]) -> dict[int, float] | None:
    """Expected incremental reactivation × value − cost per treatment member (client pk → CNY), from the uplift
    model fitted on `campaign.uplift_from`'s randomised outcomes with the features its members had at its launch
    (never after: their later activity is the outcome). Value: the client's commission over the last year, at
    least PANHUO_REACTIVATION_VALUE (default 500 CNY); cost: PANHUO_CONTACT_COST (default 20 CNY). None without a
    source campaign or when it is too small to learn from."""
    from panhuo.clients.models import ClientSnapshot
    from panhuo.measure.targeting import expected_net

    source = campaign.uplift_from
    if source is None or source.launched_at is None:
        return None
    rows = list(source.members.exclude(group=MemberGroup.EXCLUDED).filter(outcome__isnull=False)
                .values_list("client_id", "group", "outcome"))
    at_launch = {}
    for snap in (ClientSnapshot.objects.filter(client_id__in=[r[0] for r in rows],
                                               as_of__lte=source.launched_at.date()).order_by("client_id", "as_of")):
        at_launch[snap.client_id] = snap                       # the last one on or before the launch wins
    rows = [r for r in rows if r[0] in at_launch]
    X = _features(at_launch.values())
    new = {s.client_id: s for s in ClientSnapshot.objects.filter(client_id__in=[m.client_id for m in treatment],
                                                                is_latest=True)}
    ids = [m.client_id for m in treatment if m.client_id in new]
    if not ids:
        return None
    floor = _env_float("PANHUO_REACTIVATION_VALUE", 500.0)
    try:
        net = expected_net(X_train=[X[r[0]] for r in rows], treated_train=[r[1] == MemberGroup.TREATMENT for r in rows],
                           y_train=[r[2] for r in rows], X_new=[_features([new[i]])[i] for i in ids],
                           value=[max(float(new[i].commission_365d or 0), floor) for i in ids],
                           cost=_env_float("PANHUO_CONTACT_COST", 20.0))
    except ValueError:
        return None
    return dict(zip(ids, (float(v) for v in net), strict=True))


def _tasks_for(campaign: Campaign, treatment: list[CampaignMember], today: date) -> int:
    """One Today task per treatment member on an advisor channel, due dates spread so no advisor gets more
    than the daily cap (counting campaign tasks already due that day). With an uplift model, each advisor's
    members are taken in order of expected incremental reactivation × value − cost, so the daily capacity goes to
    the contacts expected to bring the most, and the task says so."""
    if not set(campaign.channels) & ADVISOR_CHANNELS:
        return 0
    scores = uplift_scores(campaign, treatment)
    load = defaultdict(int)
    for adv, due, n in (Task.objects.filter(kind=TaskKind.CAMPAIGN, status__in=OPEN_STATUSES, due__gte=today)
                        .values("advisor_id", "due").annotate(n=Count("id")).values_list("advisor_id", "due", "n")):
        load[(adv, due)] = n
    cap = max(1, campaign.daily_cap_per_advisor)
    start = max(campaign.start or today, today)
    tasks = []
    def order(m):
        score = scores.get(m.client_id, float("-inf")) if scores else 0.0
        return (m.advisor_id or 0, -score, m.client.client_id)

    rank: dict = defaultdict(int)
    for m in sorted(treatment, key=order):
        due = start
        while load[(m.advisor_id, due)] >= cap:
            due += timedelta(days=1)
        load[(m.advisor_id, due)] += 1
        window = f"{campaign.quiet_start:%H:%M}-{campaign.quiet_end:%H:%M}"
        zh, en, priority = f"联系时段 {window}", f"contact {window}", CAMPAIGN_PRIORITY
        if scores and m.client_id in scores:
            rank[m.advisor_id] += 1
            priority += max(0, 99 - rank[m.advisor_id])          # the advisor's best expected contacts first
            zh += f"；按预期增量激活×价值−成本排序，预期 {scores[m.client_id]:.0f} 元"
            en += f"; ranked by expected incremental reactivation × value − cost, {scores[m.client_id]:.0f} CNY"
        tasks.append(Task(client=m.client, advisor_id=m.advisor_id, kind=TaskKind.CAMPAIGN,
                          priority=priority, reason_zh=f"活动：{campaign.name}（{zh}）"[:255],
                          reason_en=f"Campaign: {campaign.name} ({en})"[:255],
                          script_key=f"campaign:{campaign.pk}"[:40], due=due, created_on=today))
    Task.objects.bulk_create(tasks)
    # bulk_create sets pks on PostgreSQL and SQLite >= 3.35; link each member to its task.
    by_client = {t.client_id: t for t in tasks}
    for m in treatment:
        m.task = by_client.get(m.client_id)
    CampaignMember.objects.bulk_update([m for m in treatment if m.task], ["task"], batch_size=1000)
    return len(tasks)
