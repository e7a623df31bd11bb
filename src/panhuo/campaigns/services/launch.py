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
from panhuo.clients.models import OPEN_STATUSES, Channel, Contact, Task, TaskKind
from panhuo.clients.suitability import EXPIRED, NOT_ASSESSED, Decision, suitability_check_many
from panhuo.measure.holdout import assign_holdout
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
        split = {a.member_id: a.is_control for a in assign_holdout(
            [(m.client.client_id, (m.stratum,)) for m in eligible],
            control_share=campaign.control_share, seed=campaign.seed)}
        for m in eligible:
            m.group = MemberGroup.CONTROL if split[m.client.client_id] else MemberGroup.TREATMENT
        CampaignMember.objects.bulk_create(rows, batch_size=1000)
        n_tasks = _tasks_for(campaign, [m for m in rows if m.group == MemberGroup.TREATMENT], today)
        campaign.status = CampaignStatus.LAUNCHED
        campaign.launched_at, campaign.launched_by = timezone.now(), user
        campaign.start = campaign.start or today
        campaign.save()
        counts = Counter(m.group for m in rows)
        reasons = Counter(m.exclusion_reason for m in rows if m.exclusion_reason)
        summary = {"campaign": campaign.pk, "seed": campaign.seed, "seed_source": campaign.seed_source,
                   "treatment": counts[MemberGroup.TREATMENT],
                   "control": counts[MemberGroup.CONTROL], "excluded": counts[MemberGroup.EXCLUDED],
                   "reasons": dict(reasons), "tasks": n_tasks}
        audit_record(user=user, action="campaign.launch", object_type="campaign", object_ids=[str(campaign.pk)],
                     detail=summary, request=request)
    return summary


def _tasks_for(campaign: Campaign, treatment: list[CampaignMember], today: date) -> int:
    """One Today task per treatment member on an advisor channel, due dates spread so no advisor gets more
    than the daily cap (counting campaign tasks already due that day)."""
    if not set(campaign.channels) & ADVISOR_CHANNELS:
        return 0
    load = defaultdict(int)
    for adv, due, n in (Task.objects.filter(kind=TaskKind.CAMPAIGN, status__in=OPEN_STATUSES, due__gte=today)
                        .values("advisor_id", "due").annotate(n=Count("id")).values_list("advisor_id", "due", "n")):
        load[(adv, due)] = n
    cap = max(1, campaign.daily_cap_per_advisor)
    start = max(campaign.start or today, today)
    tasks = []
    for m in sorted(treatment, key=lambda m: (m.advisor_id, m.client.client_id)):
        due = start
        while load[(m.advisor_id, due)] >= cap:
            due += timedelta(days=1)
        load[(m.advisor_id, due)] += 1
        window = f"{campaign.quiet_start:%H:%M}-{campaign.quiet_end:%H:%M}"
        tasks.append(Task(client=m.client, advisor_id=m.advisor_id, kind=TaskKind.CAMPAIGN,
                          priority=CAMPAIGN_PRIORITY, reason_zh=f"活动：{campaign.name}（联系时段 {window}）"[:255],
                          reason_en=f"Campaign: {campaign.name} (contact {window})"[:255],
                          script_key=f"campaign:{campaign.pk}"[:40], due=due, created_on=today))
    Task.objects.bulk_create(tasks)
    # bulk_create sets pks on PostgreSQL and SQLite >= 3.35; link each member to its task.
    by_client = {t.client_id: t for t in tasks}
    for m in treatment:
        m.task = by_client.get(m.client_id)
    CampaignMember.objects.bulk_update([m for m in treatment if m.task], ["task"], batch_size=1000)
    return len(tasks)
