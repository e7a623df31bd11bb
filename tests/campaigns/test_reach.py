"""Campaign pages and exports follow the client's current advisor (clients.selectors.within_reach), not the
advisor recorded at launch; the incentive stays with the advisor who served the client."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.audit.models import AuditEvent
from panhuo.campaigns.models import CampaignMember
from panhuo.campaigns.selectors import campaign_report, campaigns_for_user, members_for_user
from panhuo.campaigns.services.launch import campaign_create, campaign_launch

from .conftest import SMS_SCRIPT

SCRIPT = "{name}您好，营业部本周六有投资者教育讲座，欢迎您来参加。投资有风险，入市需谨慎。"


@pytest.fixture
def launched(cast):
    """Branch A's clients in two launched campaigns: one over everyone, one over Alice's clients only."""
    from panhuo.clients.models import ClientSnapshot

    for client in cast.clients.values():
        ClientSnapshot.objects.create(client=client, as_of=date(2026, 11, 20), total_assets=50_000, tier="mass",
                                      lifecycle="dormant", is_dormant=True)
    director = cast.users["director_a"]
    everyone = campaign_create(user=director, name="全员", rules=[], channels=["phone"], script=SCRIPT,
                               control_share=0.3, incentive_per_client=200)
    # by SMS: a phone campaign would skip the clients already holding the first campaign's task
    alices = campaign_create(user=director, name="艾丽的客户", rules=[{"field": "advisor", "op": "eq", "value": "A01"}],
                             channels=["sms"], script=SMS_SCRIPT, control_share=0.3)
    for c in (everyone, alices):
        campaign_launch(user=director, campaign_id=c.pk)
    # CA001 is flagged, so the client shows (name, link and code) on the page's list of turnover flags
    CampaignMember.objects.filter(campaign=everyone, client__client_id="CA001").update(turnover_flag=True, outcome=1.0)
    return cast, everyone, alices


def _reassign(cast, client_id, to):
    # The clients app owns reassignment (and its audit); here only the assignment matters.
    from panhuo.clients.models import Client

    Client.objects.filter(client_id=client_id).update(advisor=cast.advisors[to])


def _codes(user, campaign):
    return set(members_for_user(user=user, campaign=campaign).values_list("client__client_id", flat=True))


def _export_codes(client, user, campaign):
    client.force_login(user)
    wb = load_workbook(io.BytesIO(client.get(reverse("campaigns:export", args=[campaign.pk])).content))
    return {row[0] for row in list(wb["members 成员"].iter_rows(values_only=True))[1:]}


def test_after_a_reassignment_the_new_advisor_sees_the_client_in_the_campaign_and_the_former_does_not(client,
                                                                                                       launched):
    cast, camp, _ = launched
    alice, bob = cast.users["alice"], cast.users["bob"]
    assert "CA001" in _codes(alice, camp) and "CA001" not in _codes(bob, camp)
    _reassign(cast, "CA001", "bob")
    assert _codes(alice, camp) == {"CA002", "CA003"}
    assert _codes(bob, camp) == {"CB001", "CB002", "CA001"}
    assert "CA001" not in _export_codes(client, alice, camp) and "CA001" in _export_codes(client, bob, camp)
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()        # Bob, logged in
    link = f'href="{reverse("workbench:client", args=["CA001"])}"'
    assert link in page and ">客户CA001</a>" in page                     # the client's name, linked to their page
    client.force_login(alice)
    page = client.get(reverse("campaigns:detail", args=[camp.pk])).content.decode()
    assert link not in page and "CA001" not in page                     # neither the link, the name nor the code
    seen = AuditEvent.objects.filter(action="campaign.view", user=alice).latest("pk").object_ids
    assert "CA001" not in seen
    bob_report = campaign_report(user=bob, campaign=camp)
    assert sum(bob_report.sizes.values()) == 3                    # his two clients and the one he took over
    # the director still sees every member, and the incentive stays with the advisor who served the client
    assert "CA001" in _codes(cast.users["director_a"], camp)
    member = CampaignMember.objects.get(campaign=camp, client__client_id="CA001")
    assert member.advisor == cast.advisors["alice"]


def test_a_campaign_of_the_former_advisors_clients_opens_for_the_new_one(launched):
    cast, _, alices = launched
    bob = cast.users["bob"]
    assert not campaigns_for_user(user=bob).filter(pk=alices.pk).exists()
    _reassign(cast, "CA001", "bob")
    assert campaigns_for_user(user=bob).filter(pk=alices.pk).count() == 1
    assert _codes(bob, alices) == {"CA001"}
    # Alice keeps the campaign she worked in (her incentive), without the client she no longer serves
    assert campaigns_for_user(user=cast.users["alice"]).filter(pk=alices.pk).exists()
    assert "CA001" not in _codes(cast.users["alice"], alices)
    assert not campaigns_for_user(user=cast.users["charlie"]).filter(pk=alices.pk).exists()
