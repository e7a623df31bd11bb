"""Writes on one client: unmasking personal data for a stated reason, reassignment. (The service plan is the
surveys app's: docs/service-plan.md.)"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can, require
from panhuo.audit.services import audit_record
from panhuo.clients.decisions import Source, assignment_apply
from panhuo.clients.models import Advisor, AssignmentConflict, Client, ConflictStatus
from panhuo.clients.selectors import advisors_for_user, clients_for_user

UNMASK_FIELDS = ("id_number", "phone")


def client_unmask(*, user: User, client: Client, field: str, reason: str, request=None) -> str:
    """The clear value of one personal field, for a role that may see it and a stated reason; always audited.
    `client` was resolved through the access rule by the caller (clients.selectors.client_get_for_user)."""
    reason = (reason or "").strip()
    if field not in UNMASK_FIELDS:
        raise ValidationError({"field": "unknown field"})
    if not can(user, Capability.UNMASK):
        audit_record(user=user, action="client.unmask", object_type="client", object_ids=[client.client_id],
                     outcome="denied", detail={"field": field}, request=request)
        raise PermissionDenied
    if len(reason) < 4:
        raise ValidationError({"reason": "give the reason for seeing this field"})
    audit_record(user=user, action="client.unmask", object_type="client", object_ids=[client.client_id],
                 detail={"field": field, "reason": reason[:500]}, request=request)
    return getattr(client, field)


def client_reassign(*, user: User, client_ids: list[str], advisor_id: str, on: date | None = None,
                    reason: str = "", source: str = Source.PAGE, request=None) -> int:
    """Give clients to another advisor of the same branch. Director or manager, own branch only.

    The old advisor loses access on their next request (clients_for_user reads the assignment each time);
    the clients' open tasks follow them to the new advisor; assigned_on starts a new protection period. The
    assignment is then panhuo's decision: the next import keeps it (clients.ownership).
    """
    require(user, Capability.REASSIGN)
    advisor = advisors_for_user(user=user).filter(advisor_id=advisor_id, active=True).first()
    if advisor is None:
        raise Http404("advisor")
    ids = sorted({str(c).strip() for c in client_ids if str(c).strip()})
    if not ids:
        raise ValidationError({"client_ids": "choose at least one client"})
    reach = clients_for_user(user=user).filter(branch_id=advisor.branch_id)
    clients = list(reach.filter(client_id__in=ids))
    if len(clients) != len(ids):
        # All or nothing, and no hint which of the codes exist elsewhere.
        audit_record(user=user, action="client.reassign", object_type="client", object_ids=ids, outcome="denied",
                     request=request)
        raise Http404("client")
    return assignment_apply(clients=clients, advisor=advisor, source=source, actor=user, reason=reason, on=on,
                            request=request)


def assignment_conflict_settle(*, user: User, conflict_id: int, take_backoffice: bool, request=None):
    """A director or manager settles a conflict between panhuo's assignment and the back office's: keep the one
    made in panhuo, or take the back office's (which is then applied as a decision made in panhuo, audited)."""
    require(user, Capability.REASSIGN)
    conflict = (AssignmentConflict.objects.select_related("client")
                .filter(pk=conflict_id, status=ConflictStatus.OPEN, client__in=clients_for_user(user=user)).first())
    if conflict is None:
        raise Http404("conflict")
    with transaction.atomic():
        if take_backoffice:
            advisor = advisors_for_user(user=user).filter(advisor_id=conflict.backoffice_advisor_code,
                                                          active=True).first()
            if advisor is None:
                raise ValidationError({"advisor": "the back office's advisor is not an active advisor of the branch"})
            assignment_apply(clients=[conflict.client], advisor=advisor, source=Source.PAGE, actor=user,
                             reason=f"conflict {conflict.pk}: took the back office's assignment", request=request)
        conflict.status = ConflictStatus.ACCEPTED if take_backoffice else ConflictStatus.KEPT
        conflict.settled_by, conflict.settled_at = user.username, timezone.now()
        conflict.save(update_fields=["status", "settled_by", "settled_at"])
        audit_record(user=user, action="client.assignment_conflict", object_type="client",
                     object_ids=[conflict.client.client_id], request=request,
                     detail={"conflict": conflict.pk, "settled": conflict.status,
                             "kept": conflict.kept_advisor_code, "backoffice": conflict.backoffice_advisor_code})
    return conflict


def advisor_choices(*, user: User) -> list[Advisor]:
    return list(advisors_for_user(user=user).filter(active=True).only("advisor_id", "name"))


def advisor_names(*, user: User) -> dict[str, str]:
    """{advisor code: name} for every advisor within reach, departed ones included (conflicts may name them)."""
    return dict(advisors_for_user(user=user).values_list("advisor_id", "name"))
