"""Reads of the workbench. Every client-scoped query starts from clients.selectors (clients_for_user)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.clients import facts
from panhuo.clients.facts import page_facts
from panhuo.clients.models import (
    OPEN_STATUSES,
    PROTECTION_LOOKBACK_DAYS,
    Advisor,
    AssignmentConflict,
    Client,
    ClientFunnel,
    ClientSnapshot,
    ConflictStatus,
    Contact,
    FunnelEvent,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
    Track,
    protection_days_by_branch,
)
from panhuo.clients.selectors import advisors_for_user, clients_for_user, out_of_reach
from panhuo.workbench.pinyin import is_pinyin_query, name_matches

PAGE_SIZE = 50
SORTS = {
    "attention": "attention",      # late tasks first, then by churn risk (see clients_list)
    "client": "client_id", "name": "name", "-assets": "-snap__total_assets", "assets": "snap__total_assets",
    "-churn": "-snap__churn_risk", "idle": "-snap__days_since_last_trade", "stage": "funnel__stage",
}
LIST_FIELDS = ("pk", "client_id", "name", "phone", "risk_level", "do_not_contact", "advisor__advisor_id",
               "advisor__name", "snap__tier", "snap__lifecycle", "snap__total_assets", "snap__is_dormant",
               "snap__churn_risk", "snap__days_since_last_trade", "funnel__stage", "funnel__track")


def tasks_for_user(*, user: User, today: date | None = None) -> QuerySet[Task]:
    """Today's queue: an advisor's open tasks (and snoozed ones now due), by priority; a director or manager
    sees the tasks handed back in their branch."""
    today = today or timezone.localdate()
    qs = Task.objects.filter(client__in=clients_for_user(user=user))
    if user.role == Role.ADVISOR:
        qs = qs.filter(advisor_id=user.advisor_id).filter(
            Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.SNOOZED, snoozed_until__lte=today)).exclude(
            kind=TaskKind.FOLLOW_UP, due__gt=today)      # a follow-up waits for its day
    else:
        qs = qs.filter(status=TaskStatus.HANDED_BACK, closed_at__gte=timezone.now() - timedelta(days=30))
    return (qs.select_related("client", "advisor", "client__branch")
            .annotate(snap=FilteredRelation("client__snapshots", condition=Q(client__snapshots__is_latest=True)))
            .annotate(days_idle=F("snap__days_since_last_trade"), assets=F("snap__total_assets"))
            .order_by("-priority", "due", "pk"))


# Regular service ranks below the event-driven tasks; so that a steady VIP still reaches Today (issue #15), the
# day's list keeps this many places for regular-service tasks when the higher bands would fill it.
REGULAR_SLOTS = 5
# What a Today row shows of a task, its client and advisor: the client's other columns (identity, profile) are
# not read for 45 rows on every visit.
TODAY_FIELDS = ("kind", "priority", "reason_zh", "reason_en", "script_key", "due", "status", "client", "advisor",
                "client__client_id", "client__name", "client__phone", "client__branch", "client__branch__name",
                "advisor__name")


def today_queue(*, user: User, limit: int) -> list[Task]:
    """Today's list: the queue's first `limit` tasks by priority, with up to REGULAR_SLOTS of them regular
    service (the longest-uncontacted VIPs first) when there are any."""
    qs = tasks_for_user(user=user).only(*TODAY_FIELDS)
    top = list(qs[:limit])
    slots = min(REGULAR_SLOTS, limit // 2)
    # Always read the regular candidates, so the page costs the same queries however long the queue is.
    regular = list(qs.filter(kind=TaskKind.REGULAR)[:slots])
    have = sum(1 for t in top if t.kind == TaskKind.REGULAR)
    if len(top) < limit or have >= slots:
        return top
    shown = {t.pk for t in top}
    extra = [t for t in regular if t.pk not in shown][:slots - have]
    return top[:limit - len(extra)] + extra


@dataclass
class ClientFilters:
    q: str = ""
    segment: str = ""
    tier: str = ""
    lifecycle: str = ""
    risk: str = ""
    advisor: str = ""
    stage: str = ""
    sort: str = "attention"


def clients_list(*, user: User, filters: ClientFilters) -> QuerySet:
    """The clients in reach, filtered, searched and sorted, as dict rows (one query per page plus a count).

    Naming an advisor the user cannot see is a 404, as for a client out of reach.
    """
    qs = (clients_for_user(user=user)
          .annotate(snap=FilteredRelation("snapshots", condition=Q(snapshots__is_latest=True))))
    f = filters
    if f.advisor:
        if f.advisor == "none":
            qs = qs.filter(advisor__isnull=True)
        elif not advisors_for_user(user=user).filter(advisor_id=f.advisor).exists():
            raise Http404("advisor")
        else:
            qs = qs.filter(advisor__advisor_id=f.advisor)
    if f.tier:
        qs = qs.filter(snap__tier=f.tier)
    if f.lifecycle:
        qs = qs.filter(snap__lifecycle=f.lifecycle)
    if f.segment:
        qs = qs.filter(snap__features__value_tier=f.segment)
    if f.risk:
        qs = qs.filter(risk_level=f.risk) if f.risk != "none" else qs.filter(risk_level__isnull=True)
    if f.stage:
        qs = qs.filter(funnel__stage=f.stage) if f.stage != "none" else qs.filter(funnel__isnull=True)
    q = f.q.strip()
    if q:
        if re.fullmatch(r"\d{4}", q):
            qs = qs.filter(Q(phone__endswith=q) | Q(client_id__icontains=q))
        elif is_pinyin_query(q):
            # Letters: a client code, or a name in pinyin (initials ljb, or liujunbin), matched in Python over
            # the names left after the other filters.
            spelled = [pk for pk, name in qs.values_list("pk", "name").iterator(chunk_size=5000)
                       if name and name_matches(name, q)]
            qs = qs.filter(Q(name__icontains=q) | Q(client_id__istartswith=q) | Q(pk__in=spelled))
        else:
            qs = qs.filter(Q(name__icontains=q) | Q(client_id__istartswith=q))
    if f.sort not in SORTS or f.sort == "attention":
        # What needs attention first: a task past its due date, then the highest churn risk.
        late = Task.objects.filter(client=OuterRef("pk"), status__in=OPEN_STATUSES, due__lt=timezone.localdate())
        return (qs.annotate(late=Exists(late))
                .order_by(F("late").desc(), F("snap__churn_risk").desc(nulls_last=True), "client_id")
                .values(*LIST_FIELDS, "late"))
    return qs.order_by(SORTS[f.sort], "client_id").values(*LIST_FIELDS)


def clients_by_ids_for_user(*, user: User, client_ids: list[str]) -> QuerySet[Client]:
    """Exactly these clients, or 404 when any one is out of reach (a bulk list never half-succeeds)."""
    ids = sorted({c.strip() for c in client_ids if c.strip()})
    qs = clients_for_user(user=user).filter(client_id__in=ids)
    if qs.count() != len(ids):
        raise out_of_reach(user=user, object_type="client",
                           object_ids=sorted(set(ids) - set(qs.values_list("client_id", flat=True))))
    return qs


def client_360(*, user: User, client_id: str) -> dict:
    # The access function decides reach; the one-to-one records ride along in the same query.
    client = (clients_for_user(user=user)
              .select_related("advisor", "branch", "funnel", "series")
              .filter(client_id=client_id).first())
    if client is None:
        raise out_of_reach(user=user, object_type="client", object_ids=[client_id])
    # The page only reads: the other features' sections share what is read here (clients.facts).
    page_facts(client)
    return {
        "client": client,
        "snapshot": facts.latest_snapshot(client),
        "series": facts.series(client),
        # Every contact, as the issue asks: contact-frequency caps keep a client's history short.
        "contacts": facts.contacts(client),
        "funnel": getattr(client, "funnel", None),
        "funnel_events": list(FunnelEvent.objects.filter(client=client).order_by("at", "id")),
        "tasks": list(Task.objects.filter(client=client, status__in=["open", "snoozed"]).order_by("-priority")),
    }


def funnel_board(*, user: User, advisor: str = "", cards: int = 20) -> dict:
    """Counts per track and stage, conversion between stages, and the most recent clients of each column."""
    clients = clients_for_user(user=user)
    if advisor:
        if not advisors_for_user(user=user).filter(advisor_id=advisor).exists():
            raise Http404("advisor")
        clients = clients.filter(advisor__advisor_id=advisor)
    funnels = ClientFunnel.objects.filter(client__in=clients)
    counts = {(r["track"], r["stage"]): r["n"] for r in funnels.values("track", "stage").annotate(n=Count("pk"))}
    tracks = []
    for track, label in Track.choices:
        cols, reached = [], []
        for i in range(len(Stage.values)):
            # Everyone now at a later stage passed through this one: reached(A) ≥ reached(B) ≥ …
            reached.append(sum(counts.get((track, s), 0) for s in Stage.values[i:]))
        for i, (stage, stage_label) in enumerate(Stage.choices):
            rows = list(funnels.filter(track=track, stage=stage).order_by("-since", "client__client_id")
                        .values("client__client_id", "client__name", "since")[:cards])
            cols.append({"stage": stage, "label": stage_label, "count": counts.get((track, stage), 0),
                         "reached": reached[i], "rows": rows,
                         "conversion": (reached[i] / reached[i - 1]) if i and reached[i - 1] else None})
        tracks.append({"track": track, "label": label, "columns": cols, "entered": reached[0]})
    return {"tracks": tracks}


def protection_overdue(*, user: User, today: date | None = None) -> QuerySet[Client]:
    """Clients not contacted within the protection period after their assignment (flagged to the director)."""
    today = today or timezone.localdate()
    contacted = Contact.objects.filter(client=OuterRef("pk"), at__date__gte=OuterRef("assigned_on"))
    # Each branch has its own period; branches are few, so one condition per branch.
    overdue = Q(pk__in=[])
    for branch_id, days in protection_days_by_branch().items():
        overdue |= Q(branch_id=branch_id, assigned_on__lte=today - timedelta(days=days))
    recent = Q(assigned_on__gte=today - timedelta(days=PROTECTION_LOOKBACK_DAYS))
    # A first-contact task Today still shows as late is overdue here too, however long ago the assignment was:
    # the dashboard must not say "all contacted in time" while an advisor's list says 23 days late.
    late_task = Task.objects.filter(client=OuterRef("pk"), kind=TaskKind.PROTECTION, status__in=OPEN_STATUSES,
                                    due__lt=today)
    return (clients_for_user(user=user)
            .filter((overdue & recent) | Exists(late_task), advisor__isnull=False, do_not_contact=False)
            .filter(~Exists(contacted)).select_related("advisor").order_by("assigned_on", "client_id"))


def _count(qs: QuerySet, field: str = "pk") -> Subquery:
    return Coalesce(Subquery(qs.values("advisor").annotate(n=Count(field)).values("n")[:1]), 0)


def advisor_table(*, user: User, today: date | None = None) -> list[Advisor]:
    """Per advisor: clients, assets, dormant clients, contacts this week, funnel conversions (D in 30 days)."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    snaps = ClientSnapshot.objects.filter(is_latest=True, client__advisor=OuterRef("pk"))
    clients = Client.objects.filter(advisor=OuterRef("pk"))
    contacts = Contact.objects.filter(advisor=OuterRef("pk"), at__date__gte=week_start)
    deals = FunnelEvent.objects.filter(client__advisor=OuterRef("pk"), stage=Stage.D,
                                       on__gte=today - timedelta(days=30))
    return list(advisors_for_user(user=user).annotate(
        n_clients=_count(clients),
        assets=Subquery(snaps.values("client__advisor").annotate(s=Sum("total_assets")).values("s")[:1]),
        dormant=Coalesce(Subquery(snaps.filter(is_dormant=True).values("client__advisor")
                                  .annotate(n=Count("pk")).values("n")[:1]), 0),
        contacts_week=_count(contacts),
        deals_30d=Coalesce(Subquery(deals.values("client__advisor").annotate(n=Count("pk")).values("n")[:1]), 0),
    ).order_by("advisor_id"))


def assignment_conflicts_for_user(*, user: User) -> QuerySet[AssignmentConflict]:
    """Open conflicts between an assignment made in panhuo and a later one in the back office, within reach."""
    return (AssignmentConflict.objects.filter(status=ConflictStatus.OPEN, client__in=clients_for_user(user=user))
            .select_related("client").order_by("detected_at", "id"))
