"""The complaint workflow: register, own, investigate, escalate (by hand and past the deadline), resolve, confirm,
close; the SLA; the advisor concerned never owns or resolves; every step kept and audited; never deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    KeptRecordError,
    sla_days,
)
from panhuo.complaints import services

pytestmark = pytest.mark.django_db


def _file(cast, *, who="alice", client="CA001", category="attitude", channel="phone", days_ago=0):
    return services.complaint_register(user=cast.users[who], client=cast.clients[client], channel=channel,
                                       category=category, description="态度不好",
                                       received_at=timezone.now() - timedelta(days=days_ago))


def test_the_sla_comes_from_the_category_and_a_regulator_forwarded_complaint_is_shorter():
    assert sla_days(category="attitude", channel="phone") == 15
    assert sla_days(category="system", channel="phone") == 7
    assert sla_days(category="attitude", channel="regulator") == 10
    assert sla_days(category="system", channel="regulator") == 7      # the shorter wins


def test_a_complaint_goes_from_received_to_confirmed_and_every_step_is_kept_and_audited(cast):
    c = _file(cast)
    assert c.advisor == cast.advisors["alice"] and c.status == ComplaintStatus.RECEIVED
    assert c.deadline == timezone.localdate() + timedelta(days=15)
    director = cast.users["director_a"]
    services.complaint_assign(user=director, complaint=c, owner=cast.users["manager_a"])
    with pytest.raises(PermissionDenied):     # only the owner resolves
        services.complaint_resolve(user=director, complaint=c, resolution="x", substantiated=False)
    manager = cast.users["manager_a"]
    services.complaint_investigate(user=manager, complaint=c)
    services.complaint_resolve(user=manager, complaint=c, resolution="已致歉", substantiated=True)
    services.complaint_confirm(user=manager, complaint=c, confirmed_on=timezone.localdate(), satisfied=True)
    services.complaint_close(user=manager, complaint=c)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.CLOSED and c.substantiated and c.client_satisfied
    steps = list(ComplaintEvent.objects.filter(complaint=c).values_list("step", flat=True))
    assert steps == ["registered", "assigned", "investigating", "resolved", "confirmed", "closed"]
    actions = set(AuditEvent.objects.filter(object_type="complaint").values_list("action", flat=True))
    assert {"complaint.register", "complaint.assigned", "complaint.investigating", "complaint.resolved",
            "complaint.confirmed", "complaint.closed"} <= actions


def test_a_dissatisfied_client_reopens_the_complaint_escalated(cast):
    c = _file(cast)
    d = cast.users["director_a"]
    services.complaint_resolve(user=d, complaint=c, resolution="说明", substantiated=False)
    services.complaint_confirm(user=d, complaint=c, confirmed_on=timezone.localdate(), satisfied=False)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ESCALATED and c.resolved_at is None and c.client_satisfied is False
    with pytest.raises(ValidationError):       # not resolved: nothing to close
        services.complaint_close(user=d, complaint=c, note="x")


def test_past_its_deadline_an_unresolved_complaint_is_escalated_once(cast):
    late = _file(cast, days_ago=20)                          # deadline 15 days after: passed
    fresh = _file(cast, client="CA002", days_ago=3)
    done = _file(cast, client="CA003", days_ago=30)
    services.complaint_resolve(user=cast.users["director_a"], complaint=done, resolution="ok", substantiated=False)
    first = services.complaints_escalate_due()
    assert first["escalated"] == [late.pk]
    assert services.complaints_escalate_due()["escalated"] == []          # a re-run changes nothing
    late.refresh_from_db(), fresh.refresh_from_db()
    assert late.status == ComplaintStatus.ESCALATED and "passed" in late.escalation_reason
    assert fresh.status == ComplaintStatus.RECEIVED
    assert ComplaintEvent.objects.filter(complaint=late, step="auto_escalated", by=None).count() == 1
    audited = AuditEvent.objects.filter(action="complaint.escalate_due").values_list("object_ids", "user")
    assert list(audited) == [([str(late.pk), "CA001"], None)]


def test_manual_escalation_needs_a_reason(cast):
    c = _file(cast)
    with pytest.raises(ValidationError):
        services.complaint_escalate(user=cast.users["director_a"], complaint=c, reason=" ")
    services.complaint_escalate(user=cast.users["director_a"], complaint=c, reason="客户情绪激动")
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.ESCALATED


def test_the_advisor_concerned_never_owns_nor_resolves_and_advisors_do_not_handle(cast):
    c = _file(cast)
    with pytest.raises(PermissionDenied):      # an advisor registers but does not handle
        services.complaint_investigate(user=cast.users["alice"], complaint=c)
    # a director who is also Alice's advisor record would be judging themself
    two_hats = cast.users["alice"]
    two_hats.role, two_hats.branch = "director", cast.branches["A"]
    two_hats.save()
    assert not services.may_own(two_hats, c)
    with pytest.raises(ValidationError):
        services.complaint_assign(user=cast.users["director_a"], complaint=c, owner=two_hats)
    with pytest.raises(PermissionDenied):
        services.complaint_resolve(user=two_hats, complaint=c, resolution="不属实", substantiated=False)
    assert two_hats not in services.owner_candidates(c)
    # nor compliance, which reads but does not handle
    with pytest.raises(PermissionDenied):
        services.complaint_resolve(user=cast.users["compliance"], complaint=c, resolution="x", substantiated=False)


def test_complaints_and_their_steps_are_never_deleted(cast):
    c = _file(cast)
    with pytest.raises(KeptRecordError):
        c.delete()
    with pytest.raises(KeptRecordError):
        Complaint.objects.all().delete()
    with pytest.raises(KeptRecordError):
        ComplaintEvent.objects.filter(complaint=c).delete()
    assert c.retention == "complaint_20y"


def test_a_complaint_cannot_be_received_in_the_future_nor_without_words(cast):
    with pytest.raises(ValidationError):
        _file(cast, days_ago=-2)
    with pytest.raises(ValidationError):
        services.complaint_register(user=cast.users["alice"], client=cast.clients["CA001"], channel="phone",
                                    category="attitude", description="  ")
    with pytest.raises(PermissionDenied):
        _file(cast, who="compliance")


def test_the_command_escalates_what_is_due_and_says_how_many(cast):
    import json

    from typer.testing import CliRunner

    from panhuo.cli import app

    late = _file(cast, days_ago=20)
    runner = CliRunner()
    res = runner.invoke(app, ["complaints", "escalate-due", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["escalated"] == [late.pk]
    assert json.loads(runner.invoke(app, ["complaints", "escalate-due", "--json"]).stdout)["escalated"] == []
    early = (timezone.localdate() - timedelta(days=10)).isoformat()     # before the deadline had passed
    assert runner.invoke(app, ["complaints", "escalate-due", "--as-of", early]).exit_code == 0
    assert runner.invoke(app, ["complaints", "escalate-due", "--as-of", "yesterday"]).exit_code == 2
