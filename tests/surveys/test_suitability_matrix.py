"""The firm's C×R matrix, checked where a recommendation reaches a client: a campaign's target, the send of a
switch suggestion, a pool shown for a client (the switch card). Nobody gets anything above their level."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from panhuo.campaigns.models import CampaignMember
from panhuo.campaigns.services.launch import campaign_create, campaign_launch
from panhuo.campaigns.services.review import script_approve, scripts_submit
from panhuo.clients.models import ClientSnapshot, SuitabilityRecord
from panhuo.marketweb.models import SwitchDraft
from tests.accounts.helpers import register_advisor

from .conftest import Recorder, assess

LEVELS = ["C1", "C2", "C3", "C4", "C5"]
RISKS = ["R1", "R2", "R3", "R4", "R5"]
PLACES = ["campaign_target", "switch_send", "pool_for_client"]
SCRIPT = "{name}您好，好久没见您来营业部了，最近有一场投资者教育讲座，想邀请您参加。投资有风险，入市需谨慎。"


def _matches(level: str, risk: str) -> bool:
    return int(risk[1]) <= int(level[1])


def _draft(client):
    return SwitchDraft.objects.create(
        client=client, date=timezone.localdate(), regime="weak", model_names=["rebound"], notes=[],
        disclosure="以上内容仅供参考，不构成投资建议。投资有风险，入市需谨慎。",
        weak=[{"symbol": "600001.SH", "name": "弱势股", "reasons": []}],
        candidates=[{"model": "rebound", "model_zh": "反弹", "date": "2026-12-01", "symbol": "600002.SH",
                     "name": "候选股", "rank": 1}])


def _at_place(place: str, cast, client, risk: str, monkeypatch) -> bool:
    """Was the product of `risk` allowed to reach `client` at `place`?"""
    if place == "campaign_target":
        # A C5 client beside the one checked, so the launch always has a member and commits.
        for c in (client, assess(cast.clients["CA002"], "C5")):
            ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 20), lifecycle="dormant", is_dormant=True)
        c = campaign_create(user=cast.users["director_a"], name="适当性", channels=["phone"], script=SCRIPT, seed=1,
                            rules=[{"field": "lifecycle", "op": "eq", "value": "dormant"}], product_risk=risk,
                            control_share=0.5)
        for r in scripts_submit(user=cast.users["director_a"], campaign=c):   # compliance approves the script first
            script_approve(user=cast.users["compliance"], review_id=r.pk)
        campaign_launch(user=cast.users["director_a"], campaign_id=c.pk)
        return CampaignMember.objects.get(campaign=c, client=client).exclusion_reason == ""
    # The switch card and its send: the candidate's risk as the core computes it, fixed here to `risk`.
    monkeypatch.setattr("panhuo.marketweb.services.product_risk_of_stock", lambda *a, **k: risk)
    monkeypatch.setattr("panhuo.marketweb.selectors.product_risk_of_stock", lambda *a, **k: risk)
    _draft(client)
    if place == "pool_for_client":
        from panhuo.marketweb.selectors import switch_for_client

        return switch_for_client(client=client)["candidates"][0]["suitable"]
    from panhuo.marketweb.services import SendRefused, switch_send

    alice = cast.users["alice"]
    register_advisor(alice)
    try:
        switch_send(user=alice, client=client, senders={"sms": Recorder("sms")})
    except SendRefused as exc:
        assert exc.code in ("suitability", "risk_assessment_expired")
        return False
    return True


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("level", LEVELS)
def test_nobody_is_recommended_above_their_level(cast, monkeypatch, level, risk, place):
    client = assess(cast.clients["CA001"], level)
    assert _at_place(place, cast, client, risk, monkeypatch) is _matches(level, risk)
    # and the check is on record, match or not, with the level it was made at
    rec = SuitabilityRecord.objects.filter(client=client, place=place).latest("id")
    assert (rec.client_level, rec.product_risk, rec.allowed) == (level, risk, _matches(level, risk))


@pytest.mark.parametrize("place", PLACES)
def test_an_expired_assessment_blocks_everywhere_until_renewed(cast, monkeypatch, settings, place):
    settings.PANHUO_RISK_ASSESSMENT_VALID_YEARS = 2
    today = timezone.localdate()
    client = assess(cast.clients["CA001"], "C5", date(today.year - 2, today.month, min(today.day, 28)))
    assert _at_place(place, cast, client, "R1", monkeypatch) is False
    rec = SuitabilityRecord.objects.filter(client=client, place=place).latest("id")
    assert rec.reasons == ["assessment_expired"] and not rec.allowed


def test_an_expired_assessment_is_said_so_on_the_switch_send(cast, monkeypatch):
    from panhuo.marketweb.services import SendRefused, switch_send

    client = assess(cast.clients["CA001"], "C5", date(2020, 1, 2))
    _draft(client)
    alice = cast.users["alice"]
    register_advisor(alice)
    with pytest.raises(SendRefused) as exc:
        switch_send(user=alice, client=client, senders={"sms": Recorder("sms")})
    assert exc.value.code == "risk_assessment_expired"


def test_a_never_assessed_client_gets_nothing(cast):
    from panhuo.clients.suitability import suitability_check

    d = suitability_check(client=assess(cast.clients["CA001"], None), product_risk="R1")
    assert not d.allowed and d.reasons == ["not_assessed"]


def test_a_campaign_records_its_expired_members_with_their_own_reason(cast):
    client = assess(cast.clients["CA001"], "C5", date(2020, 1, 2))
    other = assess(cast.clients["CA002"], "C5")
    for c in (client, other):
        ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 20), lifecycle="dormant", is_dormant=True)
    camp = campaign_create(user=cast.users["director_a"], name="适当性", channels=["phone"], script=SCRIPT, seed=1,
                           rules=[{"field": "lifecycle", "op": "eq", "value": "dormant"}], product_risk="R2",
                           control_share=0.5)
    for r in scripts_submit(user=cast.users["director_a"], campaign=camp):    # compliance approves the script first
        script_approve(user=cast.users["compliance"], review_id=r.pk)
    campaign_launch(user=cast.users["director_a"], campaign_id=camp.pk)
    m = CampaignMember.objects.get(campaign=camp, client=client)
    assert m.exclusion_reason == "risk_assessment_expired"
