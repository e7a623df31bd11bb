"""`panhuo campaign run-due`: due steps sent on schedule against the local SMS / SMTP servers, with quiet hours,
the contact cap, opt-outs and idempotency keys respected."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from panhuo.campaigns.models import Campaign, SendAttempt
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.schedule import campaigns_run_due, due_steps
from panhuo.clients.consent import consent_sms_reply
from panhuo.clients.models import ContactPoint
from panhuo.outreach.senders import SmsHttpSender, SmtpSender

from .conftest import SMS_SCRIPT
from .servers import Gateway, SmtpSink

pytest.importorskip("aiosmtpd")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def _campaign(world, **extra):
    kw = {"channels": ["sms", "email"], "step_days": [0, 7], **extra}
    c = campaign_create(user=world.users["director_a"], name="两步提醒",
                        rules=[{"field": "risk_level", "op": "in", "value": ["C3", "C4"]}],
                        script=SMS_SCRIPT, seed=3, control_share=0.25, start=NOON.date(), **kw)
    for cid, client in world.clients.items():
        ContactPoint.objects.get_or_create(client=client, channel="email", address=f"{cid.lower()}@example.com")
    campaign_launch(user=world.users["director_a"], campaign_id=c.pk)
    return Campaign.objects.get(pk=c.pk)


def test_due_steps_follow_the_start_and_stop_at_the_end():
    c = Campaign(start=date(2026, 11, 20), step_days=[0, 7], launched_at=NOON)
    assert due_steps(c, date(2026, 11, 19)) == []
    assert due_steps(c, date(2026, 11, 20)) == [1]
    assert due_steps(c, date(2026, 11, 26)) == [1]
    assert due_steps(c, date(2026, 11, 27)) == [2]     # only the latest: after a gap, never two steps at once
    c.end = date(2026, 11, 25)
    assert due_steps(c, date(2026, 11, 25)) == [1]
    assert due_steps(c, date(2026, 11, 26)) == []      # nothing after the end, not even a step never sent
    assert due_steps(c, date(2027, 2, 1)) == []
    assert due_steps(Campaign(start=date(2026, 11, 20), step_days=[0]), date(2026, 12, 1)) == []   # not launched


def test_run_due_sends_each_step_once_on_its_day_and_reads_opt_outs_at_send_time(branch_world):
    c = _campaign(branch_world, client_cap_contacts=5)
    treated = list(c.members.filter(group="treatment").select_related("client"))
    with Gateway() as gw, SmtpSink() as smtp:
        senders = {"sms": SmsHttpSender(url=gw.url, sign="盘活证券"),
                   "email": SmtpSender(host="127.0.0.1", port=smtp.port, from_addr="branch@example.com")}
        assert campaigns_run_due(senders=senders, now=NOON - timedelta(days=1)) == []     # before the start
        (first,) = campaigns_run_due(senders=senders, now=NOON)
        assert (first["step"], first["sent"]) == (1, 2 * len(treated))
        (again,) = campaigns_run_due(senders=senders, now=NOON + timedelta(hours=1))
        assert again["sent"] == 0 and again["already"] == 2 * len(treated)
        consent_sms_reply(phone=treated[0].client.phone, text="TD")
        rows = campaigns_run_due(senders=senders, now=NOON + timedelta(days=7))
        step2 = next(r for r in rows if r["step"] == 2)
        assert step2["sent"] == 2 * len(treated) - 1 and step2["skipped"] == 1
        assert len(gw.messages) == 2 * len(treated) - 1 and len(smtp.messages) == 2 * len(treated)
    keys = list(SendAttempt.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 4 * len(treated)
    assert SendAttempt.objects.get(member=treated[0], step=2, channel="sms").error == "opted_out"


def test_run_due_waits_outside_contact_hours_and_respects_the_contact_cap(branch_world):
    c = _campaign(branch_world)                            # at most 2 contacts per client in 30 days
    treated = c.members.filter(group="treatment").count()
    night = NOON.replace(hour=22)
    with Gateway() as gw, SmtpSink() as smtp:
        senders = {"sms": SmsHttpSender(url=gw.url), "email": SmtpSender(host="127.0.0.1", port=smtp.port)}
        (deferred,) = campaigns_run_due(senders=senders, now=night)
        assert deferred["deferred"] == 2 * treated and gw.requests == 0 and not SendAttempt.objects.exists()
        campaigns_run_due(senders=senders, now=NOON)       # step 1: SMS and email, two contacts each
        step2 = next(r for r in campaigns_run_due(senders=senders, now=NOON + timedelta(days=7)) if r["step"] == 2)
        assert step2["capped"] == 2 * treated and step2["sent"] == 0 and len(gw.messages) == treated
    assert SendAttempt.objects.filter(step=2, error="contact_cap").count() == 2 * treated


def test_run_due_command(branch_world, monkeypatch):
    import panhuo.cli  # noqa: F401  (registers the commands)
    from panhuo.cli.app import app

    c = _campaign(branch_world)
    treated = c.members.filter(group="treatment").count()
    monkeypatch.delenv("PANHUO_SMTP_HOST", raising=False)
    with Gateway() as gw:
        monkeypatch.setenv("PANHUO_SMS_URL", gw.url)
        res = CliRunner().invoke(app, ["campaign", "run-due", "--now", "2026-11-20T10:00", "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        assert out["sent"] == treated == len(gw.messages) and out["steps"][0]["campaign"] == c.pk
        bad = CliRunner().invoke(app, ["campaign", "run-due", "--now", "soon", "--json"])
        assert bad.exit_code == 2


def test_undelivered_messages_do_not_use_up_the_contact_cap(branch_world):
    """A gateway outage over several runs must not mark clients 'capped': they were never reached."""
    c = _campaign(branch_world, channels=["sms"], step_days=[0])      # cap: 2 contacts in 30 days
    treated = c.members.filter(group="treatment").count()
    with Gateway() as gw:
        senders = {"sms": SmsHttpSender(url=gw.url)}
        for hour in (9, 10, 11):                                       # three runs in the outage
            gw.fail_next = 10 * treated
            (row,) = campaigns_run_due(senders=senders, now=NOON.replace(hour=hour))
            assert row["failed"] == treated and row["capped"] == 0
        gw.fail_next = 0
        (row,) = campaigns_run_due(senders=senders, now=NOON.replace(hour=13))
        assert row["sent"] == treated == len(gw.messages) and row["capped"] == 0


def test_a_try_claimed_by_an_overlapping_run_is_not_sent_again(branch_world):
    """Two runs that read the same attempt: only the one that moves `tries` on sends."""
    from panhuo.campaigns.services import send

    c = _campaign(branch_world, channels=["sms"], step_days=[0])
    m = c.members.filter(group="treatment").select_related("client").first()
    with Gateway() as gw:
        sender = SmsHttpSender(url=gw.url)
        stale, _ = send._claim(c, m, "sms", 1)                          # run B read the row…
        SendAttempt.objects.filter(pk=stale.pk).update(tries=1)         # …then run A claimed the try
        real_claim = send._claim
        send._claim = lambda *a: (stale, False)
        try:
            assert send._send_one(c, m, "sms", 1, sender, "", NOON) == "already"
        finally:
            send._claim = real_claim
        assert gw.requests == 0


def test_step_days_must_be_increasing_whole_days(branch_world):
    from django.core.exceptions import ValidationError

    from panhuo.campaigns.services.launch import step_days_valid

    assert step_days_valid([0, 7, 14]) and step_days_valid(None) and step_days_valid([])
    for bad in (["7"], [-1], [0, 0], [7, 3], [True], [1.5], "0,7"):
        assert not step_days_valid(bad), bad
    with pytest.raises(ValidationError):
        _campaign(branch_world, step_days=[0, 0])
