"""The market page and the switch card on the client 360 page: who sees what, who may send, what is audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Client, ConsentRecord, Contact, ContactPoint, MarketDay
from panhuo.clients.selectors import client_get_for_user
from panhuo.market.reasons import render
from tests.accounts.helpers import register_advisor
from tests.campaigns.servers import Gateway

DISCLOSURE_EN = "is not investment advice"


def _login(client, cast, name):
    client.force_login(cast.users[name])
    client.cookies["django_language"] = "en"      # English text in assertions; Chinese is the default
    return client


def test_routes_need_login(client, db):
    for path, method in (("/market/", client.get), ("/clients/CA001/switch/send/", client.post)):
        r = method(path)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


def test_page_before_the_first_run(client, cast):
    r = _login(client, cast, "bob").get("/market/")
    assert r.status_code == 200 and b"has not run" in r.content


def test_market_page_shows_gauge_chart_pools_and_report(client, cast, market_ran, sim_market):
    r = _login(client, cast, "bob").get(reverse("marketweb:market"))
    assert r.status_code == 200
    html = r.content.decode()
    day = MarketDay.objects.get()
    assert 'id="regime-gauge"' in html and f'class="seg {day.regime} on"' in html
    assert f"{day.position * 100:.0f}%" in html
    chart = json.loads(html.split('id="market-chart-data" type="application/json">')[1].split("</script>")[0])
    assert [s["symbol"] for s in chart["symbols"]] == ["000001.SH", "000300.SH"]
    assert chart["series"]["000300.SH"]["bands"] == day.charts["000300.SH"]["bands"]
    assert "marketweb/js/market.js" in html and "<script>" not in html          # no inline script
    for name, p in day.pools.items():
        assert f'data-model="{name}"' in html
        for e in p["entries"]:
            assert e["symbol"] in html and render(e["reason"], "en") in html
            assert render(e["reason"], "zh") not in html                   # English page, English reasons
    assert "registered investment advisors" in html and DISCLOSURE_EN in html
    assert 'id="model-report"' in html and ("not reproduced" in html or "consistent" in html)
    ev = AuditEvent.objects.get(action="market.view")
    assert ev.username == "bob" and ev.object_ids == [sim_market.end.isoformat()]
    client.cookies["django_language"] = "zh-hans"
    zh = client.get(reverse("marketweb:market")).content.decode()
    shown = [e for p in day.pools.values() for e in p["entries"]]
    assert shown and all(render(e["reason"], "zh") in zh for e in shown)


def test_switch_card_for_the_registered_advisor_of_the_client(client, cast, market_ran, sim_market):
    html = _login(client, cast, "alice").get("/clients/CA001/").content.decode()
    assert 'id="switch-suggestions"' in html and sim_market.weak_symbol in html
    assert reverse("marketweb:switch_send", args=["CA001"]) in html and DISCLOSURE_EN in html
    draft = cast.clients["CA001"].switch_draft
    for c in draft.candidates:
        assert c["symbol"] in html and render(c["reason"], "en") in html
    for w in draft.weak:
        assert "; ".join(render(r, "en") for r in w["reasons"]) in html
    client.cookies["django_language"] = "zh-hans"
    zh = client.get("/clients/CA001/").content.decode()
    for c in draft.candidates:
        assert render(c["reason"], "zh") in zh
    for w in draft.weak:
        assert "；".join(render(r, "zh") for r in w["reasons"]) in zh
    assert AuditEvent.objects.filter(action="client.view", object_ids=["CA001"]).exists()


def test_others_in_reach_see_it_read_only_and_out_of_reach_is_404(client, cast, market_ran, sim_market):
    html = _login(client, cast, "director_a").get("/clients/CA001/").content.decode()
    assert sim_market.weak_symbol in html and "Read only" in html
    assert reverse("marketweb:switch_send", args=["CA001"]) not in html
    assert _login(client, cast, "bob").get("/clients/CA001/").status_code == 404
    assert _login(client, cast, "charlie").get("/clients/CA001/").status_code == 404


@pytest.fixture
def gateway(monkeypatch):
    """The branch's SMS gateway (a local one), configured as the web process reads it: from the environment."""
    with Gateway() as gw:
        monkeypatch.setenv("PANHUO_SMS_URL", gw.url)
        monkeypatch.delenv("PANHUO_SMTP_HOST", raising=False)
        yield gw


def test_only_a_registered_advisor_sends_and_it_reaches_the_client(client, cast, market_ran, sim_market, gateway):
    url = reverse("marketweb:switch_send", args=["CA001"])
    assert _login(client, cast, "charlie").post(url).status_code == 404          # out of reach: not revealed
    r = _login(client, cast, "director_a").post(url)                            # in reach, not registered
    assert r.status_code == 403 and b"only a registered investment advisor" in r.content
    assert not AuditEvent.objects.filter(action="market.switch_send").exists()  # nothing sent, no contact
    assert gateway.messages == [] and not Contact.objects.exists()
    r = _login(client, cast, "alice").post(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"Sent by SMS" in r.content and b"logged as a contact" in r.content
    draft = cast.clients["CA001"].switch_draft
    day = MarketDay.objects.get()
    # the message: to the client's phone, naming the advisor, every candidate with its model and date, the
    # models' source and date, the risk warning and the opt-out line
    (msg,) = gateway.messages
    assert msg["to"] == cast.clients["CA001"].phone and msg["key"] == f"switch-CA001-{draft.date:%Y%m%d}-sms"
    text = msg["text"]
    assert text.startswith(cast.clients["CA001"].name) and "证券投资顾问" in text
    for c in draft.candidates:
        assert f"{c['symbol']}，{day.pools[c['model']]['zh']}，{c['date']}" in text
    assert f"数据日期{draft.date:%Y-%m-%d}" in text and draft.disclosure in text and text.endswith("回复TD退订")
    contact = Contact.objects.get(client=cast.clients["CA001"])
    assert (contact.channel, contact.outcome, contact.by, contact.advisor) == (
        "sms", "reached", cast.users["alice"], cast.clients["CA001"].advisor)
    ev = AuditEvent.objects.get(action="market.switch_send")
    assert ev.username == "alice" and ev.object_ids == ["CA001"] and ev.outcome == "ok"
    assert ev.detail["date"] == sim_market.end.isoformat() and ev.detail["models"] == draft.model_names
    assert ev.detail["weak"] == [sim_market.weak_symbol] and ev.detail["channel"] == "sms"
    assert ev.detail["contact"] == contact.pk and ev.detail["provider_id"] == "m1"
    assert [c["symbol"] for c in ev.detail["candidates"]] == [c["symbol"] for c in draft.candidates]
    assert all(c["model"] and c["date"] for c in ev.detail["candidates"]) and ev.detail["disclosure"]
    assert b"Last sent" in client.get("/clients/CA001/").content
    again = client.post(url)                     # the same day's suggestion does not go out twice
    assert b"Not sent again" in again.content and len(gateway.messages) == 1 and Contact.objects.count() == 1


def _refused(client, cast, gateway) -> str:
    r = _login(client, cast, "alice").post(reverse("marketweb:switch_send", args=["CA001"]))
    assert r.status_code == 200 and b"Nothing was sent." in r.content
    assert gateway.messages == [] and not Contact.objects.exists()
    ev = AuditEvent.objects.get(action="market.switch_send")
    assert ev.outcome == "refused" and ev.username == "alice"
    assert b"Last sent" not in client.get("/clients/CA001/").content
    return r.content.decode()


def test_a_client_who_asked_not_to_be_contacted_gets_nothing(client, cast, market_ran, gateway):
    Client.objects.filter(client_id="CA001").update(do_not_contact=True)
    assert "the client asked not to be contacted" in _refused(client, cast, gateway)
    assert AuditEvent.objects.get(action="market.switch_send").detail["reason"] == "do_not_contact"


def test_no_channel_says_why_for_each_channel(client, cast, market_ran, gateway):
    ConsentRecord.objects.create(client=cast.clients["CA001"], channel="sms", granted=False, source="reply",
                                 at=timezone.now())
    html = _refused(client, cast, gateway)
    assert "no message channel can reach the client" in html
    assert "SMS: the client refused messages on this channel" in html and "Email: no address on file" in html
    assert AuditEvent.objects.get(action="market.switch_send").detail["channels"] == {"sms": "refused",
                                                                                        "email": "no_address"}


def test_no_gateway_configured_is_said_so(client, cast, market_ran, monkeypatch):
    monkeypatch.delenv("PANHUO_SMS_URL", raising=False)
    monkeypatch.delenv("PANHUO_SMTP_HOST", raising=False)
    r = _login(client, cast, "alice").post(reverse("marketweb:switch_send", args=["CA001"]))
    assert b"SMS: the branch has not configured this channel" in r.content and not Contact.objects.exists()


def test_a_gateway_refusal_is_logged_as_a_contact_not_reached(client, cast, market_ran, gateway):
    gateway.fail_next, gateway.fail_status = 1, 400
    r = _login(client, cast, "alice").post(reverse("marketweb:switch_send", args=["CA001"]))
    assert r.status_code == 200 and b"Not delivered by SMS" in r.content and b"gateway answered 400" in r.content
    contact = Contact.objects.get()
    assert (contact.channel, contact.outcome) == ("sms", "not_reached")
    assert AuditEvent.objects.get(action="market.switch_send").outcome == "failed"
    assert b"Last sent" not in client.get("/clients/CA001/").content
    assert b"Sent by SMS" in client.post(reverse("marketweb:switch_send", args=["CA001"])).content   # retry


class Recorder:
    """A sender that keeps what it is given."""

    def __init__(self, channel: str):
        self.channel, self.dedupes, self.sent = channel, channel == "sms", []

    def send(self, *, to, text, key, subject=""):
        self.sent.append({"to": to, "text": text, "key": key})
        return f"{self.channel}-{len(self.sent)}"


def test_a_channel_the_client_granted_comes_first_and_an_email_carries_an_unsubscribe_link(cast, market_ran):
    from panhuo.marketweb.services import switch_send

    ca001 = cast.clients["CA001"]
    ContactPoint.objects.create(client=ca001, channel="email", address="ca001@example.com")
    ConsentRecord.objects.create(client=ca001, channel="email", granted=True, source="advisor", at=timezone.now())
    senders = {"sms": Recorder("sms"), "email": Recorder("email")}
    sent = switch_send(user=cast.users["alice"], client=client_get_for_user(user=cast.users["alice"], client_id="CA001"), senders=senders)
    assert sent.channel == "email" and sent.delivered and senders["sms"].sent == []
    (mail,) = senders["email"].sent
    assert mail["to"] == "ca001@example.com" and "退订 / Unsubscribe: http" in mail["text"]
    link = mail["text"].split("Unsubscribe: ")[1]
    assert "/unsubscribe/" in link and "CA001" not in link             # a signed token, no account number
    assert sent.contact.channel == "email" and sent.event.detail["channel"] == "email"


def test_a_registered_advisor_cannot_send_for_another_advisors_client(client, cast, market_ran):
    charlie = cast.users["charlie"]
    register_advisor(charlie)
    assert _login(client, cast, "charlie").post(reverse("marketweb:switch_send", args=["CA001"])).status_code == 404
    assert not AuditEvent.objects.filter(action="market.switch_send").exists()


@pytest.mark.parametrize("username", ["compliance"])
def test_read_only_roles_never_send(client, cast, market_ran, username):
    user = cast.users[username]
    register_advisor(user)                  # even if registered, compliance changes nothing
    r = _login(client, cast, username).post(reverse("marketweb:switch_send", args=["CA001"]))
    assert r.status_code == 403 and not AuditEvent.objects.filter(action="market.switch_send").exists()


def test_nothing_to_send_is_a_400(client, cast, market_ran):
    """CA002 holds nothing, so it has no draft."""
    r = _login(client, cast, "alice").post(reverse("marketweb:switch_send", args=["CA002"]))
    assert r.status_code == 400 and not AuditEvent.objects.filter(action="market.switch_send").exists()


def test_the_web_process_does_not_load_the_compiler():
    """The pages read stored rows; numba (market.kernels, the backtest loop) is for the daily step only."""
    import os
    import subprocess
    import sys

    code = ("import sys, django; django.setup(); import panhuo.urls, panhuo.marketweb.views; "
            "print('numba' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "DJANGO_SETTINGS_MODULE": "panhuo.settings"})
    assert r.stdout.strip().splitlines()[-1] == "False"
