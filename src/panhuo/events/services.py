"""Client events: planning, the materials' compliance review, registration (by the advisor or through the client's
signed link), the waiting list, reminders, check-in at the door, and the follow-up tasks after (docs/events.md).

Writes only; reads are in selectors.py. The records are the core's (clients.models.events); the parts campaigns
share (invitation, tokens, capacity, the funnel step) are in clients/events.py.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can, require
from panhuo.audit.services import audit_record
from panhuo.clients.events import (
    checkin_read,
    funnel_apply_attendance,
    link_read,
    materials_approved,
    materials_hash,
    registration_place,
    waitlist_promote,
)
from panhuo.clients.models import (
    OPEN_STATUSES,
    Channel,
    Client,
    Contact,
    Event,
    EventFile,
    EventKind,
    EventRegistration,
    EventStatus,
    MaterialsReview,
    Outcome,
    RegistrationStatus,
    RegistrationVia,
    Task,
    TaskKind,
)
from panhuo.outreach.products import product_mentions

EDITABLE = ("kind", "title", "topic", "starts_at", "ends_at", "venue", "online_url", "capacity", "speaker",
            "materials")
REMINDER_PRIORITY = 420
FOLLOW_UP_PRIORITY = 450
MAX_FILE_BYTES = 10 * 1024 * 1024


def _check(fields: dict) -> None:
    if fields.get("kind") not in EventKind.values:
        raise ValidationError({"kind": "unknown event type"})
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": "a title is needed"})
    if fields["ends_at"] <= fields["starts_at"]:
        raise ValidationError({"ends_at": "the end is before the start"})
    if not fields.get("venue") and not fields.get("online_url"):
        raise ValidationError({"venue": "a venue or an online link is needed"})
    if fields.get("capacity") is not None and fields["capacity"] < 1:
        raise ValidationError({"capacity": "at least one place"})


def _own_branch(user: User, event: Event) -> None:
    if not user.sees_whole_firm and event.branch_id != user.branch_id:
        raise PermissionDenied


def event_create(*, user: User, request=None, **fields) -> Event:
    """A planned event of the user's branch."""
    require(user, Capability.MANAGE_EVENTS)
    fields = {k: fields.get(k) for k in EDITABLE}
    fields["materials"] = fields["materials"] or ""
    for k in ("topic", "venue", "online_url", "speaker"):
        fields[k] = fields[k] or ""
    _check(fields)
    if not user.branch_id:
        raise ValidationError("the user has no branch")
    event = Event.objects.create(branch_id=user.branch_id, created_by=user, **fields)
    audit_record(user=user, action="event.create", object_type="event", object_ids=[str(event.pk)],
                 detail={"kind": event.kind}, request=request)
    return event


def event_update(*, user: User, event: Event, request=None, **fields) -> Event:
    """Change a planned event. Changed materials lose their approval (a version is its text) and go back to review.
    A larger room moves the waiting list up."""
    require(user, Capability.MANAGE_EVENTS)
    _own_branch(user, event)
    if event.status != EventStatus.PLANNED:
        raise ValidationError("only a planned event is changed")
    merged = {k: fields.get(k, getattr(event, k)) for k in EDITABLE}
    for k in ("topic", "venue", "online_url", "speaker", "materials"):
        merged[k] = merged[k] or ""
    _check(merged)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        was_approved = materials_approved(event) and event.review == MaterialsReview.APPROVED
        for k, v in merged.items():
            setattr(event, k, v)
        if was_approved and not materials_approved(event):
            event.review, event.review_reason = MaterialsReview.NONE, ""
        event.save()
        promoted = waitlist_promote(event=event)
        audit_record(user=user, action="event.update", object_type="event", object_ids=[str(event.pk)],
                     detail={"promoted": len(promoted)}, request=request)
    return event


def event_file_add(*, user: User, event: Event, name: str, content: bytes, request=None) -> EventFile:
    """Attach a file (slides, a handout); it joins the materials compliance reviews."""
    require(user, Capability.MANAGE_EVENTS)
    _own_branch(user, event)
    if event.status != EventStatus.PLANNED:
        raise ValidationError("only a planned event is changed")
    if not content or len(content) > MAX_FILE_BYTES:
        raise ValidationError("a file of up to 10 MB")
    with transaction.atomic():
        f = EventFile.objects.create(event=event, name=name[:200], content=content,
                                     sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user)
        if event.review:
            event.review, event.review_reason = MaterialsReview.NONE, ""
            event.save(update_fields=["review", "review_reason"])
        audit_record(user=user, action="event.file", object_type="event", object_ids=[str(event.pk)],
                     detail={"file": f.name, "sha256": f.sha256}, request=request)
    return f


def event_cancel(*, user: User, event: Event, request=None) -> Event:
    require(user, Capability.MANAGE_EVENTS)
    _own_branch(user, event)
    if event.status != EventStatus.PLANNED:
        raise ValidationError("only a planned event is cancelled")
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status"])
    Task.objects.filter(pk__in=event.registrations.exclude(reminder_task=None).values("reminder_task"),
                        status__in=OPEN_STATUSES).update(status="done", closed_at=timezone.now())
    audit_record(user=user, action="event.cancel", object_type="event", object_ids=[str(event.pk)], request=request)
    return event


# --- the materials' review ------------------------------------------------------------------------------------

def materials_problems(event: Event) -> list[dict]:
    """What blocks approval: in investor education, every product named or promoted (投资者教育不得推介产品)."""
    if event.kind != EventKind.EDUCATION:
        return []
    texts = [event.materials or "", event.title or "", event.topic or ""]
    texts += [f.content.decode("utf-8", "ignore") for f in event.files.all()
              if f.name.lower().endswith((".txt", ".md", ".csv"))]
    return [{"kind": m.kind, "matched": m.matched} for t in texts for m in product_mentions(t)]


def materials_submit(*, user: User, event: Event, request=None) -> Event:
    require(user, Capability.MANAGE_EVENTS)
    _own_branch(user, event)
    if event.status != EventStatus.PLANNED or materials_approved(event):
        raise ValidationError("nothing to review")
    event.review, event.review_reason = MaterialsReview.SUBMITTED, ""
    event.review_hash = materials_hash(event)
    event.save(update_fields=["review", "review_reason", "review_hash"])
    audit_record(user=user, action="event.materials_submit", object_type="event", object_ids=[str(event.pk)],
                 detail={"hash": event.review_hash}, request=request)
    return event


def materials_decide(*, user: User, event: Event, approve: bool, reason: str = "", request=None) -> Event:
    """Compliance approves the submitted version, or rejects it with a reason. An investor-education event whose
    materials name a product is refused approval; nobody approves an event they planned."""
    require(user, Capability.APPROVE_SCRIPT)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.created_by_id == user.pk:
            audit_record(user=user, action="event.materials_review", object_type="event",
                         object_ids=[str(event.pk)], outcome="denied", detail={"why": "own event"}, request=request)
            raise PermissionDenied
        if event.review != MaterialsReview.SUBMITTED or event.review_hash != materials_hash(event):
            raise ValidationError("this version was not submitted")
        if approve and materials_problems(event):
            raise ValidationError("investor education names a product")
        if not approve and not reason.strip():
            raise ValidationError({"reason": "a rejection needs a reason"})
        event.review = MaterialsReview.APPROVED if approve else MaterialsReview.REJECTED
        event.review_reason = reason.strip()[:1000]
        event.reviewed_by, event.reviewed_at = user, timezone.now()
        event.save()
        audit_record(user=user, action="event.materials_review", object_type="event", object_ids=[str(event.pk)],
                     outcome="ok" if approve else "rejected",
                     detail={"hash": event.review_hash, **({"reason": event.review_reason} if not approve else {})},
                     request=request)
    return event


# --- registration -------------------------------------------------------------------------------------------

def _open_for_registration(event: Event, now: datetime) -> None:
    if event.status != EventStatus.PLANNED or event.ends_at <= now:
        raise ValidationError("the event is not open for registration")
    if not materials_approved(event):
        raise ValidationError("the event's materials are not approved by compliance")


def event_register(*, user: User, event: Event, client: Client, request=None, now: datetime | None = None
                   ) -> EventRegistration:
    """The advisor registers their client (`client` resolved through the access rule by the caller). A place if
    there is room, else the waiting list; a client on the do-not-contact list is not registered by staff."""
    require(user, Capability.SERVE)
    now = now or timezone.now()
    if client.do_not_contact:
        raise ValidationError("the client is on the do-not-contact list")
    if client.branch_id != event.branch_id:
        raise ValidationError("the event is another branch's")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _open_for_registration(event, now)
        reg = EventRegistration.objects.filter(event=event, client=client).first()
        if reg is not None and reg.status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
            return reg
        if reg is None:
            reg = EventRegistration(event=event, client=client, advisor=client.advisor, via=RegistrationVia.ADVISOR)
        reg.event = event
        registration_place(registration=reg, now=now)
        audit_record(user=user, action="event.register", object_type="client", object_ids=[client.client_id],
                     detail={"event": event.pk, "status": reg.status}, request=request)
    return reg


def _cancel(reg: EventRegistration, now: datetime) -> list[EventRegistration]:
    event = Event.objects.select_for_update().get(pk=reg.event_id)
    reg.status = RegistrationStatus.CANCELLED
    reg.save(update_fields=["status"])
    if reg.reminder_task_id:
        Task.objects.filter(pk=reg.reminder_task_id, status__in=OPEN_STATUSES).update(status="done", closed_at=now)
    return waitlist_promote(event=event, now=now)


def registration_cancel(*, user: User, registration: EventRegistration, request=None) -> list[EventRegistration]:
    """The advisor cancels a registration; the waiting list moves up. Returns who got a place."""
    require(user, Capability.SERVE)
    now = timezone.now()
    with transaction.atomic():
        promoted = _cancel(registration, now)
        audit_record(user=user, action="event.cancel_registration", object_type="client",
                     object_ids=[registration.client.client_id],
                     detail={"event": registration.event_id, "promoted": len(promoted)}, request=request)
    return promoted


def link_made(*, user: User, registration: EventRegistration, request=None) -> None:
    """Record that the advisor made (and will send) the client's registration link."""
    require(user, Capability.SERVE)
    audit_record(user=user, action="event.link", object_type="client", object_ids=[registration.client.client_id],
                 detail={"event": registration.event_id}, request=request)


def link_answer(*, token: str, accept: bool, request=None, now: datetime | None = None) -> EventRegistration:
    """The client answers through their signed link, without logging in: registers (a place or the waiting list)
    or declines. Raises LinkExpired / LinkInvalid (clients/events.py)."""
    now = now or timezone.now()
    reg = link_read(token)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=reg.event_id)
        reg = EventRegistration.objects.select_for_update().get(pk=reg.pk)
        reg.event = event
        if accept:
            if reg.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
                _open_for_registration(event, now)
                if reg.via != RegistrationVia.CAMPAIGN:
                    reg.via = RegistrationVia.LINK
                registration_place(registration=reg, now=now)
        elif reg.status != RegistrationStatus.CANCELLED:
            _cancel(reg, now)
        audit_record(user=None, action="event.link_answer", object_type="client", object_ids=[reg.client.client_id],
                     detail={"event": event.pk, "status": reg.status}, request=request)
    return reg


# --- the day before, at the door, after -----------------------------------------------------------------------

def event_reminders(*, today: date) -> int:
    """A task on the advisor's Today, the day before, for each registered client of an event starting tomorrow.
    Idempotent: a registration reminded once is not reminded again; a client who already has an open reminder
    (another event tomorrow) keeps that one."""
    tomorrow = today + timedelta(days=1)
    regs = (EventRegistration.objects.select_related("event", "client")
            .filter(event__status=EventStatus.PLANNED, status=RegistrationStatus.REGISTERED, reminder_task=None,
                    advisor__isnull=False, client__do_not_contact=False)
            .filter(event__starts_at__date=tomorrow))
    made = 0
    for reg in regs:
        e = reg.event
        at = timezone.localtime(e.starts_at)
        where = e.venue or "线上"
        with transaction.atomic():
            try:
                with transaction.atomic():
                    task = Task.objects.create(
                        client=reg.client, advisor_id=reg.advisor_id, kind=TaskKind.EVENT_REMINDER,
                        priority=REMINDER_PRIORITY, due=today, created_on=today,
                        reason_zh=f"明天活动：{e.title}（{at:%H:%M}，{where}）；签到码 {reg.code}"[:255],
                        reason_en=f"Event tomorrow: {e.title} ({at:%H:%M}, {e.venue or 'online'}); check-in code "
                                  f"{reg.code}"[:255])
            except IntegrityError:
                continue
            reg.reminder_task = task
            reg.save(update_fields=["reminder_task"])
            made += 1
    return made


class CheckInError(ValidationError):
    pass


def event_check_in(*, user: User, event: Event, token_or_code: str, request=None,
                   now: datetime | None = None) -> EventRegistration:
    """Check a client in at the door from their QR code (a signed token) or the 8-character code. The code must
    be this event's. A client on the waiting list or only invited who comes is let in and counted as registered
    (the door decides); a cancelled one must register again. The visit is logged as a contact (event, reached)
    and moves the funnel (clients/events.py). Checking in twice changes nothing."""
    require(user, Capability.SERVE)
    now = now or timezone.now()
    reg = checkin_read(token_or_code)
    if reg is None or reg.event_id != event.pk:
        audit_record(user=user, action="event.checkin", object_type="event", object_ids=[str(event.pk)],
                     outcome="rejected", detail={"why": "unknown code"}, request=request)
        raise CheckInError("unknown code")
    if event.status == EventStatus.CANCELLED:
        raise CheckInError("the event is cancelled")
    if reg.status == RegistrationStatus.CANCELLED:
        raise CheckInError("the registration is cancelled")
    if reg.checked_in_at:
        return reg
    with transaction.atomic():
        reg.checked_in_at, reg.checked_in_by = now, user
        if reg.status != RegistrationStatus.REGISTERED:
            reg.status = RegistrationStatus.REGISTERED
            reg.registered_at = reg.registered_at or now
        reg.save()
        Contact.objects.create(client=reg.client, advisor_id=reg.advisor_id, by=user, channel=Channel.EVENT,
                               outcome=Outcome.REACHED, note=event.title[:200], at=now)
        funnel_apply_attendance(registration=reg)
        audit_record(user=user, action="event.checkin", object_type="client", object_ids=[reg.client.client_id],
                     detail={"event": event.pk}, request=request)
    return reg


def event_close(*, user: User, event: Event, today: date | None = None, request=None) -> dict:
    """After the event: mark it held and put a follow-up task on the advisor's Today for each attendee (thank,
    ask what they want to know more of) and each no-show (send the materials, offer the next one). Runs once."""
    require(user, Capability.MANAGE_EVENTS)
    _own_branch(user, event)
    today = today or timezone.localdate()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != EventStatus.PLANNED:
            raise ValidationError("the event is already closed or cancelled")
        if timezone.localdate(event.starts_at) > today:
            raise ValidationError("the event has not started")
        event.status, event.closed_at = EventStatus.HELD, timezone.now()
        event.save(update_fields=["status", "closed_at"])
        counts = {"attended": 0, "no_show": 0, "tasks": 0}
        regs = (event.registrations.select_related("client")
                .filter(status=RegistrationStatus.REGISTERED).order_by("pk"))
        for reg in regs:
            came = reg.checked_in_at is not None
            counts["attended" if came else "no_show"] += 1
            if reg.advisor_id is None or reg.client.do_not_contact:
                continue
            if came:
                zh, en = f"活动回访（已到场）：{event.title}，感谢参加并了解需求", \
                    f"Event follow-up (attended): {event.title}; thank them, ask what they need"
            else:
                zh, en = f"活动回访（未到场）：{event.title}，发送资料并邀请下次参加", \
                    f"Event follow-up (did not come): {event.title}; send the materials, invite to the next"
            try:
                with transaction.atomic():
                    task = Task.objects.create(client=reg.client, advisor_id=reg.advisor_id,
                                               kind=TaskKind.EVENT_FOLLOW_UP, priority=FOLLOW_UP_PRIORITY,
                                               due=today + timedelta(days=1 if came else 2), created_on=today,
                                               reason_zh=zh[:255], reason_en=en[:255])
            except IntegrityError:
                continue      # an open event follow-up for this client already: one is enough
            reg.follow_up_task = task
            reg.save(update_fields=["follow_up_task"])
            counts["tasks"] += 1
        audit_record(user=user, action="event.close", object_type="event", object_ids=[str(event.pk)],
                     detail=counts, request=request)
    return counts


def may_check_in(user: User, event: Event) -> bool:
    """Door staff: anyone who serves clients, of the event's branch."""
    if not can(user, Capability.SERVE):
        return False
    branch = user.branch_id or (user.advisor.branch_id if getattr(user, "advisor_id", None) else None)
    return user.sees_whole_firm or branch == event.branch_id
