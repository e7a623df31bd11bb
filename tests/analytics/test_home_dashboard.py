"""The home dashboard shows the daily results: tiers, the VIP share of assets and a churn-risk list.

(The page test needs the URLconf to import; it fails while another issue's app is half committed.)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from panhuo.clients.models import ClientSnapshot

pytestmark = pytest.mark.django_db


def _snap(client, assets, tier, risk=None, reasons=()):
    return ClientSnapshot.objects.create(client=client, as_of=date(2024, 6, 28), total_assets=Decimal(assets),
                                         tier=tier, lifecycle="active", churn_risk=risk, churn_reasons=list(reasons))


@pytest.fixture
def snaps(cast):
    _snap(cast.clients["CA001"], "800000", "vip", 0.72,
          [{"zh": "近90天转出资产62%", "en": "Moved 62% of assets out in 90 days"}])
    _snap(cast.clients["CA002"], "150000", "core", 0.10)
    _snap(cast.clients["CA003"], "50000", "mass")
    _snap(cast.clients["CC001"], "9000000", "vip", 0.99)      # another branch: not Alice's
    return cast


def test_overview_by_tier_vip_share_and_churn_list(snaps):
    from django.utils import translation

    from panhuo.clients.selectors import branch_overview

    with translation.override("zh-hans"):
        o = branch_overview(user=snaps.users["alice"])
    assert {r["tier"]: (r["n"], r["assets"]) for r in o["by_tier"]} == \
        {"vip": (1, Decimal("800000")), "core": (1, Decimal("150000")), "mass": (1, Decimal("50000"))}
    assert [r["label"] for r in o["by_tier"]] == ["VIP客户", "核心客户", "大众客户"]   # the config's order, VIP first
    assert o["vip_share"] == Decimal("0.8")
    assert [s.client.client_id for s in o["churn_list"]] == ["CA001", "CA002"]
    assert o["churn_list"][0].reason_texts == ["近90天转出资产62%"]
    with translation.override("en"):
        o = branch_overview(user=snaps.users["alice"])
    assert o["churn_list"][0].reason_texts == ["Moved 62% of assets out in 90 days"]


def test_home_page_shows_them(client, snaps):
    client.force_login(snaps.users["alice"])
    html = client.get("/").content.decode()
    assert "VIP客户" in html and "近90天转出资产62%" in html and "CA001" in html and "CC001" not in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_lifecycle_labels_agree_between_the_segments_config_and_the_app(lang):
    """The home page labels lifecycle rows from the model's choices, the exports from segments.toml: one word each."""
    from django.utils import translation

    from panhuo.analytics.segments import label
    from panhuo.clients.models import Lifecycle

    with translation.override(lang):
        assert {v: str(lab) for v, lab in Lifecycle.choices} == \
            {v: label("lifecycle", v, lang[:2]) for v in Lifecycle.values}
