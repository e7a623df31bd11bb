"""What an advisor did and what their book did over a period, read from the core's rows (docs/appraisal.md).

Activity: staff contacts (an advisor's own, not a campaign's automatic send) by channel; tasks due in the period
closed by their due date; follow-up tasks due in the period done. Coverage: the VIP and core clients (tier of the
latest snapshot) with a staff contact within their branch's cadence (clients.models.service_policy_by_branch).
The book: the clients assigned to the advisor now, read from the daily snapshots at the month's start and end.
"""

from __future__ import annotations

import bisect
import calendar
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min
from django.utils import timezone

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import (
    Channel,
    Client,
    ClientSnapshot,
    ClientStatus,
    Complaint,
    Contact,
    Task,
    TaskKind,
    TaskStatus,
    service_policy_by_branch,
)

COVERED_TIERS = ("vip", "core")
CONSERVATIVE = ("C1", "C2")
CHURN_HORIZON_DAYS = 90      # analytics.churn: churn_risk is the chance of leaving within 90 days
MOVED_OUT = 0.5              # analytics.churn's event: half the assets moved out
COMPLIANCE_OUTCOMES = ("denied", "refused", "blocked")
CHANNEL_GROUPS = {"phone": (Channel.PHONE,), "visit": (Channel.VISIT,), "wechat": (Channel.WECHAT,),
                  "other": (Channel.SMS, Channel.EMAIL, Channel.EVENT)}


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def day_start(day: date) -> datetime:
    """The local midnight opening `day`, aware: ranges on timestamps use the index (a __date lookup casts every
    row, in Python on SQLite)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def staff_contacts():
    """Contacts that count as serving a client: logged by a person (the regular-service rule's too)."""
    return Contact.objects.filter(by__isnull=False)


def activity(*, advisor_ids: list[int], start: date, end: date, today: date | None = None) -> dict[int, dict]:
    """{advisor pk: {"contacts": {group: n}, "contacts_total", "tasks_due", "on_time", "follow_ups_due",
    "follow_ups_done"}} over [start, end]; tasks count once their due date has come (by `today`)."""
    today = today or timezone.localdate()
    out = {a: {"contacts": dict.fromkeys(CHANNEL_GROUPS, 0), "contacts_total": 0, "tasks_due": 0, "on_time": 0,
               "follow_ups_due": 0, "follow_ups_done": 0} for a in advisor_ids}
    group_of = {ch: g for g, chs in CHANNEL_GROUPS.items() for ch in chs}
    rows = (staff_contacts().filter(advisor_id__in=advisor_ids, at__gte=day_start(start),
                                    at__lt=day_start(end + timedelta(days=1)))
            .values("advisor_id", "channel").annotate(n=Count("pk")))
    for r in rows:
        a = out[r["advisor_id"]]
        a["contacts"][group_of.get(r["channel"], "other")] += r["n"]
        a["contacts_total"] += r["n"]
    # A task handed back went to someone else's judgement: it is neither on time nor late.
    tasks = (Task.objects.filter(advisor_id__in=advisor_ids, due__gte=start, due__lte=min(end, today))
             .exclude(status=TaskStatus.HANDED_BACK).values("advisor_id", "kind", "status", "due", "closed_at"))
    for t in tasks:
        a = out[t["advisor_id"]]
        done = t["status"] == TaskStatus.DONE
        a["tasks_due"] += 1
        a["on_time"] += done and t["closed_at"] is not None and timezone.localdate(t["closed_at"]) <= t["due"]
        if t["kind"] == TaskKind.FOLLOW_UP:
            a["follow_ups_due"] += 1
            a["follow_ups_done"] += done
    return out


def coverage(*, advisor_ids: list[int], as_of: date) -> dict[int, dict]:
    """{advisor pk: {"covered", "total", "share"}}: VIP and core clients contacted within their cadence by
    `as_of` (share None without such clients). The tier is the latest snapshot's."""
    return coverage_at(advisor_ids=advisor_ids, dates=[as_of])[as_of]


def coverage_at(*, advisor_ids: list[int], dates: list[date]) -> dict[date, dict[int, dict]]:
    """coverage() at several dates in three queries (the history's period ends)."""
    policy = service_policy_by_branch()
    book = list(ClientSnapshot.objects.filter(is_latest=True, tier__in=COVERED_TIERS,
                                              client__advisor_id__in=advisor_ids)
                .values_list("client_id", "client__advisor_id", "client__branch_id", "tier"))
    seen: dict[int, list[date]] = {}
    tz = timezone.get_current_timezone()       # once: timezone.localdate per row costs more than the query
    until = day_start(max(dates) + timedelta(days=1))
    for cid, at in (staff_contacts().filter(client__advisor_id__in=advisor_ids, at__lt=until)
                    .values_list("client_id", "at")):
        seen.setdefault(cid, []).append(at.astimezone(tz).date())
    for days in seen.values():
        days.sort()
    out = {}
    for as_of in dates:
        row_by = {a: {"covered": 0, "total": 0, "share": None} for a in advisor_ids}
        for cid, adv, branch, tier in book:
            cadence = policy.get(branch, {}).get("cadence", {}).get(tier, 90)
            days = seen.get(cid, [])
            i = bisect.bisect_right(days, as_of)          # the last contact on or before as_of
            row_by[adv]["total"] += 1
            row_by[adv]["covered"] += i > 0 and (as_of - days[i - 1]).days < cadence
        for row in row_by.values():
            row["share"] = row["covered"] / row["total"] if row["total"] else None
        out[as_of] = row_by
    return out


def _snapshot_day(client_ids: list[int], *, before: date | None = None, upto: date | None = None) -> date | None:
    qs = ClientSnapshot.objects.filter(client_id__in=client_ids)
    qs = qs.filter(as_of__lt=before) if before else qs.filter(as_of__lte=upto)
    return qs.aggregate(d=Max("as_of"))["d"]


def book_month(*, advisor_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """{advisor pk: {"net_inflow", "commission", "expected_churn", "churned", "clients", "start_day", "end_day"}}.

    The daily run writes every client's snapshot on the same day, so the month's start is the last snapshot day
    before the 1st (else the month's first) and its end the last one up to the month's last day.
    net_inflow and commission are the end snapshot's 30-day figures (net_transfer_30d, commission_30d: the 30
    days up to the month's last snapshot); commission leaves C1-C2 clients out (anti-churning).
    expected_churn: each client's 90-day churn_risk at the start, turned into the month's chance at a constant
    hazard, 1 - (1 - p)^(days / 90), summed. churned: a client not gone at the start who, by the end, is lost
    (lifecycle), closed, or moved out at least half of the start's assets within the 30 days."""
    clients = list(Client.objects.filter(advisor_id__in=advisor_ids).values_list("pk", "advisor_id", "risk_level",
                                                                                "status"))
    ids = [c[0] for c in clients]
    out = {a: {"net_inflow": 0.0, "commission": 0.0, "expected_churn": 0.0, "churned": 0, "clients": 0,
               "start_day": None, "end_day": None} for a in advisor_ids}
    if not ids:
        return out
    first = _snapshot_day(ids, before=start) or (
        ClientSnapshot.objects.filter(client_id__in=ids, as_of__gte=start, as_of__lte=end)
        .aggregate(d=Min("as_of"))["d"])
    last = _snapshot_day(ids, upto=end)
    fields = ("client_id", "total_assets", "churn_risk", "lifecycle", "features")
    at_start = {r[0]: r for r in ClientSnapshot.objects.filter(client_id__in=ids, as_of=first).values_list(*fields)} \
        if first else {}
    at_end = {r[0]: r for r in ClientSnapshot.objects.filter(client_id__in=ids, as_of=last).values_list(*fields)} \
        if last and (first is None or last > first) else {}
    days = (end - start).days + 1
    for cid, adv, risk, status in clients:
        row = out[adv]
        row["clients"] += 1
        row["start_day"], row["end_day"] = first, (last if at_end else None)
        s, e = at_start.get(cid), at_end.get(cid)
        if e is not None:
            feats = e[4] or {}
            row["net_inflow"] += float(feats.get("net_transfer_30d") or 0)
            if risk not in CONSERVATIVE:
                row["commission"] += float(feats.get("commission_30d") or 0)
        if s is None or s[3] == "lost":
            continue
        if s[2] is not None:
            row["expected_churn"] += 1 - (1 - min(max(s[2], 0.0), 1.0)) ** (days / CHURN_HORIZON_DAYS)
        if e is not None:
            moved = -float((e[4] or {}).get("net_transfer_30d") or 0)
            start_assets = float(s[1] or 0)
            moved_out = start_assets > 0 and moved >= MOVED_OUT * start_assets
            if e[3] == "lost" or status == ClientStatus.CLOSED or moved_out:
                row["churned"] += 1
    for row in out.values():
        row["net_inflow"], row["commission"] = round(row["net_inflow"], 2), round(row["commission"], 2)
        row["expected_churn"] = round(row["expected_churn"], 3)
    return out


def compliance(*, advisor_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """{advisor pk: {"refused": n, "unmasks": n}} from the audit trail of the advisor's user in [start, end]:
    actions the rules refused (an access out of reach, a forbidden action, a blocked send) and clear views of
    personal data (unmask, allowed with a reason; the scorecard counts them beyond an allowance)."""
    out = {a: {"refused": 0, "unmasks": 0} for a in advisor_ids}
    rows = (AuditEvent.objects.filter(user__advisor_id__in=advisor_ids, at__gte=day_start(start),
                                       at__lt=day_start(end + timedelta(days=1)))
            .values("user__advisor_id", "action", "outcome").annotate(n=Count("pk")))
    for r in rows:
        a = out[r["user__advisor_id"]]
        if r["outcome"] in COMPLIANCE_OUTCOMES:
            a["refused"] += r["n"]
        elif r["action"] == "client.unmask":
            a["unmasks"] += r["n"]
    return out


def complaints(*, advisor_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """{advisor pk: {"substantiated", "resolved", "received"}}: complaints about the advisor (the advisor concerned
    when the complaint was received) resolved in [start, end] and found substantiated, all those resolved, and
    those received in the period."""
    out = {a: {"substantiated": 0, "resolved": 0, "received": 0} for a in advisor_ids}
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    for adv, substantiated in (Complaint.objects.filter(advisor_id__in=advisor_ids, resolved_at__gte=lo,
                                                        resolved_at__lt=hi).values_list("advisor_id", "substantiated")):
        out[adv]["resolved"] += 1
        out[adv]["substantiated"] += bool(substantiated)
    for adv, n in (Complaint.objects.filter(advisor_id__in=advisor_ids, received_at__gte=lo, received_at__lt=hi)
                   .values("advisor_id").annotate(n=Count("pk")).values_list("advisor_id", "n")):
        out[adv]["received"] = n
    return out
