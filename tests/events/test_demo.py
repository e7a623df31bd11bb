"""The demo seeder: a held event with registrations, attendance and follow-up tasks, and tomorrow's seminar with
registrations, a waiting list and reminders; through the services, deterministic for the seed, run once."""

from __future__ import annotations

from datetime import date

from panhuo.clients.models import Client, Event, EventRegistration, Task, TaskKind
from panhuo.clients.registry import demo_seeders


def test_the_demo_seeder_shows_a_held_and_an_upcoming_event(cast):
    for i in range(50):
        Client.objects.create(client_id=f"CD{i:03d}", branch=cast.branches["A"],
                              advisor=cast.advisors["alice" if i % 2 else "bob"], name=f"客户D{i}")
    seeder = dict(demo_seeders())["events"]
    line = seeder(as_of=date(2026, 11, 20), seed=1)
    assert line and line.startswith("events:")
    held, upcoming = Event.objects.order_by("starts_at")
    assert held.status == "held" and upcoming.status == "planned" and upcoming.kind == "seminar"
    assert held.review == upcoming.review == "approved"
    regs = EventRegistration.objects.filter(event=held)
    came = regs.filter(checked_in_at__isnull=False).count()
    assert regs.count() == 24 and 0 < came < 24
    assert Task.objects.filter(kind=TaskKind.EVENT_FOLLOW_UP).count() == 24
    assert EventRegistration.objects.filter(event=upcoming, status="waitlisted").count() == 3
    assert Task.objects.filter(kind=TaskKind.EVENT_REMINDER).count() == 12
    assert seeder(as_of=date(2026, 11, 20), seed=1) is None          # once
    assert Event.objects.count() == 2
