"""Registration, capacity and the waiting list, the signed link, check-in, reminders and follow-up tasks."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.clients.events import (
    LinkExpired,
    LinkInvalid,
    checkin_read,
    checkin_token,
    link_read,
    link_token,
)
from panhuo.clients.models import (
    ClientFunnel,
    Contact,
    EventRegistration,
    FunnelEvent,
    RegistrationStatus,
    Task,
    TaskKind,
)
from panhuo.events import services
from tests.events.conftest import at, make_event


def test_capacity_is_respected_and_the_waiting_list_moves_up_on_a_cancellation(cast):
    event = make_event(cast, capacity=2)
    alice, director = cast.users["alice"], cast.users["director_a"]
    a1, a2, a3 = (cast.clients[c] for c in ("CA001", "CA002", "CA003"))
    r1 = services.event_register(user=alice, event=event, client=a1)
    r2 = services.event_register(user=alice, event=event, client=a2)
    r3 = services.event_register(user=alice, event=event, client=a3)
    assert [r.status for r in (r1, r2, r3)] == ["registered", "registered", "waitlisted"]
    assert services.event_register(user=alice, event=event, client=a3).pk == r3.pk    # again: nothing changes
    promoted = services.registration_cancel(user=director, registration=r1)
    assert [p.pk for p in promoted] == [r3.pk]
    assert EventRegistration.objects.get(pk=r3.pk).status == RegistrationStatus.REGISTERED
    assert event.registrations.filter(status="registered").count() == 2


def test_a_larger_room_gives_the_waiting_list_places(cast):
    event = make_event(cast, capacity=1)
    alice = cast.users["alice"]
    services.event_register(user=alice, event=event, client=cast.clients["CA001"])
    r2 = services.event_register(user=alice, event=event, client=cast.clients["CA002"])
    assert r2.status == "waitlisted"
    services.event_update(user=cast.users["director_a"], event=event, capacity=2)
    assert EventRegistration.objects.get(pk=r2.pk).status == "registered"


def test_no_registration_before_compliance_approves_the_materials(cast):
    event = make_event(cast, approve=False)
    with pytest.raises(ValidationError):
        services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])


def test_a_do_not_contact_client_is_not_registered(cast):
    event = make_event(cast)
    c = cast.clients["CA001"]
    c.do_not_contact = True
    c.save()
    with pytest.raises(ValidationError):
        services.event_register(user=cast.users["alice"], event=event, client=c)


def test_the_signed_link_registers_expires_and_refuses_a_forgery(cast, monkeypatch, settings):
    settings.PANHUO_EVENT_LINK_DAYS = 7
    event = make_event(cast, capacity=1, days=20)
    reg = services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])
    services.registration_cancel(user=cast.users["alice"], registration=reg)
    token = link_token(reg)
    assert reg.client.client_id not in token and str(reg.client.pk) not in token.split(":")[0][-4:]
    # The client says yes through the link: a place again.
    reg = services.link_answer(token=token, accept=True)
    assert reg.status == "registered"
    # Another client fills the waiting list through their own link.
    other = EventRegistration.objects.create(event=event, client=cast.clients["CA002"], status="invited",
                                             via="advisor")
    assert services.link_answer(token=link_token(other), accept=True).status == "waitlisted"
    # Tampered: one character changed.
    bad = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(LinkInvalid):
        link_read(bad)
    # Expired after its days.
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + 7 * 86400 + 5)
    with pytest.raises(LinkExpired):
        link_read(token)
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + 6 * 86400)
    assert link_read(token).pk == reg.pk


def test_the_link_closes_once_the_event_is_over(cast):
    event = make_event(cast, days=2)
    reg = services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])
    event.starts_at, event.ends_at = at(-2, 14), at(-2, 16)
    event.save()
    with pytest.raises(LinkExpired):
        link_read(link_token(reg))


def test_check_in_by_qr_token_or_typed_code_and_only_for_this_event(cast):
    event = make_event(cast)
    other = make_event(cast, title="客户沙龙", kind="salon")
    alice = cast.users["alice"]
    r1 = services.event_register(user=alice, event=event, client=cast.clients["CA001"])
    r2 = services.event_register(user=alice, event=event, client=cast.clients["CA002"])
    r_other = services.event_register(user=alice, event=other, client=cast.clients["CA003"])
    assert checkin_read(checkin_token(r1)).pk == r1.pk
    assert checkin_read(r2.code.lower()).pk == r2.pk
    forged = checkin_token(r1)[:-3] + "xyz"
    assert checkin_read(forged) is None
    with pytest.raises(services.CheckInError):
        services.event_check_in(user=alice, event=event, token_or_code=forged)
    with pytest.raises(services.CheckInError):       # another event's code
        services.event_check_in(user=alice, event=event, token_or_code=r_other.code)
    done = services.event_check_in(user=alice, event=event, token_or_code=checkin_token(r1))
    assert done.checked_in_at is not None
    again = services.event_check_in(user=alice, event=event, token_or_code=r1.code)
    assert again.checked_in_at == done.checked_in_at
    # The visit is a contact (event, reached) and a funnel step B with the event as its source.
    assert Contact.objects.filter(client=r1.client, channel="event", outcome="reached").count() == 1
    fe = FunnelEvent.objects.get(client=r1.client)
    assert (fe.stage, fe.source) == ("B", "event")
    assert ClientFunnel.objects.get(client=r1.client).stage == "B"


def test_reminders_the_day_before_once(cast):
    event = make_event(cast, days=1)
    reg = services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])
    today = timezone.localdate()
    assert services.event_reminders(today=today - timedelta(days=1)) == 0      # two days before: not yet
    assert services.event_reminders(today=today) == 1
    assert services.event_reminders(today=today) == 0                          # idempotent
    task = Task.objects.get(client=reg.client, kind=TaskKind.EVENT_REMINDER)
    assert task.advisor == cast.advisors["alice"] and task.due == today and reg.code in task.reason_zh


def test_closing_makes_follow_up_tasks_for_attendees_and_no_shows(cast):
    event = make_event(cast, days=0)
    alice = cast.users["alice"]
    before = at(-1, 10)
    came = services.event_register(user=alice, event=event, client=cast.clients["CA001"], now=before)
    stayed = services.event_register(user=alice, event=event, client=cast.clients["CA002"], now=before)
    services.event_check_in(user=alice, event=event, token_or_code=came.code)
    with pytest.raises(PermissionDenied):
        services.event_close(user=alice, event=event)          # the advisor does not close events
    counts = services.event_close(user=cast.users["director_a"], event=event)
    assert counts == {"attended": 1, "no_show": 1, "tasks": 2}
    t_came = Task.objects.get(client=came.client, kind=TaskKind.EVENT_FOLLOW_UP)
    t_stayed = Task.objects.get(client=stayed.client, kind=TaskKind.EVENT_FOLLOW_UP)
    assert "已到场" in t_came.reason_zh and "未到场" in t_stayed.reason_zh
    assert t_came.advisor == cast.advisors["alice"]
    with pytest.raises(ValidationError):
        services.event_close(user=cast.users["director_a"], event=event)     # once
