"""Today's tasks: generated idempotently from the latest snapshots and contacts; done / snooze / hand back."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.bulk import bulk_update_rows
from panhuo.clients.consent import consent_state
from panhuo.clients.models import (
    DEFAULT_PROTECTION_DAYS,
    OPEN_STATUSES,
    PROTECTION_LOOKBACK_DAYS,
    Channel,
    Client,
    ClientSnapshot,
    Contact,
    Task,
    TaskKind,
    TaskStatus,
    protection_days_by_branch,
    service_policy_by_branch,
)
from panhuo.clients.selectors import clients_for_user, out_of_reach

# Bands keep the order: campaign, new assignment, churn risk, dormant reachable, follow-up.
CAMPAIGN_PRIORITY = 500
PROTECTION_PRIORITY = 450
CHURN_BASE, DORMANT_BASE = 300, 200
FOLLOW_UP_PRIORITY = 150
# Onboarding ranks with the new assignments' first contact; regular service sits between follow-up and dormant:
# VIP above core above mass, and within a tier the longer-uncontacted first.
ONBOARDING_PRIORITY = 420
REGULAR_BASE = {"vip": 190, "core": 175, "mass": 160}
# The demo and a branch's first day have no contact history, so every VIP would be due at once: each advisor gets at
# most this many open regular tasks, the longest-uncontacted first; the rest come as these are worked off.
REGULAR_CAP_PER_ADVISOR = 10
ONBOARDING_CHECK_WINDOW = 14   # the 30-day check stays on offer this many days
CHURN_THRESHOLD = 0.6
P_ALIVE_THRESHOLD = 0.3
COOLDOWN_DAYS = 30          # a task closed within this many days is not raised again for the same reason
SNOOZE_CHOICES = (1, 3, 7)


def reason_pair(item) -> tuple[str, str]:
    """A churn reason as (zh, en), whatever shape the analytics wrote it in."""
    if isinstance(item, dict):
        return str(item.get("zh", "")), str(item.get("en", item.get("zh", "")))
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return str(item[0]), str(item[1])
    return str(item), str(item)


def _candidates(as_of: date, churn_threshold: float, p_alive_threshold: float) -> dict[tuple[int, str], dict]:
    # Only the rows that raise a task leave the store (a few in a hundred): the rest's churn reasons were
    # decoded for nothing. The filter is the rule below, a missing value counting as 0.
    rows = (ClientSnapshot.objects.filter(is_latest=True, client__advisor__isnull=False,
                                          client__do_not_contact=False)
            .alias(p=Coalesce("p_alive", 0.0), risk=Coalesce("churn_risk", 0.0))
            .filter(Q(is_dormant=True, p__gte=p_alive_threshold) | Q(is_dormant=False, risk__gte=churn_threshold))
            .values("client_id", "client__advisor_id", "churn_risk", "churn_reasons", "is_dormant", "p_alive",
                    "days_since_last_trade"))
    out = {}
    for r in rows.iterator(chunk_size=5000):
        key = r["client_id"]
        if r["is_dormant"] and (r["p_alive"] or 0) >= p_alive_threshold:
            p = r["p_alive"]
            days = r["days_since_last_trade"]
            out[(key, TaskKind.DORMANT_REACHABLE)] = dict(
                advisor_id=r["client__advisor_id"], priority=DORMANT_BASE + min(99, int(p * 100)), due=as_of,
                reason_zh=f"休眠{days or '—'}天，仍活跃概率{p:.0%}",
                reason_en=f"Dormant for {days or '—'} days, P(alive) {p:.0%}")
        elif not r["is_dormant"] and (r["churn_risk"] or 0) >= churn_threshold:
            risk = r["churn_risk"]
            pairs = [reason_pair(x) for x in (r["churn_reasons"] or [])[:2]]
            out[(key, TaskKind.CHURN_RISK)] = dict(
                advisor_id=r["client__advisor_id"], priority=CHURN_BASE + min(99, int(risk * 100)), due=as_of,
                reason_zh=f"流失风险{risk:.0%}" + "".join(f"；{z}" for z, _ in pairs),
                reason_en=f"Churn risk {risk:.0%}" + "".join(f"; {e}" for _, e in pairs))
    # New assignments (within the look-back window): no contact yet since the client was assigned.
    # A client handed over by an approved allocation already has its handover task, which says why.
    contacted = Contact.objects.filter(client=OuterRef("pk"), at__date__gte=OuterRef("assigned_on"))
    handover = Task.objects.filter(client=OuterRef("pk"), kind=TaskKind.HANDOVER, status__in=OPEN_STATUSES)
    fresh = (Client.objects.filter(advisor__isnull=False, assigned_on__lte=as_of, do_not_contact=False,
                                   assigned_on__gte=as_of - timedelta(days=PROTECTION_LOOKBACK_DAYS))
             .filter(~Exists(contacted), ~Exists(handover)).values("pk", "advisor_id", "assigned_on", "branch_id"))
    days = protection_days_by_branch()
    for r in fresh.iterator(chunk_size=5000):
        due = r["assigned_on"] + timedelta(days=days.get(r["branch_id"], DEFAULT_PROTECTION_DAYS))
        out[(r["pk"], TaskKind.PROTECTION)] = dict(
            advisor_id=r["advisor_id"], priority=PROTECTION_PRIORITY, due=due,
            reason_zh=f"{r['assigned_on']:%m月%d日}新分配，请在{due:%m月%d日}前首次联系",
            reason_en=f"Assigned on {r['assigned_on']:%d %b}; first contact due by {due:%d %b}")
    return out


def _follow_ups(as_of: date) -> dict[tuple[int, str], dict]:
    """The latest contact of each client that set a follow-up and has no task yet (e.g. imported contacts)."""
    latest = Contact.objects.values("client_id").annotate(last=Max("at"))
    out = {}
    rows = (Contact.objects.filter(next_follow_up__isnull=False, next_follow_up__lte=as_of + timedelta(days=1),
                                   follow_up_task__isnull=True, client__advisor__isnull=False,
                                   client__do_not_contact=False)
            .values("pk", "client_id", "client__advisor_id", "next_follow_up", "at"))
    last = {r["client_id"]: r["last"] for r in latest.filter(client_id__in=rows.values("client_id"))}
    for r in rows:
        if r["at"] != last.get(r["client_id"]):
            continue
        d = r["next_follow_up"]
        out[(r["client_id"], TaskKind.FOLLOW_UP)] = dict(
            advisor_id=r["client__advisor_id"], priority=FOLLOW_UP_PRIORITY, due=d, source_contact_id=r["pk"],
            reason_zh=f"约定{d:%m月%d日}回访", reason_en=f"Follow-up agreed for {d:%d %b}")
    return out


def staff_contacts():
    """The contacts that count as serving a client: an advisor's own (a campaign's automatic send is not one); the
    warehouse copy's by_staff and the KPIs' coverage use the same rule (docs/kpis.md)."""
    return Contact.objects.filter(by__isnull=False)


def _unreachable(client_ids: list[int]) -> set[int]:
    """Clients whose latest consent refuses both the phone and a visit: no regular or onboarding call."""
    phone = consent_state(client_ids=client_ids, channel=Channel.PHONE)
    visit = consent_state(client_ids=client_ids, channel=Channel.VISIT)
    return {c for c, ok in phone.items() if not ok and visit.get(c) is False}


def _regular(as_of: date, busy: set[int]) -> dict[tuple[int, str], dict]:
    """定期回访: clients of a tier not contacted within their branch's cadence, capped per advisor."""
    policy = service_policy_by_branch()
    last = dict(staff_contacts().values("client_id").annotate(last=Max("at")).values_list("client_id", "last"))
    rows = (ClientSnapshot.objects.filter(is_latest=True, client__advisor__isnull=False,
                                          client__do_not_contact=False, tier__in=list(REGULAR_BASE))
            .values("client_id", "client__advisor_id", "client__branch_id", "tier", "total_assets"))
    due: dict[int, list] = {}
    for r in rows.iterator(chunk_size=5000):
        cid = r["client_id"]
        if cid in busy:
            continue
        days = policy.get(r["client__branch_id"], {}).get("cadence", {}).get(r["tier"])
        seen = last.get(cid)
        since = (as_of - timezone.localdate(seen)).days if seen else None
        if days is None or (since is not None and since < days):
            continue
        # Never contacted sorts first, then the longest since; among equals the larger book first.
        key = (-(10 ** 9) if since is None else -since, -float(r["total_assets"] or 0), cid)
        due.setdefault(r["client__advisor_id"], []).append((key, r, since, days))
    picked = [x for items in due.values() for x in sorted(items, key=lambda x: x[0])[:REGULAR_CAP_PER_ADVISOR]]
    refused = _unreachable([x[1]["client_id"] for x in picked])
    out = {}
    for _key, r, since, days in picked:
        if r["client_id"] in refused:
            continue
        tier_zh = {"vip": "VIP", "core": "核心", "mass": "大众"}[r["tier"]]
        tier_en = {"vip": "VIP", "core": "core", "mass": "mass"}[r["tier"]]
        zh_since = "尚无联系记录" if since is None else f"已{since}天未联系"
        en_since = "no contact on record" if since is None else f"not contacted for {since} days"
        out[(r["client_id"], TaskKind.REGULAR)] = dict(
            advisor_id=r["client__advisor_id"], due=as_of,
            priority=REGULAR_BASE[r["tier"]] + min(9, (since or 999) // max(days, 1)),
            reason_zh=f"{tier_zh}客户每{days}天回访一次，{zh_since}",
            reason_en=f"{tier_en} clients are contacted every {days} days; {en_since}")
    return out


def _onboarding(as_of: date) -> dict[tuple[int, str], dict]:
    """A new account's sequence: a first contact within N days of opening, then a check at 30 days."""
    policy = service_policy_by_branch()
    longest = max([p["onboarding_check"] for p in policy.values()] or [30]) + ONBOARDING_CHECK_WINDOW
    rows = list(Client.objects.filter(advisor__isnull=False, do_not_contact=False, open_date__lte=as_of,
                                      open_date__gte=as_of - timedelta(days=longest))
                .values("pk", "advisor_id", "branch_id", "open_date"))
    ids = [r["pk"] for r in rows]
    contacted: dict[int, list] = {}
    for cid, at in staff_contacts().filter(client_id__in=ids).values_list("client_id", "at"):
        contacted.setdefault(cid, []).append(timezone.localdate(at))
    closed: dict[int, list] = {}
    for cid, at in (Task.objects.filter(client_id__in=ids, kind=TaskKind.ONBOARDING, closed_at__isnull=False)
                    .values_list("client_id", "closed_at")):
        closed.setdefault(cid, []).append(timezone.localdate(at))
    refused = _unreachable(ids)
    out = {}
    for r in rows:
        if r["pk"] in refused:
            continue
        p = policy.get(r["branch_id"]) or {"onboarding_first": 7, "onboarding_check": 30}
        opened, check_on = r["open_date"], r["open_date"] + timedelta(days=p["onboarding_check"])
        # The step due now starts on opening (first contact) or on check_on - the first step's grace (the check):
        # a contact or a closed onboarding task since that start settles it.
        if as_of >= check_on:
            if as_of > check_on + timedelta(days=ONBOARDING_CHECK_WINDOW):
                continue
            start, due = check_on - timedelta(days=p["onboarding_first"]), check_on
            zh, en = f"{opened:%m月%d日}开户满{p['onboarding_check']}天，请回访了解使用情况", \
                f"Opened on {opened:%d %b}: the {p['onboarding_check']}-day check-in"
        else:
            start, due = opened, opened + timedelta(days=p["onboarding_first"])
            zh, en = f"{opened:%m月%d日}新开户，请在{due:%m月%d日}前首次联系", \
                f"New account opened on {opened:%d %b}; first contact due by {due:%d %b}"
        if any(d >= start for d in contacted.get(r["pk"], [])) or any(d >= start for d in closed.get(r["pk"], [])):
            continue
        out[(r["pk"], TaskKind.ONBOARDING)] = dict(advisor_id=r["advisor_id"], priority=ONBOARDING_PRIORITY,
                                                   due=due, reason_zh=zh, reason_en=en)
    return out


def tasks_generate(*, as_of: date, churn_threshold: float = CHURN_THRESHOLD,
                   p_alive_threshold: float = P_ALIVE_THRESHOLD, cooldown_days: int = COOLDOWN_DAYS) -> dict:
    """Create or refresh the open tasks for `as_of`. Running it twice gives the same tasks.

    The daily pipeline calls it after the snapshots are written (and after funnel_confirm_from_trades).
    """
    wanted = _candidates(as_of, churn_threshold, p_alive_threshold)
    wanted.update(_follow_ups(as_of))
    wanted.update(_onboarding(as_of))
    open_tasks = {(t.client_id, t.kind): t for t in Task.objects.filter(status__in=OPEN_STATUSES)}
    # A client with another task in hand is served through it; regular service is for the quiet rest.
    busy = {cid for cid, _kind in wanted} | {cid for cid, kind in open_tasks if kind != TaskKind.REGULAR}
    wanted.update(_regular(as_of, busy))
    open_tasks = {k: t for k, t in open_tasks.items() if k[1] != TaskKind.CAMPAIGN}
    since = timezone.now() - timedelta(days=cooldown_days)
    recent = set(Task.objects.filter(status__in=[TaskStatus.DONE, TaskStatus.HANDED_BACK], closed_at__gte=since)
                 .values_list("client_id", "kind"))
    new, refreshed = [], []
    for (client_id, kind), w in wanted.items():
        task = open_tasks.get((client_id, kind))
        if task is not None:
            if (task.priority, task.reason_zh, task.due) != (w["priority"], w["reason_zh"], w["due"]):
                task.priority, task.reason_zh, task.reason_en = w["priority"], w["reason_zh"], w["reason_en"]
                task.due = w["due"]
                refreshed.append(task)
            continue
        # Follow-ups and onboarding steps settle their own repeats (a new agreed date, a step's start).
        if (client_id, kind) in recent and kind not in (TaskKind.FOLLOW_UP, TaskKind.ONBOARDING):
            continue
        new.append(Task(client_id=client_id, kind=kind, script_key=kind, status=TaskStatus.OPEN, created_on=as_of,
                        **w))
    with transaction.atomic():
        Task.objects.bulk_create(new, batch_size=2000)
        bulk_update_rows(refreshed, ["priority", "reason_zh", "reason_en", "due"])
        closed = Task.objects.filter(status__in=OPEN_STATUSES, client__do_not_contact=True).update(
            status=TaskStatus.DONE, closed_at=timezone.now())
        # A regular, onboarding or handover task whose client has since been contacted is served.
        served = staff_contacts().filter(client=OuterRef("client"), at__date__gte=OuterRef("created_on"))
        settled = (Task.objects.filter(status__in=OPEN_STATUSES,
                                       kind__in=[TaskKind.REGULAR, TaskKind.ONBOARDING, TaskKind.HANDOVER])
                   .filter(Exists(served)).update(status=TaskStatus.DONE, closed_at=timezone.now()))
    return {"created": len(new), "refreshed": len(refreshed), "closed_do_not_contact": closed,
            "closed_contacted": settled}


def task_get_for_user(*, user: User, task_id: int) -> Task:
    """A task the user may act on: the advisor's own, or any in a director's or manager's branch; else 404."""
    qs = Task.objects.select_related("client").filter(client__in=clients_for_user(user=user))
    if user.role == Role.ADVISOR:
        qs = qs.filter(advisor_id=user.advisor_id)
    task = qs.filter(pk=task_id).first()
    if task is None:
        raise out_of_reach(user=user, object_type="task", object_ids=[task_id])
    return task


def task_act(*, user: User, task_id: int, action: str, snooze_days: int | None = None, request=None) -> Task:
    """done / snooze (1, 3 or 7 days) / hand back (to the service director) one open task."""
    task = task_get_for_user(user=user, task_id=task_id)
    require(user, Capability.SERVE)
    if task.status not in OPEN_STATUSES:
        raise ValidationError("the task is already closed")
    today = timezone.localdate()
    if action == "done":
        task.status, task.closed_at = TaskStatus.DONE, timezone.now()
    elif action == "snooze":
        if snooze_days not in SNOOZE_CHOICES:
            raise ValidationError("snooze for 1, 3 or 7 days")
        task.status, task.snoozed_until = TaskStatus.SNOOZED, today + timedelta(days=snooze_days)
    elif action == "hand_back":
        task.status, task.closed_at = TaskStatus.HANDED_BACK, timezone.now()
    else:
        raise ValidationError("unknown action")
    task.save(update_fields=["status", "snoozed_until", "closed_at"])
    audit_record(user=user, action=f"task.{action}", object_type="client", object_ids=[task.client.client_id],
                 detail={"task": task.pk, "kind": task.kind}, request=request)
    return task
