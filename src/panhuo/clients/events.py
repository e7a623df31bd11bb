"""The parts of client events several features use (docs/events.md): invitations (campaigns invite their treatment
group), the signed links a client registers and checks in with, capacity and the waiting list, and the funnel step
of attending. The pages and the staff's decisions are the `events` feature app; campaigns call `event_invite`.

Signed links name a registration by its random `key` (never the client's code or a database id): a signed payload
is only base64, readable by whoever holds the link.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from panhuo.clients.links import LinkExpired, LinkInvalid, signed_read
from panhuo.clients.models import (
    Client,
    ClientFunnel,
    EventRegistration,
    EventStatus,
    FunnelEvent,
    FunnelSource,
    RegistrationStatus,
    RegistrationVia,
    Stage,
    Track,
)
from panhuo.clients.models import Event as ClientEvent
from panhuo.clients.selectors import within_reach

LINK_SALT = "panhuo.events.register"
CHECKIN_SALT = "panhuo.events.checkin"
DEFAULT_LINK_DAYS = 14
TAKES_A_PLACE = (RegistrationStatus.REGISTERED,)
_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


def link_days() -> int:
    return int(getattr(settings, "PANHUO_EVENT_LINK_DAYS", DEFAULT_LINK_DAYS))


def materials_hash(event: ClientEvent) -> str:
    """The version of an event's materials that compliance approves: its text and its files' digests."""
    h = hashlib.sha256((event.materials or "").encode())
    for digest in sorted(f.sha256 for f in event.files.all()) if event.pk else ():   # prefetched when listed
        h.update(digest.encode())
    return h.hexdigest()


def materials_approved(event: ClientEvent) -> bool:
    """True when there is nothing to review (no text, no file) or compliance approved exactly this version."""
    empty = not (event.materials or "").strip() and not (event.pk and len(event.files.all()))
    return empty or (event.review == "approved" and event.review_hash == materials_hash(event))


def files_light():
    """Prefetch of an event's files without their content (for the materials' hash)."""
    from django.db.models import Prefetch

    from panhuo.clients.models import EventFile

    return Prefetch("files", queryset=EventFile.objects.only("id", "event_id", "sha256", "name"))


def places_taken(event: ClientEvent) -> int:
    return event.registrations.filter(status__in=TAKES_A_PLACE).count()


def has_room(event: ClientEvent) -> bool:
    return event.capacity is None or places_taken(event) < event.capacity


def event_invite(*, event: ClientEvent, members: list[tuple[Client, int | None]], campaign_id: int | None = None,
                 now: datetime | None = None) -> int:
    """Invite clients [(client, advisor pk)] to `event` (a campaign's treatment group at launch). A client already
    invited or registered keeps their row. Returns how many were invited. The caller decided who may be contacted
    (consent, do-not-contact, the control group) and records the audit event."""
    now = now or timezone.now()
    have = set(event.registrations.values_list("client_id", flat=True))
    rows = [EventRegistration(event=event, client=c, advisor_id=adv, status=RegistrationStatus.INVITED,
                              via=RegistrationVia.CAMPAIGN, campaign_id=campaign_id, invited_at=now)
            for c, adv in members if c.pk not in have]
    EventRegistration.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def registration_place(*, registration: EventRegistration, now: datetime | None = None) -> str:
    """Give the registration a place, or put it on the waiting list when the event is full. Call inside a
    transaction that locked the event row (select_for_update), so two registrations cannot take the last place."""
    registration.status = (RegistrationStatus.REGISTERED if has_room(registration.event)
                           else RegistrationStatus.WAITLISTED)
    registration.registered_at = now or timezone.now()
    registration.save()
    return registration.status


def waitlist_promote(*, event: ClientEvent, now: datetime | None = None) -> list[EventRegistration]:
    """Move the earliest of the waiting list into the places that are free (after a cancellation or a larger
    room). Inside a transaction that locked the event."""
    promoted = []
    while has_room(event):
        nxt = (event.registrations.filter(status=RegistrationStatus.WAITLISTED)
               .order_by("registered_at", "pk").first())
        if nxt is None:
            break
        nxt.status = RegistrationStatus.REGISTERED
        nxt.save(update_fields=["status"])
        promoted.append(nxt)
    return promoted


def link_token(registration: EventRegistration) -> str:
    """The client's own registration link (no log-in): names the registration's random key, signed and dated."""
    return signing.dumps({"k": registration.key}, salt=LINK_SALT)


def link_read(token: str) -> EventRegistration:
    """The registration a link names; LinkExpired after PANHUO_EVENT_LINK_DAYS or once the event is over or
    cancelled, LinkInvalid if altered."""
    data = signed_read(token, salt=LINK_SALT, days=link_days())
    reg = (EventRegistration.objects.select_related("event", "client").filter(key=str(data.get("k", ""))).first())
    if reg is None:
        raise LinkInvalid()
    if reg.event.status != EventStatus.PLANNED or reg.event.ends_at < timezone.now():
        raise LinkExpired()
    return reg


def checkin_token(registration: EventRegistration) -> str:
    """What the client's QR code holds: the registration's key, signed (the door page refuses a forged one)."""
    return signing.dumps({"k": registration.key}, salt=CHECKIN_SALT)


def checkin_read(token_or_code: str) -> EventRegistration | None:
    """The registration a scanned QR code (a signed token) or a typed 8-character code names, or None."""
    text = (token_or_code or "").strip()
    if not text:
        return None
    if ":" in text:
        try:
            data = signing.loads(text, salt=CHECKIN_SALT)
        except signing.BadSignature:
            return None
        return EventRegistration.objects.select_related("event", "client").filter(key=str(data.get("k", ""))).first()
    return EventRegistration.objects.select_related("event", "client").filter(code=text.upper()).first()


def funnel_apply_attendance(*, registration: EventRegistration) -> FunnelEvent | None:
    """Attending is interest shown in person: the client moves to B (selecting), as an interested contact does,
    never backwards; the funnel event's source says it was an event. Trades alone confirm C and D."""
    at = registration.checked_in_at or timezone.now()
    on = timezone.localdate(at)
    client = registration.client
    with transaction.atomic():
        funnel = ClientFunnel.objects.select_for_update().filter(client=client).first()
        if funnel is None:
            dormant = client.snapshots.filter(is_latest=True).values_list("is_dormant", flat=True).first()
            funnel = ClientFunnel(client=client, track=Track.DORMANT if dormant else Track.NORMAL, stage=Stage.B,
                                  since=on)
        elif _ORDER[funnel.stage] >= _ORDER[Stage.B]:
            return None
        funnel.stage, funnel.since, funnel.b_on = Stage.B, on, on
        funnel.save()
        return FunnelEvent.objects.create(client=client, track=funnel.track, stage=Stage.B,
                                          source=FunnelSource.EVENT, at=at, on=on)


def events_within_reach(*, user) -> QuerySet[ClientEvent]:
    """The events `user` may see: a director's or manager's branch's, the events of the branch an advisor works
    in, every branch's for compliance and the administrator (the one access rule, `within_reach`)."""
    return within_reach(ClientEvent.objects.all(), user=user, branch="branch_id", advisor="branch__advisors")


def event_problems(event: ClientEvent) -> list[str]:
    """What stops a campaign inviting to `event` (a launch lists them): over, cancelled or materials unapproved."""
    problems = []
    if event.status != EventStatus.PLANNED or event.ends_at <= timezone.now():
        problems.append("活动已结束或已取消 / the event is over or cancelled")
    elif not materials_approved(event):
        problems.append("活动资料未经合规审核通过 / the event's materials are not approved by compliance")
    return problems
