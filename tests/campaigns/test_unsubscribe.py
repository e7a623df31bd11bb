"""Unsubscribe links: signed, expiring, and carrying no client code (a signed payload is readable base64)."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing
from django.urls import reverse

from panhuo.audit.models import AuditEvent
from panhuo.clients.consent import UNSUBSCRIBE_SALT, unsubscribe_token
from panhuo.clients.models import ConsentRecord, UnsubscribeKey

DAY = 86_400


def _payload(token: str) -> dict:
    """What anyone holding the link can read without the secret."""
    return json.loads(signing.b64_decode(token.split(":")[0].encode()))


def _issued_days_ago(monkeypatch, days: int, make):
    with monkeypatch.context() as m:
        m.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - days * DAY))
        return make()


def test_the_token_carries_no_client_code_only_a_random_key(branch_world):
    w0, w1 = branch_world.clients["W000"], branch_world.clients["W001"]
    token = unsubscribe_token(client=w0, channel="email")
    payload = _payload(token)
    assert "W000" not in token and set(payload) == {"k", "ch"} and payload["ch"] == "email"
    assert payload["k"] not in (w0.client_id, str(w0.pk), w0.phone) and len(payload["k"]) >= 20
    assert _payload(unsubscribe_token(client=w0, channel="email"))["k"] == payload["k"]      # one key per client
    assert _payload(unsubscribe_token(client=w1, channel="email"))["k"] != payload["k"]
    assert UnsubscribeKey.objects.count() == 2


def test_a_valid_link_unsubscribes(client, branch_world):
    url = reverse("campaigns:unsubscribe", args=[unsubscribe_token(client=branch_world.clients["W000"],
                                                                   channel="email")])
    assert client.get(url).status_code == 200 and not ConsentRecord.objects.exists()        # GET only asks
    assert client.post(url).status_code == 200
    rec = ConsentRecord.objects.get()
    assert (rec.client.client_id, rec.channel, rec.granted, rec.source) == ("W000", "email", False, "link")


def test_an_expired_link_is_refused_with_a_clear_page_and_the_wish_is_audited(client, branch_world, monkeypatch):
    token = _issued_days_ago(monkeypatch, 91, lambda: unsubscribe_token(client=branch_world.clients["W000"],
                                                                         channel="email"))
    url = reverse("campaigns:unsubscribe", args=[token])
    ask = client.get(url)
    assert ask.status_code == 410 and "此链接已过期" in ask.content.decode() and "90 天" in ask.content.decode()
    assert b"unsubscribe-form" not in ask.content
    assert b"unsubscribe-form" in client.get(reverse("campaigns:unsubscribe", args=[unsubscribe_token(
        client=branch_world.clients["W000"], channel="email")])).content             # a fresh link still asks
    assert client.post(url).status_code == 410 and not ConsentRecord.objects.exists()
    event = AuditEvent.objects.filter(action="consent.unsubscribe").latest("pk")
    assert (event.outcome, event.object_ids, event.detail["why"]) == ("rejected", ["W000"], "expired")


def test_the_validity_is_configurable(client, branch_world, monkeypatch):
    token = _issued_days_ago(monkeypatch, 91, lambda: unsubscribe_token(client=branch_world.clients["W000"],
                                                                         channel="email"))
    monkeypatch.setenv("PANHUO_UNSUBSCRIBE_DAYS", "120")
    assert client.post(reverse("campaigns:unsubscribe", args=[token])).status_code == 200
    assert ConsentRecord.objects.filter(client__client_id="W000", granted=False).exists()
    monkeypatch.setenv("PANHUO_UNSUBSCRIBE_DAYS", "30")
    fresh = _issued_days_ago(monkeypatch, 31, lambda: unsubscribe_token(client=branch_world.clients["W002"],
                                                                         channel="email"))
    assert client.post(reverse("campaigns:unsubscribe", args=[fresh])).status_code == 410


@pytest.mark.parametrize("forge", [
    lambda t: t[:-2] + ("xx" if not t.endswith("xx") else "yy"),                      # tampered signature
    lambda t: signing.dumps({"k": "no-such-key", "ch": "email"}, salt=UNSUBSCRIBE_SALT),   # names nobody
    lambda t: signing.dumps({"k": _payload(t)["k"], "ch": "email"}, salt="another.salt"),  # another purpose
])
def test_a_forged_link_is_refused(client, branch_world, forge):
    token = forge(unsubscribe_token(client=branch_world.clients["W000"], channel="email"))
    assert client.get(reverse("campaigns:unsubscribe", args=[token])).status_code == 400
    assert client.post(reverse("campaigns:unsubscribe", args=[token])).status_code == 400
    assert not ConsentRecord.objects.exists()


def test_a_link_mailed_before_the_change_is_honoured_until_it_expires(client, branch_world, monkeypatch):
    legacy = signing.dumps({"c": "W000", "ch": "email"}, salt=UNSUBSCRIBE_SALT, compress=True)
    assert client.post(reverse("campaigns:unsubscribe", args=[legacy])).status_code == 200
    old = _issued_days_ago(monkeypatch, 91, lambda: signing.dumps({"c": "W001", "ch": "email"},
                                                                   salt=UNSUBSCRIBE_SALT, compress=True))
    assert client.post(reverse("campaigns:unsubscribe", args=[old])).status_code == 410
    assert list(ConsentRecord.objects.values_list("client__client_id", flat=True)) == ["W000"]
