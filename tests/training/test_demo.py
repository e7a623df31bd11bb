"""The demo seeder: the course, a session with attendance, passed and failed attempts with certificates, and
registrations with one lapsed advisor registration that blocks specific advice; a second run adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from panhuo.accounts.models import Registration, User
from panhuo.accounts.permissions import Capability, can
from panhuo.training.models import Attempt, Attendance, Certificate, Course, Session


@pytest.mark.django_db
def test_the_demo_seeder_shows_the_feature_in_use(cast):
    from panhuo.clients.models import Advisor
    from panhuo.clients.registry import demo_seeders

    Advisor.objects.filter(advisor_id__in=["A01", "A02"]).update(level="senior")
    seeder = dict(demo_seeders())["training"]
    line = seeder(as_of=date(2026, 10, 30), seed=20261128)
    assert "bob's advisor registration lapsed" in line
    assert Course.objects.count() == 1 and Session.objects.count() == 1
    assert set(Attendance.objects.values_list("user__username", flat=True)) == {"alice", "bob", "director_a",
                                                                                 "manager_a"}
    assert Attempt.objects.filter(passed=True).exists() and Attempt.objects.filter(passed=False).exists()
    assert Certificate.objects.count() == Attempt.objects.filter(passed=True).count()
    users = {u.username: u for u in User.objects.all()}
    assert can(users["alice"], Capability.SEND_ADVICE) and not can(users["bob"], Capability.SEND_ADVICE)
    assert can(users["director_a"], Capability.SEND_ADVICE)
    assert not Registration.objects.filter(user__username="charlie").exists()      # another branch
    counts = (Registration.objects.count(), Attempt.objects.count(), Attendance.objects.count())
    seeder(as_of=date(2026, 10, 30), seed=20261128)
    assert (Registration.objects.count(), Attempt.objects.count(), Attendance.objects.count()) == counts
