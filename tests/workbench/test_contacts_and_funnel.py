"""Logging contacts: outcomes move the funnel A → B; trades (via the stored series) confirm C and D."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Client, ClientFunnel, ClientSeries, FunnelEvent, Task
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.funnel import funnel_confirm_from_trades
from panhuo.workbench.services.tasks import tasks_generate


def _log(world, cid, outcome, user="alice", **kw):
    return contact_log(user=world.users[user], client=client_get_for_user(user=world.users[user], client_id=cid), channel="phone", outcome=outcome, **kw)


def test_reached_puts_the_client_in_a_and_interested_moves_to_b_never_back(world):
    f = ClientFunnel.objects.get(client__client_id="CA001")
    assert (f.stage, f.track) == ("A", "normal")
    _log(world, "CA001", "interested")
    _log(world, "CA001", "reached")
    _log(world, "CA001", "declined")
    f.refresh_from_db()
    assert f.stage == "B" and f.b_on == timezone.localdate()
    assert list(FunnelEvent.objects.filter(client=f.client).values_list("stage", "source")) == [
        ("A", "contact"), ("B", "contact")]


def test_the_track_is_dormant_for_a_dormant_client(world):
    # CA003 is dormant in the world's snapshots (every third client) and now bob's.
    assert ClientFunnel.objects.get(client__client_id="CA003").track == "dormant"


def test_no_outcome_reaches_c_or_d_by_hand(world):
    for outcome in ("interested", "reached", "interested"):
        _log(world, "CA002", outcome)
    assert ClientFunnel.objects.get(client__client_id="CA002").stage == "B"


def _series(cid, trade_days=(), transfers=()):
    ClientSeries.objects.filter(client__client_id=cid).update(trade_days=list(trade_days),
                                                              transfers=[list(t) for t in transfers])


def test_trades_confirm_c_then_d_on_a_second_trading_day(world):
    _log(world, "CA001", "interested")
    b = timezone.localdate()
    _series("CA001", trade_days=[str(b - timedelta(days=3)), str(b + timedelta(days=2)), str(b + timedelta(days=9))])
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=1)) == {"C": 0, "D": 0}   # the trade is not yet
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=5)) == {"C": 1, "D": 0}
    f = ClientFunnel.objects.get(client__client_id="CA001")
    assert (f.stage, f.c_on) == ("C", b + timedelta(days=2))
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=10)) == {"C": 0, "D": 1}
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=10)) == {"C": 0, "D": 0}   # idempotent
    events = list(FunnelEvent.objects.filter(client=f.client).values_list("stage", "source", "on"))
    assert events[-2:] == [("C", "trade", b + timedelta(days=2)), ("D", "trade", b + timedelta(days=9))]


def test_money_added_after_c_confirms_d_and_trades_before_b_do_not_count(world):
    _log(world, "CA002", "interested")
    b = timezone.localdate()
    _series("CA002", trade_days=[str(b - timedelta(days=1)), str(b + timedelta(days=1))],
            transfers=[(str(b + timedelta(days=3)), "in", 50_000.0), (str(b + timedelta(days=4)), "out", 10_000.0)])
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=6)) == {"C": 1, "D": 1}
    f = ClientFunnel.objects.get(client__client_id="CA002")
    assert (f.stage, f.since) == ("D", b + timedelta(days=3))


def test_a_second_trade_outside_the_window_is_not_d(world):
    _log(world, "CA001", "interested")
    b = timezone.localdate()
    _series("CA001", trade_days=[str(b + timedelta(days=1)), str(b + timedelta(days=40))])
    assert funnel_confirm_from_trades(as_of=b + timedelta(days=45)) == {"C": 1, "D": 0}


def test_do_not_contact_sets_the_flag_closes_tasks_and_stops_new_ones(world):
    assert Task.objects.filter(client__client_id="CA001", status="open").exists()
    _log(world, "CA001", "do_not_contact", next_follow_up=timezone.localdate() + timedelta(days=2))
    assert Client.objects.get(client_id="CA001").do_not_contact
    assert not Task.objects.filter(client__client_id="CA001", status__in=["open", "snoozed"]).exists()
    tasks_generate(as_of=timezone.localdate())
    assert not Task.objects.filter(client__client_id="CA001", status__in=["open", "snoozed"]).exists()


def test_a_follow_up_date_makes_a_follow_up_task_and_a_past_date_is_refused(world):
    day = timezone.localdate() + timedelta(days=5)
    contact = _log(world, "CA002", "reached", next_follow_up=day)
    task = Task.objects.get(client__client_id="CA002", kind="follow_up", status="open")
    assert (task.due, task.source_contact_id) == (day, contact.pk)
    with pytest.raises(ValidationError):
        _log(world, "CA002", "reached", next_follow_up=date(2020, 1, 1))


def test_compliance_reads_but_cannot_log_and_every_contact_is_audited(world):
    with pytest.raises(PermissionDenied):
        _log(world, "CA001", "reached", user="compliance")
    _log(world, "CA001", "interested")
    ev = AuditEvent.objects.filter(action="contact.log", object_ids=["CA001"]).first()
    assert ev.username == "alice" and ev.role == "advisor" and ev.detail["stage"] == "B"


def test_logging_through_the_page_in_two_clicks(world, client):
    """From Today: open the form (one click), press an outcome button (the second); HTMX gets a partial."""
    client.force_login(world.users["alice"])
    task = Task.objects.filter(client__client_id="CA002", status="open").order_by("-priority").first()
    form = client.get(f"/clients/CA002/contact/?task={task.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="outcome" value="interested"' in form and f'value="{task.pk}"' in form
    r = client.post("/clients/CA002/contact/", {"channel": "phone", "outcome": "interested", "task_id": task.pk,
                                                "note": "想了解基金"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"contact-logged" in r.content
    task.refresh_from_db()
    assert task.status == "done"
    page = client.get("/clients/CA002/").content.decode()
    assert "想了解基金" in page and 'class="tag stage"' in page
