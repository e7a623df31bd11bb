"""Writes: the complaint workflow, the overdue escalation, the monthly call-back sample and the call-backs
(docs/complaints.md). Views resolve the complaint or client through the access rule first and pass it here.

Every step is one transaction: the complaint's row, its kept step (ComplaintEvent) and the audit event commit
together or not at all.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import tomllib
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.accounts.permissions import Capability, can, require
from panhuo.analytics.kpis import Month
from panhuo.audit.services import audit_record
from panhuo.clients.models import (
    OPEN_COMPLAINT,
    Client,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    ComplaintStep,
    Contact,
    sla_deadline,
)
from panhuo.complaints.models import Callback, CallbackKind, CallbackOutcome, CallbackSample, FindingCategory

CALLBACKS_PATH = Path(__file__).with_name("callbacks.toml")


def callbacks_config() -> dict:
    with CALLBACKS_PATH.open("rb") as fh:
        return tomllib.load(fh)


# ---- complaints ----------------------------------------------------------------------------------------------

def may_own(user: User, complaint: Complaint) -> bool:
    """Who may own (and so resolve) a complaint: a handler of complaints within its branch who is not the advisor
    the complaint is about."""
    if not user.is_active or not can(user, Capability.HANDLE_COMPLAINTS):
        return False
    if user.advisor_id is not None and user.advisor_id == complaint.advisor_id:
        return False
    return user.sees_whole_firm or user.branch_id == complaint.client.branch_id


def owner_candidates(complaint: Complaint) -> list[User]:
    users = User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.MANAGER],
                                branch_id=complaint.client.branch_id).order_by("username")
    return [u for u in users if may_own(u, complaint)]


def _step(complaint: Complaint, step: str, *, user: User | None, note: str = "", request=None,
          action: str | None = None, detail: dict | None = None) -> None:
    ComplaintEvent.objects.create(complaint=complaint, step=step, by=user if getattr(user, "pk", None) else None,
                                  note=note[:4000])
    audit_record(user=user, action=action or f"complaint.{step}", object_type="complaint",
                 object_ids=[str(complaint.pk), complaint.client.client_id],
                 detail={"status": complaint.status, **(detail or {})}, request=request)


def _create(*, user: User | None, client: Client, channel: str, category: str, description: str,
            received_at: datetime | None, request=None, note: str = "") -> Complaint:
    if channel not in ComplaintChannel.values:
        raise ValidationError({"channel": "unknown channel"})
    if category not in ComplaintCategory.values:
        raise ValidationError({"category": "unknown category"})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "say what the client complains of"})
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        raise ValidationError({"received_at": "a complaint cannot be received in the future"})
    with transaction.atomic():
        complaint = Complaint.objects.create(
            client=client, branch_id=client.branch_id, advisor_id=client.advisor_id, channel=channel,
            category=category, received_at=received_at, description=description[:8000],
            registered_by=user if getattr(user, "pk", None) else None,
            deadline=sla_deadline(received_on=timezone.localdate(received_at), category=category, channel=channel))
        _step(complaint, ComplaintStep.REGISTERED, user=user, note=note, request=request, action="complaint.register",
              detail={"category": category, "channel": channel, "deadline": str(complaint.deadline)})
    return complaint


def complaint_register(*, user: User, client: Client, channel: str, category: str, description: str,
                       received_at: datetime | None = None, request=None) -> Complaint:
    """Record a complaint the client made (staff who serve the client; `client` is within the user's reach). The
    advisor concerned is the client's advisor now; the deadline is the SLA of its category and channel."""
    require(user, Capability.REGISTER_COMPLAINT)
    return _create(user=user, client=client, channel=channel, category=category, description=description,
                   received_at=received_at, request=request)


def _handler(user: User, complaint: Complaint) -> None:
    require(user, Capability.HANDLE_COMPLAINTS)
    if complaint.advisor_id is not None and user.advisor_id == complaint.advisor_id:
        raise PermissionDenied("nobody handles a complaint about themself")


def _open(complaint: Complaint) -> None:
    if complaint.status not in OPEN_COMPLAINT:
        raise ValidationError({"status": "the complaint is no longer open"})


def complaint_assign(*, user: User, complaint: Complaint, owner: User, request=None) -> Complaint:
    """Give the complaint to an owner: a handler in its branch who is not the advisor concerned."""
    _handler(user, complaint)
    _open(complaint)
    if not may_own(owner, complaint):
        raise ValidationError({"owner": "the owner must handle complaints in the branch and not be the advisor "
                                        "concerned"})
    with transaction.atomic():
        complaint.owner = owner
        complaint.save(update_fields=["owner"])
        _step(complaint, ComplaintStep.ASSIGNED, user=user, note=owner.get_full_name() or owner.username,
              request=request, detail={"owner": owner.username})
    return complaint


def complaint_investigate(*, user: User, complaint: Complaint, note: str = "", request=None) -> Complaint:
    """Start the investigation; a complaint with no owner gets the user as owner."""
    _handler(user, complaint)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise ValidationError({"status": "only a received complaint starts its investigation"})
    with transaction.atomic():
        complaint.status = ComplaintStatus.INVESTIGATING
        complaint.owner = complaint.owner or user
        complaint.save(update_fields=["status", "owner"])
        _step(complaint, ComplaintStep.INVESTIGATING, user=user, note=note, request=request)
    return complaint


def complaint_escalate(*, user: User, complaint: Complaint, reason: str, request=None) -> Complaint:
    """Escalate by hand to the director and compliance (they see escalated complaints first)."""
    _handler(user, complaint)
    _open(complaint)
    if complaint.status == ComplaintStatus.ESCALATED:
        raise ValidationError({"status": "already escalated"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the complaint is escalated"})
    with transaction.atomic():
        complaint.status = ComplaintStatus.ESCALATED
        complaint.escalated_at = timezone.now()
        complaint.escalation_reason = reason[:255]
        complaint.save(update_fields=["status", "escalated_at", "escalation_reason"])
        _step(complaint, ComplaintStep.ESCALATED, user=user, note=reason, request=request)
    return complaint


def complaints_escalate_due(*, as_of: date | None = None) -> dict:
    """The daily run's step: every complaint still open after its deadline and not yet escalated is escalated to
    the director and compliance (a system step, audited). Running it again changes nothing."""
    as_of = as_of or timezone.localdate()
    due = list(Complaint.objects.filter(status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING],
                                        deadline__lt=as_of).select_related("client").order_by("deadline", "pk"))
    with transaction.atomic():
        for c in due:
            c.status = ComplaintStatus.ESCALATED
            c.escalated_at = timezone.now()
            c.escalation_reason = f"deadline {c.deadline:%Y-%m-%d} passed"
            c.save(update_fields=["status", "escalated_at", "escalation_reason"])
            _step(c, ComplaintStep.AUTO_ESCALATED, user=None, note=c.escalation_reason,
                  action="complaint.escalate_due", detail={"deadline": str(c.deadline), "as_of": str(as_of)})
    return {"as_of": str(as_of), "escalated": [c.pk for c in due]}


def complaint_resolve(*, user: User, complaint: Complaint, resolution: str, substantiated: bool,
                      request=None) -> Complaint:
    """Resolve: the owner (the user becomes the owner when there is none) writes what was found and done, and
    whether the complaint was substantiated. Never by the advisor concerned."""
    _handler(user, complaint)
    _open(complaint)
    if complaint.owner_id is not None and complaint.owner_id != user.pk:
        raise PermissionDenied("only the complaint's owner resolves it")
    if not may_own(user, complaint):
        raise PermissionDenied("the advisor concerned never resolves the complaint")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "say what was found and what was done"})
    with transaction.atomic():
        complaint.owner = user
        complaint.status = ComplaintStatus.RESOLVED
        complaint.resolution = resolution[:8000]
        complaint.substantiated = bool(substantiated)
        complaint.resolved_at = timezone.now()
        complaint.save(update_fields=["owner", "status", "resolution", "substantiated", "resolved_at"])
        _step(complaint, ComplaintStep.RESOLVED, user=user, note=resolution, request=request,
              detail={"substantiated": bool(substantiated), "within_sla":
                      timezone.localdate(complaint.resolved_at) <= complaint.deadline})
    return complaint


def complaint_confirm(*, user: User, complaint: Complaint, confirmed_on: date, satisfied: bool, note: str = "",
                      request=None) -> Complaint:
    """Record the client's answer to the resolution. Satisfied: confirmed. Not satisfied: the complaint opens
    again, escalated to the director and compliance, and must be resolved anew."""
    _handler(user, complaint)
    if complaint.status != ComplaintStatus.RESOLVED:
        raise ValidationError({"status": "only a resolved complaint is confirmed"})
    if confirmed_on > timezone.localdate() or confirmed_on < timezone.localdate(complaint.resolved_at):
        raise ValidationError({"confirmed_on": "the date lies between the resolution and today"})
    with transaction.atomic():
        complaint.confirmed_on, complaint.client_satisfied = confirmed_on, bool(satisfied)
        fields = ["confirmed_on", "client_satisfied", "status"]
        if satisfied:
            complaint.status = ComplaintStatus.CONFIRMED
        else:
            complaint.status = ComplaintStatus.ESCALATED
            complaint.escalated_at, complaint.resolved_at = timezone.now(), None
            complaint.escalation_reason = "client not satisfied with the resolution"
            fields += ["escalated_at", "resolved_at", "escalation_reason"]
        complaint.save(update_fields=fields)
        _step(complaint, ComplaintStep.CONFIRMED, user=user, note=note, request=request,
              detail={"satisfied": bool(satisfied), "on": str(confirmed_on)})
    return complaint


def complaint_close(*, user: User, complaint: Complaint, note: str = "", request=None) -> Complaint:
    """Close a resolved or confirmed complaint (a resolved one without the client's confirmation needs a note:
    e.g. the client could not be reached)."""
    _handler(user, complaint)
    if complaint.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.CONFIRMED):
        raise ValidationError({"status": "only a resolved complaint is closed"})
    if complaint.status == ComplaintStatus.RESOLVED and not note.strip():
        raise ValidationError({"note": "say why it closes without the client's confirmation"})
    with transaction.atomic():
        complaint.status, complaint.closed_at = ComplaintStatus.CLOSED, timezone.now()
        complaint.save(update_fields=["status", "closed_at"])
        _step(complaint, ComplaintStep.CLOSED, user=user, note=note, request=request)
    return complaint


# ---- call-backs ----------------------------------------------------------------------------------------------

def draw(ids: list[str], *, seed: str, share: float, minimum: int = 0) -> list[str]:
    """The sample: each id ranked by sha256(seed:id), the first ceil(share x n) (at least `minimum`, at most n).
    A function of the seed and the set of ids only (not their order), so the draw can be made again and checked."""
    ids = sorted(set(ids))
    k = min(len(ids), max(math.ceil(share * len(ids) - 1e-9), min(minimum, len(ids))))
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    return sorted(ranked[:k])


def callback_populations(*, branch_id: int, month: str) -> dict[str, list[str]]:
    """The month's new accounts (opened in it) and advised clients (any contact in it: a logged call or visit, a
    campaign's send, a switch suggestion) of a branch, as client codes."""
    m = Month.parse(month)
    new = Client.objects.filter(branch_id=branch_id, open_date__gte=m.start, open_date__lte=m.end)
    start = timezone.make_aware(datetime.combine(m.start, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(m.end, datetime.max.time()))
    advised = Contact.objects.filter(client__branch_id=branch_id, at__gte=start, at__lte=end)
    return {CallbackKind.NEW_ACCOUNT: sorted(new.values_list("client_id", flat=True)),
            CallbackKind.ADVISED: sorted(set(advised.values_list("client__client_id", flat=True)))}


def callbacks_sample(*, branch_id: int, month: str, user: User | None = None, seed: str | None = None,
                     request=None) -> tuple[CallbackSample, bool]:
    """Draw the branch's call-back sample for the month with a fresh server seed (kept on the sample), or return
    the one already drawn: a month is drawn once. Returns (sample, created). `user` None: the command."""
    if user is not None:
        require(user, Capability.CALL_BACK)
    m = Month.parse(month)
    existing = CallbackSample.objects.filter(branch_id=branch_id, month=m.start).first()
    if existing:
        return existing, False
    cfg = callbacks_config()["sample"]
    seed = seed or secrets.token_hex(16)
    pops = callback_populations(branch_id=branch_id, month=m.label)
    shares = {CallbackKind.NEW_ACCOUNT: float(cfg["new_share"]), CallbackKind.ADVISED: float(cfg["advised_share"])}
    with transaction.atomic():
        sample = CallbackSample.objects.create(
            branch_id=branch_id, month=m.start, seed=seed, new_share=shares[CallbackKind.NEW_ACCOUNT],
            advised_share=shares[CallbackKind.ADVISED], new_population=len(pops[CallbackKind.NEW_ACCOUNT]),
            advised_population=len(pops[CallbackKind.ADVISED]),
            drawn_by=user if getattr(user, "pk", None) else None)
        clients = {c.client_id: c for c in Client.objects.filter(
            client_id__in=pops[CallbackKind.NEW_ACCOUNT] + pops[CallbackKind.ADVISED])}
        rows = [Callback(sample=sample, client=clients[cid], kind=kind, advisor_id=clients[cid].advisor_id)
                for kind, ids in pops.items()
                for cid in draw(ids, seed=seed, share=shares[kind], minimum=int(cfg.get("minimum", 0)))]
        Callback.objects.bulk_create(rows)
        audit_record(user=user, action="callback.sample", object_type="callback_sample", object_ids=[str(sample.pk)],
                     detail={"month": m.label, "branch": branch_id, "seed": seed, "drawn": len(rows),
                             "populations": {k: len(v) for k, v in pops.items()}}, request=request)
    return sample, True


def sample_redraw(sample: CallbackSample) -> dict[str, list[str]]:
    """The draw made again from the kept seed over today's populations: equal to the kept sample while the month's
    records are unchanged (the check that the sample was not picked by hand)."""
    pops = callback_populations(branch_id=sample.branch_id, month=f"{sample.month:%Y-%m}")
    minimum = int(callbacks_config()["sample"].get("minimum", 0))
    return {CallbackKind.NEW_ACCOUNT: draw(pops[CallbackKind.NEW_ACCOUNT], seed=sample.seed,
                                           share=sample.new_share, minimum=minimum),
            CallbackKind.ADVISED: draw(pops[CallbackKind.ADVISED], seed=sample.seed, share=sample.advised_share,
                                       minimum=minimum)}


def is_independent(user: User, callback: Callback) -> bool:
    """The caller is not in the advisor role and is neither the client's advisor now nor at the draw."""
    if user.role == Role.ADVISOR:
        return False
    return user.advisor_id is None or user.advisor_id not in (callback.advisor_id, callback.client.advisor_id)


FINDING_TO_CATEGORY = {
    FindingCategory.NOT_SELF_OPENED: ComplaintCategory.MISSELLING,
    FindingCategory.RISK_NOT_EXPLAINED: ComplaintCategory.MISSELLING,
    FindingCategory.NO_ASSESSMENT: ComplaintCategory.MISSELLING,
    FindingCategory.RETURN_PROMISED: ComplaintCategory.MISSELLING,
    FindingCategory.UNSUITABLE: ComplaintCategory.MISSELLING,
    FindingCategory.FEES_UNCLEAR: ComplaintCategory.FEES,
    FindingCategory.OTHER: ComplaintCategory.OTHER,
}


def callback_record(*, user: User, callback: Callback, outcome: str, answers: dict | None = None,
                    finding_category: str = "", note: str = "", open_complaint: bool = False,
                    compliance_note: bool = False, request=None) -> Callback:
    """Record a call-back (by someone independent of the advisor). A finding names its category and may open a
    complaint (channel: call-back) or be noted for compliance. A not-reached call-back may be tried again; a
    reached one is kept as recorded."""
    require(user, Capability.CALL_BACK)
    if not is_independent(user, callback):
        raise PermissionDenied("a call-back is never made by the client's advisor")
    if callback.outcome not in (CallbackOutcome.PENDING, CallbackOutcome.NOT_REACHED):
        raise ValidationError({"outcome": "this call-back is already recorded"})
    if outcome not in (CallbackOutcome.NOT_REACHED, CallbackOutcome.CONFIRMED, CallbackOutcome.FINDING):
        raise ValidationError({"outcome": "unknown outcome"})
    keys = {q["key"] for q in callbacks_config()["script"][callback.kind]}
    answers = {k: v for k, v in (answers or {}).items() if k in keys and v in ("yes", "no")}
    if outcome == CallbackOutcome.FINDING:
        if finding_category not in FindingCategory.values:
            raise ValidationError({"finding_category": "name the finding's category"})
    else:
        finding_category, open_complaint, compliance_note = "", False, False
    with transaction.atomic():
        callback.outcome, callback.answers, callback.finding_category = outcome, answers, finding_category
        callback.note, callback.compliance_note = note.strip()[:4000], bool(compliance_note)
        callback.by, callback.at = user, timezone.now()
        if open_complaint and callback.complaint_id is None:
            text = callback.note or str(FindingCategory(finding_category).label)
            callback.complaint = _create(user=user, client=callback.client, channel=ComplaintChannel.CALLBACK,
                                         category=FINDING_TO_CATEGORY[finding_category], description=text,
                                         received_at=callback.at, request=request,
                                         note=f"call-back {callback.sample.month:%Y-%m}")
        callback.save()
        audit_record(user=user, action="callback.record", object_type="callback",
                     object_ids=[str(callback.pk), callback.client.client_id],
                     detail={"outcome": outcome, "finding": finding_category, "complaint": callback.complaint_id,
                             "compliance_note": bool(compliance_note)}, request=request)
    return callback
