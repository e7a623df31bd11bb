"""The one write path for the two client decisions that both staff and the back office make: the advisor
assignment and do-not-contact. The page, the CLI, the import (and later the allocation) all come through here,
so every change is audited the same way, with before, after and source, and its consequences for open tasks
are the same whoever made it.

Callers check permissions and resolve the clients first (a view through the access rule); these functions
trust their arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from panhuo.audit.services import audit_record
from panhuo.clients.models import OPEN_STATUSES, Advisor, Client, DecisionSource, Task, TaskStatus

AUDIT_CHUNK = 500         # changes per audit event: a whole-branch import stays a few events, each readable


class Source:
    """Where a decision came from, as written in the audit trail."""
    PAGE = "page"
    CLI = "cli"
    IMPORT = "import"
    CONTACT = "contact"      # an advisor logged "do not contact" as a contact's outcome
    ALLOCATION = "allocation"


@dataclass(frozen=True)
class Actor:
    """Who acts when there is no logged-in user: the OS user running the CLI, or the system. audit_record reads
    `username` and `role` from it like from a User."""
    username: str
    role: str = ""
    pk: None = None


@dataclass(frozen=True)
class AssignmentChange:
    client: Client
    before: Advisor | None


def _chunks(items: list, n: int = AUDIT_CHUNK) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _code(advisor: Advisor | None) -> str:
    return advisor.advisor_id if advisor is not None else ""


def assignment_audit(*, changes: list[tuple[str, str, str]], source: str, actor, reason: str = "",
                     batch: str = "", request=None) -> None:
    """Audit (client, before, after) advisor codes in events of at most AUDIT_CHUNK clients each."""
    for part in _chunks(changes):
        detail = {"source": source, "changes": [{"client": c, "before": b, "after": a} for c, b, a in part],
                  "to": part[0][2] if len({a for _, _, a in part}) == 1 else "",
                  "from": sorted({b for _, b, _ in part})}
        if reason:
            detail["reason"] = reason[:500]
        if batch:
            detail["batch"] = batch
        audit_record(user=actor, action="client.reassign", object_type="client", object_ids=[c for c, _, _ in part],
                     detail=detail, request=request)


def tasks_follow_assignment(*, client_pks: Iterable[int], advisor: Advisor | None, at: datetime | None = None) -> int:
    """Open tasks go with the client to the new advisor; with no advisor left they are handed back."""
    open_tasks = Task.objects.filter(client_id__in=list(client_pks), status__in=OPEN_STATUSES)
    if advisor is None:
        return open_tasks.update(status=TaskStatus.HANDED_BACK, closed_at=at or timezone.now())
    return open_tasks.update(advisor=advisor)


def assignment_apply(*, clients: list[Client], advisor: Advisor, source: str, actor, reason: str = "",
                     on: date | None = None, request=None) -> int:
    """Give `clients` to `advisor` as a decision made in panhuo: the next import keeps it (clients.ownership).

    assigned_on starts a new protection period for the clients that change hands; open tasks follow them.
    Clients already with `advisor` are only marked as decided in panhuo. Returns the number that moved.
    """
    on = on or timezone.localdate()
    moved = [c for c in clients if c.advisor_id != advisor.pk]
    before = {a.pk: a for a in Advisor.objects.filter(pk__in={c.advisor_id for c in moved if c.advisor_id})}
    with transaction.atomic():
        Client.objects.filter(pk__in=[c.pk for c in clients]).update(assignment_source=DecisionSource.PANHUO)
        Client.objects.filter(pk__in=[c.pk for c in moved]).update(advisor=advisor, assigned_on=on)
        tasks_follow_assignment(client_pks=[c.pk for c in moved], advisor=advisor)
        if moved:
            assignment_audit(changes=[(c.client_id, _code(before.get(c.advisor_id)), advisor.advisor_id)
                                      for c in moved], source=source, actor=actor, reason=reason, request=request)
    for c in clients:
        c.assignment_source = DecisionSource.PANHUO
        if c in moved:
            c.advisor, c.assigned_on = advisor, on
    return len(moved)


def do_not_contact_audit(*, changes: list[tuple[str, bool, bool]], source: str, actor, reason: str = "",
                         batch: str = "", request=None) -> None:
    """Audit (client, before, after) do-not-contact flags, AUDIT_CHUNK clients an event."""
    for part in _chunks(changes):
        detail = {"source": source, "changes": [{"client": c, "before": b, "after": a} for c, b, a in part]}
        if reason:
            detail["reason"] = reason[:500]
        if batch:
            detail["batch"] = batch
        audit_record(user=actor, action="client.do_not_contact", object_type="client",
                     object_ids=[c for c, _, _ in part], detail=detail, request=request)


def tasks_close_for_do_not_contact(*, client_pks: Iterable[int], at: datetime | None = None) -> int:
    """A client who must not be contacted has no open task left, whatever its kind (call, visit, campaign)."""
    return Task.objects.filter(client_id__in=list(client_pks), status__in=OPEN_STATUSES).update(
        status=TaskStatus.DONE, closed_at=at or timezone.now())


def do_not_contact_apply(*, clients: list[Client], source: str, actor, reason: str = "", at: datetime | None = None,
                         request=None) -> int:
    """Record do-not-contact as decided in panhuo: every channel stops (campaign sends read the flag, daily task
    generation skips the client, open tasks close now) and no import clears it. Returns how many changed."""
    at = at or timezone.now()
    changed = [c for c in clients if not c.do_not_contact]
    with transaction.atomic():
        Client.objects.filter(pk__in=[c.pk for c in clients]).update(
            do_not_contact=True, do_not_contact_source=DecisionSource.PANHUO)
        Client.objects.filter(pk__in=[c.pk for c in changed]).update(do_not_contact_since=at)
        tasks_close_for_do_not_contact(client_pks=[c.pk for c in clients], at=at)
        if changed:
            do_not_contact_audit(changes=[(c.client_id, False, True) for c in changed], source=source, actor=actor,
                                 reason=reason, request=request)
    for c in clients:
        c.do_not_contact, c.do_not_contact_source = True, DecisionSource.PANHUO
        if c in changed:
            c.do_not_contact_since = at
    return len(changed)
