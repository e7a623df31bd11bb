"""The market page and the switch card on the client 360 page: who sees what, who may send, what is audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from panhuo.audit.models import AuditEvent
from panhuo.market.reasons import render
from panhuo.marketweb.models import MarketDay

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


def test_only_a_registered_advisor_sends_and_the_send_is_audited(client, cast, market_ran, sim_market):
    url = reverse("marketweb:switch_send", args=["CA001"])
    before = AuditEvent.objects.count()
    assert _login(client, cast, "charlie").post(url).status_code == 404          # out of reach: not revealed
    assert _login(client, cast, "director_a").post(url).status_code == 403       # in reach, not registered
    assert AuditEvent.objects.count() == before                                  # nothing written
    r = _login(client, cast, "alice").post(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"audit trail" in r.content
    ev = AuditEvent.objects.get(action="market.switch_send")
    draft = cast.clients["CA001"].switch_draft
    assert ev.username == "alice" and ev.object_ids == ["CA001"]
    assert ev.detail["date"] == sim_market.end.isoformat() and ev.detail["models"] == draft.model_names
    assert ev.detail["weak"] == [sim_market.weak_symbol]
    assert [c["symbol"] for c in ev.detail["candidates"]] == [c["symbol"] for c in draft.candidates]
    assert all(c["model"] and c["date"] for c in ev.detail["candidates"]) and ev.detail["disclosure"]
    assert b"Last sent" in client.get("/clients/CA001/").content


def test_a_registered_advisor_cannot_send_for_another_advisors_client(client, cast, market_ran):
    charlie = cast.users["charlie"]
    charlie.is_registered_advisor = True
    charlie.save()
    assert _login(client, cast, "charlie").post(reverse("marketweb:switch_send", args=["CA001"])).status_code == 404
    assert not AuditEvent.objects.filter(action="market.switch_send").exists()


@pytest.mark.parametrize("username", ["compliance"])
def test_read_only_roles_never_send(client, cast, market_ran, username):
    user = cast.users[username]
    user.is_registered_advisor = True       # even if so marked, compliance changes nothing
    user.save()
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
