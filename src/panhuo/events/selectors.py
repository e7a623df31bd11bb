"""Reads of client events. An event is its branch's: a director or manager sees their branch's, an advisor the
events of the branch they work in, compliance and the administrator every branch (the one access rule,
`within_reach`). Inside an event, an advisor sees only their own clients' registrations; the counts are the
event's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.clients.events import (
    events_within_reach,
    files_light,
    link_days,
    materials_approved,
    places_taken,
)
from panhuo.clients.models import (
    Client,
    Event,
    EventRegistration,
    EventStatus,
    MaterialsReview,
    RegistrationStatus,
)
from panhuo.clients.registry import ClientPanel
from panhuo.clients.selectors import clients_for_user, out_of_reach


def events_for_user(*, user: User) -> QuerySet[Event]:
    return events_within_reach(user=user)


def event_get_for_user(*, user: User, event_id: int) -> Event:
    """One event within reach, or Http404 (audited)."""
    event = events_for_user(user=user).select_related("branch").filter(pk=event_id).first()
    if event is None:
        raise out_of_reach(user=user, object_type="event", object_ids=[event_id])
    return event


def event_counts(event: Event) -> dict:
    c = event.registrations.aggregate(
        invited=Count("pk", filter=Q(status=RegistrationStatus.INVITED)),
        registered=Count("pk", filter=Q(status=RegistrationStatus.REGISTERED)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    c["free"] = None if event.capacity is None else max(0, event.capacity - c["registered"])
    c["no_show"] = c["registered"] - c["attended"] if event.status == EventStatus.HELD else None
    return c


def event_list(*, user: User) -> dict:
    now = timezone.now()
    qs = events_for_user(user=user).select_related("branch").annotate(
        n_registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)),
        n_attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)))
    upcoming = list(qs.filter(ends_at__gte=now, status=EventStatus.PLANNED).order_by("starts_at"))
    past = list(qs.exclude(pk__in=[e.pk for e in upcoming]).order_by("-starts_at")[:50])
    return {"upcoming": upcoming, "past": past}


def registrations_for_user(*, user: User, event: Event) -> QuerySet[EventRegistration]:
    """The registrations of `event` whose client the user may see."""
    return (event.registrations.filter(client__in=clients_for_user(user=user))
            .select_related("client", "advisor").order_by("status", "client__client_id"))


def registration_get_for_user(*, user: User, event: Event, registration_id: int) -> EventRegistration:
    reg = registrations_for_user(user=user, event=event).filter(pk=registration_id).first()
    if reg is None:
        raise out_of_reach(user=user, object_type="event", object_ids=[f"{event.pk}:{registration_id}"])
    return reg


def review_queue(*, user: User) -> QuerySet[Event]:
    return events_for_user(user=user).filter(review=MaterialsReview.SUBMITTED).order_by("starts_at")


def open_events_for_client(client: Client) -> list[Event]:
    """Planned events of the client's branch still ahead whose materials are cleared: what they can be registered
    for."""
    now = timezone.now()
    events = Event.objects.filter(branch_id=client.branch_id, status=EventStatus.PLANNED, ends_at__gt=now)
    return [e for e in events.prefetch_related(files_light()).order_by("starts_at")[:20] if materials_approved(e)]


def client_events_panel(*, client: Client, user: User) -> ClientPanel | None:
    """The 360 page's events: what the client was invited to, registered for and attended, and the events
    they can be registered for (the workbench renders it; clients.registry)."""
    regs = list(client.event_registrations.select_related("event").order_by("-event__starts_at")[:20])
    have = {r.event_id for r in regs}
    open_events = [e for e in open_events_for_client(client) if e.pk not in have]
    attended = sum(1 for r in regs if r.checked_in_at)
    return ClientPanel(name="events", template="events/_client_panel.html",
                       context={"event_registrations": regs, "event_open": open_events,
                                "event_attended": attended})


def link_validity_days() -> int:
    return link_days()


def places(event: Event) -> int:
    return places_taken(event)
