"""The demo seeder files complaints in several states through the services and draws a month's call-backs, some
made; it is deterministic for the seed and a second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from panhuo.clients.models import Complaint, ComplaintEvent
from panhuo.clients.registry import demo_seeders
from panhuo.complaints.models import Callback, CallbackSample
from tests.complaints.helpers import month_of_activity

pytestmark = pytest.mark.django_db


def test_the_demo_files_complaints_in_several_states_and_makes_some_call_backs(cast):
    month_of_activity(cast)
    seeder = dict(demo_seeders())["complaints"]
    line = seeder(as_of=timezone.localdate(), seed=7)
    assert line and "complaints" in line
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {"investigating", "escalated", "confirmed", "closed"} <= statuses      # escalated: past the deadline
    assert ComplaintEvent.objects.count() > Complaint.objects.count()          # steps, not only registrations
    sample = CallbackSample.objects.get()
    assert sample.seed == "demo-7"
    made = Callback.objects.filter(sample=sample).exclude(outcome="pending")
    assert 0 < made.count() < Callback.objects.filter(sample=sample).count() + 1
    assert not made.filter(by__advisor__isnull=False).exists()                  # made by compliance
    picked = sorted(Complaint.objects.values_list("client__client_id", "category"))
    assert seeder(as_of=timezone.localdate(), seed=7) is None                   # once
    assert sorted(Complaint.objects.values_list("client__client_id", "category")) == picked
