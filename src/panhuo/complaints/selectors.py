"""Reads: complaints and call-backs within the user's reach (clients.selectors.within_reach: an advisor their own
clients' complaints, a director or manager their branch's, compliance every branch; out of reach is a 404)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can
from panhuo.clients.models import (
    OPEN_COMPLAINT,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
)
from panhuo.clients.registry import ClientPanel
from panhuo.clients.selectors import out_of_reach, within_reach
from panhuo.complaints.models import Callback, CallbackOutcome, CallbackSample
from panhuo.complaints.services import callbacks_config, is_independent

LIST_SIZE = 300


def complaints_for_user(*, user: User) -> QuerySet[Complaint]:
    return within_reach(Complaint.objects.all(), user=user, branch="client__branch_id", advisor="client__advisor_id")


def complaint_get_for_user(*, user: User, pk: int) -> Complaint:
    try:
        return (complaints_for_user(user=user).select_related("client", "client__branch", "advisor", "owner",
                                                              "registered_by").get(pk=pk))
    except (Complaint.DoesNotExist, ValueError):
        raise out_of_reach(user=user, object_type="complaint", object_ids=[pk]) from None


def complaint_list(*, user: User, status: str = "", category: str = "", advisor: str = "", show: str = "open",
                   today: date | None = None) -> list[Complaint]:
    """Overdue first (open past the deadline, the oldest deadline first), then escalated, then the other open ones by
    deadline, then the rest newest first. `show`: open (default), overdue, or all."""
    today = today or timezone.localdate()
    qs = complaints_for_user(user=user).select_related("client", "advisor", "owner")
    if status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    if category in ComplaintCategory.values:
        qs = qs.filter(category=category)
    if advisor:
        qs = qs.filter(advisor__advisor_id=advisor)
    if show == "open":
        qs = qs.filter(status__in=OPEN_COMPLAINT)
    elif show == "overdue":
        qs = qs.filter(status__in=OPEN_COMPLAINT, deadline__lt=today)
    qs = qs.annotate(rank=Case(
        When(Q(status__in=OPEN_COMPLAINT, deadline__lt=today), then=Value(0)),
        When(status=ComplaintStatus.ESCALATED, then=Value(1)),
        When(status__in=OPEN_COMPLAINT, then=Value(2)),
        default=Value(3), output_field=IntegerField()))
    rows = list(qs.order_by("rank", "deadline", "-received_at", "pk")[:LIST_SIZE])
    for c in rows:
        c.overdue = c.overdue_on(today)
    return rows


def complaint_counts(*, user: User, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    qs = complaints_for_user(user=user).filter(status__in=OPEN_COMPLAINT)
    return {"open": qs.count(), "overdue": qs.filter(deadline__lt=today).count(),
            "escalated": qs.filter(status=ComplaintStatus.ESCALATED).count()}


def complaints_panel(*, client, user) -> ClientPanel | None:
    """The 360 page's complaints section: the client's complaints (the client is within reach) and a link to
    register one."""
    if not (can(user, Capability.REGISTER_COMPLAINT) or can(user, Capability.READ_COMPLAINTS)):
        return None
    today = timezone.localdate()
    rows = list(Complaint.objects.filter(client=client).select_related("owner").order_by("-received_at")[:10])
    for c in rows:
        c.overdue = c.overdue_on(today)
    return ClientPanel(name="complaints", template="complaints/panel.html",
                       context={"complaints_panel": {"rows": rows,
                                                     "open": sum(1 for c in rows if c.is_open)}})


# ---- call-backs ----------------------------------------------------------------------------------------------

def callbacks_for_user(*, user: User) -> QuerySet[Callback]:
    return within_reach(Callback.objects.all(), user=user, branch="sample__branch_id", advisor="advisor_id")


def callback_get_for_user(*, user: User, pk: int) -> Callback:
    try:
        return callbacks_for_user(user=user).select_related("client", "sample", "advisor", "complaint").get(pk=pk)
    except (Callback.DoesNotExist, ValueError):
        raise out_of_reach(user=user, object_type="callback", object_ids=[pk]) from None


def callback_queue(*, user: User) -> list[Callback]:
    """The call-backs still to make (never reached ones too) that this user may make: not their own clients'."""
    rows = (callbacks_for_user(user=user)
            .filter(outcome__in=[CallbackOutcome.PENDING, CallbackOutcome.NOT_REACHED])
            .select_related("client", "sample", "advisor").order_by("-sample__month", "kind", "client__client_id"))
    return [c for c in rows if is_independent(user, c)]


def script_for(kind: str, lang: str) -> list[dict]:
    zh = lang.startswith("zh")
    return [{"key": q["key"], "text": q["zh"] if zh else q["en"], "expected": q["expected"],
             "finding": q.get("finding", "")} for q in callbacks_config()["script"][kind]]


def callback_coverage(*, user: User) -> list[dict]:
    """Per sample (branch and month): sampled, done (reached or not), reached, findings, and the same per advisor."""
    samples = within_reach(CallbackSample.objects.all(), user=user, branch="branch_id", advisor="pk")
    samples = samples.select_related("branch").order_by("-month", "branch__branch_id")[:24]
    out = []
    for s in samples:
        per = defaultdict(lambda: {"sampled": 0, "done": 0, "reached": 0, "findings": 0})
        total = {"sampled": 0, "done": 0, "reached": 0, "findings": 0}
        for cb in Callback.objects.filter(sample=s).select_related("advisor"):
            name = cb.advisor.name if cb.advisor else ""
            for row in (per[name], total):
                row["sampled"] += 1
                row["done"] += cb.outcome != CallbackOutcome.PENDING
                row["reached"] += cb.outcome in (CallbackOutcome.CONFIRMED, CallbackOutcome.FINDING)
                row["findings"] += cb.outcome == CallbackOutcome.FINDING
        for row in [total, *per.values()]:
            row["share"] = row["done"] / row["sampled"] if row["sampled"] else None
        out.append({"sample": s, "total": total,
                    "advisors": sorted(({"name": k, **v} for k, v in per.items()), key=lambda r: r["name"])})
    return out


def callback_findings(*, user: User) -> list[Callback]:
    return list(callbacks_for_user(user=user).filter(outcome=CallbackOutcome.FINDING)
                .select_related("client", "sample", "advisor", "complaint", "by").order_by("-at")[:200])
