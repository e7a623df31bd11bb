"""Sending against local servers: consent at send time, quiet hours, idempotency across a crash, contacts."""

from __future__ import annotations

from datetime import datetime, time
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest

from panhuo.campaigns.models import SendAttempt
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.send import campaign_send_step
from panhuo.clients.consent import consent_sms_reply
from panhuo.clients.models import Contact, ContactPoint
from panhuo.outreach.senders import SendError, SmsHttpSender, SmtpSender

from .conftest import SMS_SCRIPT
from .servers import Gateway, SmtpSink

pytest.importorskip("aiosmtpd")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Crash(Exception):
    pass


class CrashAfterSend:
    """Wraps a sender: the provider accepts the message, then our process dies before recording it."""

    def __init__(self, inner):
        self.inner, self.channel, self.dedupes = inner, inner.channel, inner.dedupes

    def send(self, **kw):
        self.inner.send(**kw)
        raise Crash


@pytest.fixture
def campaign(branch_world):
    w = branch_world
    c = campaign_create(user=w.users["director_a"], name="讲座邀请", rules=[{"field": "risk_level", "op": "in",
                                                                          "value": ["C3", "C4"]}],
                        channels=["sms", "email"], script=SMS_SCRIPT, seed=3, control_share=0.25)
    for cid, client in w.clients.items():
        ContactPoint.objects.create(client=client, channel="email", address=f"{cid.lower()}@example.com")
    campaign_launch(user=w.users["director_a"], campaign_id=c.pk)
    return c


def test_sms_gateway_sender_contract():
    with Gateway() as gw:
        s = SmsHttpSender(url=gw.url, api_key="k1", sign="盘活证券")
        assert s.send(to="13900000000", text="hi", key="a") == "m1"
        assert s.send(to="13900000000", text="hi", key="a") == "m1" and len(gw.messages) == 1
        assert gw.messages[0]["auth"] == "Bearer k1" and gw.messages[0]["sign"] == "盘活证券"
        gw.fail_next, gw.fail_status = 1, 400
        with pytest.raises(SendError) as e:
            s.send(to="1", text="x", key="b")
        assert e.value.permanent
    with pytest.raises(SendError):                     # the server is gone
        SmsHttpSender(url=gw.url, timeout=1).send(to="1", text="x", key="c")


def test_send_step_sends_each_message_once_and_logs_contacts(campaign, branch_world):
    treated = campaign.members.filter(group="treatment").count()
    with Gateway() as gw, SmtpSink() as smtp:
        senders = {"sms": SmsHttpSender(url=gw.url, sign="盘活证券"),
                   "email": SmtpSender(host="127.0.0.1", port=smtp.port, from_addr="branch@example.com")}
        first = campaign_send_step(campaign_id=campaign.pk, step=1, senders=senders, now=NOON)
        again = campaign_send_step(campaign_id=campaign.pk, step=1, senders=senders, now=NOON)
        assert first["sent"] == 2 * treated and again["already"] == 2 * treated and again["sent"] == 0
        assert len(gw.messages) == treated and len(smtp.messages) == treated
        mail = message_from_bytes(smtp.messages[0].content, policy=default)
        assert "/unsubscribe/" in mail.get_content() and mail["Message-ID"].startswith("<")
        assert "{name}" not in gw.messages[0]["text"] and "客户W" in gw.messages[0]["text"]
    assert Contact.objects.filter(channel="sms", outcome="reached").count() == treated
    assert SendAttempt.objects.filter(status="sent").count() == 2 * treated


def test_an_opt_out_takes_effect_before_the_next_send(campaign, branch_world):
    m = campaign.members.filter(group="treatment").select_related("client").first()
    consent_sms_reply(phone=m.client.phone, text=" 退订 ")
    assert consent_sms_reply(phone=m.client.phone, text="谢谢") == []
    with Gateway() as gw:
        res = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": SmsHttpSender(url=gw.url)}, now=NOON)
        assert m.client.phone not in [x["to"] for x in gw.messages]
    assert res["skipped"] == 1
    assert SendAttempt.objects.get(member=m, channel="sms").error == "opted_out"


def test_quiet_hours_defer_everything(campaign):
    night = datetime(2026, 11, 20, 21, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with Gateway() as gw:
        res = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": SmsHttpSender(url=gw.url)}, now=night)
        assert res["sent"] == 0 and res["deferred"] > 0 and gw.requests == 0
    assert campaign.quiet_start == time(8, 0)


def test_a_retry_after_a_crash_never_sends_twice(campaign):
    treated = campaign.members.filter(group="treatment").count()
    with Gateway() as gw, SmtpSink() as smtp:
        sms, email = SmsHttpSender(url=gw.url), SmtpSender(host="127.0.0.1", port=smtp.port)
        with pytest.raises(Crash):
            campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": CrashAfterSend(sms)}, now=NOON)
        with pytest.raises(Crash):
            campaign_send_step(campaign_id=campaign.pk, step=1, senders={"email": CrashAfterSend(email)}, now=NOON)
        res = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": sms, "email": email}, now=NOON)
        # SMS: the gateway recognises the key, so the retry completes without a second message
        assert len(gw.messages) == treated and gw.requests == treated + 1
        # email: the one that may have gone out is left for review, never re-sent
        assert res["review"] == 1 and len(smtp.messages) == treated
    assert len(set(SendAttempt.objects.values_list("idempotency_key", flat=True))) == SendAttempt.objects.count()


def test_a_gateway_failure_is_logged_and_retried_later(campaign):
    with Gateway() as gw:
        gw.fail_next = 1
        first = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": SmsHttpSender(url=gw.url)},
                                   now=NOON)
        assert first["failed"] == 1
        assert Contact.objects.filter(channel="sms", outcome="not_reached").count() == 1
        second = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": SmsHttpSender(url=gw.url)},
                                    now=NOON)
        assert second["sent"] == 1 and second["already"] == first["sent"]


def test_a_client_drawn_into_the_branch_holdout_after_launch_is_not_invited(campaign, branch_world):
    from panhuo.clients.models import HoldoutDraw, HoldoutMember

    m = campaign.members.filter(group="treatment").select_related("client").first()
    draw = HoldoutDraw.objects.create(branch=branch_world.branches["A"], start=NOON.date(),
                                      end=NOON.date().replace(year=2027), share=0.05, seed=1)
    HoldoutMember.objects.create(draw=draw, client=m.client)
    with Gateway() as gw:
        res = campaign_send_step(campaign_id=campaign.pk, step=1, senders={"sms": SmsHttpSender(url=gw.url)}, now=NOON)
        assert m.client.phone not in [x["to"] for x in gw.messages] and gw.messages
    assert res["skipped"] == 1
    assert SendAttempt.objects.get(member=m, channel="sms").error == "holdout"
