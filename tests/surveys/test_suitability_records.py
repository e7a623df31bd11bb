"""The special-warning flow, the record kept 20 years, the CLI, and which risk assessment is the level."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from panhuo.clients.models import DecisionSource, KeptRecordError, RiskAssessment, SuitabilityRecord
from panhuo.clients.ownership import merge_backoffice_row
from panhuo.clients.suitability import (
    OverrideRefused,
    board_of,
    product_risk_of_stock,
    risk_assessment_record,
    suitability_check,
    suitability_override_confirm,
    suitability_warning_give,
)

from .conftest import RECENT, assess


def test_stock_risk_by_board_and_service():
    assert [board_of(s) for s in ("600000.SH", "000001.SZ", "300750.SZ", "688981.SH", "430047.BJ")] == \
        ["main", "main", "chinext", "star", "bse"]
    assert product_risk_of_stock("600000.SH") == "R3" and product_risk_of_stock("300750.SZ") == "R4"
    assert product_risk_of_stock("600001.SH", name="*ST某某") == "R5"
    assert product_risk_of_stock("600000.SH", service="position_guidance") == "R3"   # the higher of the two


def test_a_client_who_insists_goes_through_the_written_warning(cast):
    client = assess(cast.clients["CA001"], "C3")
    alice = cast.users["alice"]
    assert not suitability_check(client=client, product_risk="R4", product="300750.SZ").allowed
    with pytest.raises(OverrideRefused):       # no confirmation before the warning was given
        suitability_override_confirm(client=client, product="300750.SZ", product_risk="R4", user=alice,
                                     confirmed=True)
    decision, text = suitability_warning_give(client=client, product="300750.SZ", product_risk="R4", user=alice)
    assert not decision.allowed and "特别风险警示" in text and "C3" in text and "R4" in text
    suitability_override_confirm(client=client, product="300750.SZ", product_risk="R4", user=alice, confirmed=True)
    assert suitability_check(client=client, product_risk="R4", product="300750.SZ").allowed
    # only that product, and only while the level and its assessment stand
    assert not suitability_check(client=client, product_risk="R4", product="300015.SZ").allowed
    risk_assessment_record(client=client, level="C3", assessed_on=RECENT + timedelta(days=1), user=alice)
    assert not suitability_check(client=client, product_risk="R4", product="300750.SZ").allowed
    kinds = list(SuitabilityRecord.objects.filter(client=client).values_list("kind", flat=True))
    assert {"check", "warning", "override"} <= set(kinds)


def test_the_lowest_category_is_refused_even_when_insisting(cast):
    client = assess(cast.clients["CA001"], "C1")
    with pytest.raises(OverrideRefused) as exc:
        suitability_warning_give(client=client, product="000001.SZ", product_risk="R2", user=cast.users["alice"])
    assert "lowest_category" in exc.value.decision.reasons
    assert not SuitabilityRecord.objects.filter(client=client, kind="warning").exists()


def test_the_record_is_never_deleted_nor_changed(cast):
    client = assess(cast.clients["CA001"], "C2")
    suitability_check(client=client, product_risk="R3", product="X")
    rec = SuitabilityRecord.objects.get(client=client)
    assert rec.retention == "suitability_20y"
    for attempt in (rec.delete, SuitabilityRecord.objects.all().delete,
                    lambda: SuitabilityRecord.objects.update(allowed=True), rec.save):
        with pytest.raises(KeptRecordError):
            attempt()
    assert SuitabilityRecord.objects.get(pk=rec.pk).allowed is False


def test_the_warning_page_walks_the_flow(client, cast):
    assess(cast.clients["CA001"], "C3")
    client.force_login(cast.users["alice"])
    url = reverse("surveys:warning", args=["CA001"])
    assert client.get(url).status_code == 200
    r = client.post(url, {"step": "warn", "product": "688981.SH", "product_risk": "R4"})
    assert "特别风险警示".encode() in r.content or b"Special risk warning" in r.content
    r = client.post(url, {"step": "confirm", "product": "688981.SH", "product_risk": "R4", "confirmed": "yes"})
    assert r.status_code == 302
    assert SuitabilityRecord.objects.get(client=cast.clients["CA001"], kind="override").allowed
    assert client.post(reverse("surveys:warning", args=["CC001"]), {"step": "warn"}).status_code == 404


@pytest.mark.parametrize(("level", "risk", "allowed"), [("C3", "R3", True), ("C3", "R4", False), ("C1", "R2", False)])
def test_the_cli_answers_and_records(cast, level, risk, allowed):
    from panhuo.cli import app

    assess(cast.clients["CA001"], level)
    result = CliRunner().invoke(app, ["suitability", "check", "--client", "CA001", "--product-risk", risk,
                                      "--product", "600000.SH", "--json"])
    data = json.loads(result.stdout)
    assert data["allowed"] is allowed and data["client_level"] == level and data["reasons"]
    assert result.exit_code == (0 if allowed else 1)
    assert SuitabilityRecord.objects.filter(client=cast.clients["CA001"], place="cli", product="600000.SH").exists()


def _file_row(level, on):
    c = {"name": "x", "id_number": "", "phone": "", "gender": "", "birth_date": None, "region": "",
         "open_date": None, "client_type": "individual", "status": "active", "do_not_contact": False}
    return {**c, "risk_level": level, "risk_assessed_on": on}


def _merge(client, level, on):
    row = _file_row(level, on)
    for f in ("name", "id_number", "phone", "gender", "birth_date", "region", "open_date", "client_type", "status"):
        row[f] = getattr(client, f)
    return merge_backoffice_row(client, row, branch_pk=client.branch_id, advisor_pk=client.advisor_id,
                                advisor_code=client.advisor.advisor_id, codes_by_pk={})


def test_the_latest_dated_assessment_wins_in_app_or_imported(cast):
    client = cast.clients["CA001"]
    client.backoffice_advisor_code = client.advisor.advisor_id
    # the file first: C2 of 1 March
    m = _merge(client, "C2", date(2026, 3, 1))
    assert m.risk_applied and (client.risk_level, client.risk_source) == ("C2", DecisionSource.BACKOFFICE)
    client.save()
    # assessed in panhuo on 1 June: newer, it becomes the level, source recorded
    risk_assessment_record(client=client, level="C4", assessed_on=date(2026, 6, 1), user=cast.users["alice"])
    client.refresh_from_db()
    assert (client.risk_level, client.risk_assessed_on, client.risk_source) == ("C4", date(2026, 6, 1), "panhuo")
    # a later file still carrying the March assessment, or one of the same day, keeps panhuo's
    for on in (date(2026, 3, 1), date(2026, 6, 1)):
        m = _merge(client, "C2", on)
        assert m.risk_kept and not m.risk_applied and client.risk_level == "C4"
    # a newer assessment in the file wins
    m = _merge(client, "C3", date(2026, 9, 1))
    assert m.risk_applied and (client.risk_level, client.risk_source) == ("C3", "backoffice")
    client.save()
    # an older in-app assessment is kept on record but does not become the level
    risk_assessment_record(client=client, level="C5", assessed_on=date(2026, 7, 1), user=cast.users["alice"])
    client.refresh_from_db()
    assert client.risk_level == "C3" and RiskAssessment.objects.filter(client=client).count() == 2
