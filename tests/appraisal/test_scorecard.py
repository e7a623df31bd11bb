"""The monthly scorecard over a hand-made October 2026: campaigns with known members and outcomes, a book with
known snapshots and churn. Reactivations are credited by the campaign's lift, not counted; commission-based items
are capped and never count C1-C2 clients; a signed month is locked."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from panhuo.appraisal import services
from panhuo.appraisal.models import LockedError, Scorecard, ScorecardWeights
from panhuo.audit.models import AuditEvent
from panhuo.campaigns.models import Campaign, CampaignMember
from panhuo.clients.models import Client
from panhuo.measure.lift import lift_binary
from tests.appraisal.helpers import MONTH, alices_book

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _members(cast, campaign, advisor, group, outcomes, *, risk="C3"):
    for outcome in outcomes:
        n = Client.objects.count()
        c = Client.objects.create(client_id=f"M{n:05d}", branch=advisor.branch, advisor=advisor, name=f"客户M{n}")
        CampaignMember.objects.create(campaign=campaign, client=c, advisor=advisor, group=group, outcome=outcome,
                                      risk_level=risk)


def _campaign(cast, name, *, launched, measure="resumed", window=30):
    return Campaign.objects.create(name=name, branch=cast.branches["A"], measure=measure, window_days=window,
                                   status="launched", launched_at=datetime(*launched, 9, tzinfo=TZ),
                                   outcomes_as_of=date(2026, 11, 1))


@pytest.fixture
def october(cast):
    alices_book(cast)
    alice, bob = cast.advisors["alice"], cast.advisors["bob"]
    # Reactivation, closes 25 Oct: each advisor 40 treated (20 resumed) and 20 control (2 resumed).
    react = _campaign(cast, "十月唤醒", launched=(2026, 9, 25))
    for adv in (alice, bob):
        _members(cast, react, adv, "treatment", [1.0] * 20 + [0.0] * 20)
        _members(cast, react, adv, "control", [1.0] * 2 + [0.0] * 18)
    # Commission-measured, closes 25 Oct: only Alice's C1 members traded more; her C3 ones and the control did not.
    trading = _campaign(cast, "交易提升", launched=(2026, 9, 25), measure="commission")
    _members(cast, trading, alice, "treatment", [500.0] * 15, risk="C1")
    _members(cast, trading, alice, "treatment", [0.0] * 15)
    _members(cast, trading, alice, "control", [0.0] * 10)
    # Closed in August: not October's.
    old = _campaign(cast, "八月活动", launched=(2026, 8, 1))
    _members(cast, old, alice, "treatment", [1.0] * 30)
    _members(cast, old, alice, "control", [0.0] * 10)
    return cast


def _items(card):
    return {i["key"]: i for i in card.items}


def test_reactivations_are_the_campaigns_lift_lower_bound_times_treated_shared_not_raw_counts(october):
    card = services.scorecard_compute(user=october.users["director_a"], advisor=october.advisors["alice"],
                                      month=MONTH)
    item = _items(card)["reactivation"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = lift_binary([1] * 40 + [0] * 40, [1] * 4 + [0] * 36).ci_low
    assert low > 0
    assert item["value"] == pytest.approx(low * 80 / 2, abs=0.01)     # two alike advisors share it evenly
    assert item["value"] < 20                                          # Alice's raw count of resumed clients
    assert [c["source"] for c in item["detail"]["campaigns"]] == ["十月唤醒"]   # August's campaign is not October's


def test_commission_based_items_never_count_c1_c2_clients_and_are_capped(october):
    ScorecardWeights.objects.create(branch=october.branches["A"],
                                    items={"commission": {"cap": 3.0}, "campaign_trading": {"cap": 5.0}})
    card = services.scorecard_compute(user=october.users["director_a"], advisor=october.advisors["alice"],
                                      month=MONTH)
    items = _items(card)
    # Only C1 members traded more: without them the campaign shows no effect, so nothing is credited.
    assert items["campaign_trading"]["value"] == 0
    assert [c["source"] for c in items["campaign_trading"]["detail"]["campaigns"]] == ["交易提升"]   # measured
    # Book commission: CA002 (C3) 2,000 + CA003 (C4) 30,000; CA001 (C1) left out.
    com = items["commission"]
    assert com["value"] == 32_000 and com["commission_based"]
    assert com["attainment"] == pytest.approx(1.6) and com["capped"] and com["cap"] == 1.0   # the branch's 3.0 ignored
    assert com["points"] == com["weight"] * 1.0


def test_the_books_inflow_churn_against_expected_coverage_and_the_complaints_row(october):
    card = services.scorecard_compute(user=october.users["director_a"], advisor=october.advisors["alice"],
                                      month=MONTH)
    items = _items(card)
    assert items["net_inflow"]["value"] == 85_000                   # 0 - 60,000 + 145,000
    churn = items["churn"]
    expected = 3 * (1 - 0.7 ** (31 / 90))                           # 30% over 90 days, for a 31-day month
    assert churn["detail"]["expected"] == pytest.approx(expected, abs=1e-3)
    assert churn["detail"]["churned"] == 2                          # CA001 lost, CA002 moved 60% out
    assert churn["attainment"] == 0 and churn["points"] == 0        # 2 churned against 0.35 expected
    cov = items["coverage"]
    assert (cov["detail"]["covered"], cov["detail"]["total"], cov["value"]) == (1, 2, 0.5)
    assert items["complaints"] == {**items["complaints"], "recorded": True, "value": 0, "points": 0.0, "weight": -5.0}
    assert card.total == pytest.approx(sum(i["points"] for i in card.items))


def test_compliance_counts_refused_actions_and_unmasks_beyond_the_allowance(cast):
    from django.utils import timezone

    from panhuo.appraisal import measures
    from panhuo.audit.services import audit_record

    alice = cast.users["alice"]
    audit_record(user=alice, action="access.denied", object_type="client", outcome="denied", object_ids=["CC001"])
    for _ in range(3):
        audit_record(user=alice, action="client.unmask", object_type="client", object_ids=["CA001"])
    audit_record(user=cast.users["bob"], action="access.denied", object_type="client", outcome="denied")
    start, end = measures.month_of(timezone.localdate())
    assert measures.compliance(advisor_ids=[cast.advisors["alice"].pk], start=start, end=end)[
        cast.advisors["alice"].pk] == {"refused": 1, "unmasks": 3}


def test_a_signed_month_is_locked_and_every_attempt_is_audited(october):
    director, alice = october.users["director_a"], october.advisors["alice"]
    card = services.scorecard_compute(user=director, advisor=alice, month=MONTH)
    card = services.scorecard_comment(user=director, card=card, comment="覆盖率需提高")
    card = services.scorecard_sign(user=director, card=card)
    assert card.locked and card.signed_by == director
    total = card.total
    with pytest.raises(LockedError):
        services.scorecard_compute(user=director, advisor=alice, month=MONTH)
    with pytest.raises(LockedError):
        services.scorecard_comment(user=director, card=card, comment="改")
    with pytest.raises(LockedError):
        services.scorecard_sign(user=director, card=card)
    card.total = 100.0
    with pytest.raises(LockedError):          # the model refuses too, whatever path writes
        card.save()
    stored = Scorecard.objects.get(pk=card.pk)
    assert (stored.total, stored.comment) == (total, "覆盖率需提高")
    denied = AuditEvent.objects.filter(object_type="scorecard", outcome="denied").values_list("action", flat=True)
    assert sorted(denied) == ["appraisal.scorecard.comment", "appraisal.scorecard.compute", "appraisal.scorecard.sign"]
    assert AuditEvent.objects.filter(action="appraisal.scorecard.sign", outcome="ok").count() == 1


def test_the_page_refuses_changes_to_a_signed_month(client, october):
    director = october.users["director_a"]
    client.force_login(director)
    url = "/appraisal/A01/2026-10/"
    assert client.post(url, {"action": "compute"}).status_code == 302
    assert client.post(url, {"action": "sign"}).status_code == 302
    resp = client.post(url, {"action": "comment", "comment": "late"}, follow=True)
    assert Scorecard.objects.get().comment == ""
    assert "locked" in resp.content.decode() or "锁定" in resp.content.decode()
