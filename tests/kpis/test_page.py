"""The KPI page: trends from the kept months, advisors, what needs attention, coverage and its drill-down; in a
real browser in Chinese and English (screenshots in test-artifacts/)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from panhuo.analytics.kpis import FIGURE_NAMES, Month
from panhuo.clients.models import ClientSnapshot, KpiMonth
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

MONTHS = 14


def figures(i: int, **over) -> dict:
    f = dict.fromkeys(FIGURE_NAMES, 0)
    f.update(clients_total=3000 + i, active_clients=900 + 10 * i, dormant_clients=600 - i,
             reactivated_clients=20 + i, assets_total=1.2e9 + 1e7 * i, net_inflow=5e6 * (-1) ** i,
             commission=8e5, turnover_rate=1.4, coverage=0.9, vip_uncontacted=0, profit_share=0.1)
    f.update(over)
    return f


@pytest.fixture
def kept(cast):
    last = Month.parse("2024-06")
    for i in range(MONTHS):
        m = last.previous(MONTHS - 1 - i)
        worse = i == MONTHS - 1
        KpiMonth.objects.create(branch=cast.branches["A"], month=m.start,
                                figures=figures(i, **({"dormant_clients": 700, "coverage": 0.55,
                                                       "vip_uncontacted": 12} if worse else {})))
        KpiMonth.objects.create(branch=cast.branches["A"], advisor=cast.advisors["alice"], month=m.start,
                                figures=figures(i, coverage=0.4 if worse else 0.9))
    ClientSnapshot.objects.create(client=cast.clients["CA001"], as_of=timezone.localdate(), tier="vip",
                                  total_assets=2_000_000)
    ClientSnapshot.objects.create(client=cast.clients["CA002"], as_of=timezone.localdate(), tier="mass",
                                  total_assets=2_000)
    return cast


@pytest.mark.django_db
def test_the_page_shows_trends_advisors_and_what_needs_attention(kept, client):
    client.force_login(kept.users["director_a"])
    page = client.get("/kpis/")
    assert page.status_code == 200
    assert page.context["chart"]["months"][0] == "2023-05" and len(page.context["chart"]["months"]) == MONTHS
    first = [a["figure"] for a in page.context["attention"]]
    assert first[:2] == ["vip_uncontacted", "coverage"] and "dormant_clients" in first
    body = re.sub(r"<script.*?</script>", "", page.content.decode(), flags=re.S)   # the text a reader sees
    assert "休眠客户" in body and "Alice 艾丽" in body and "dormant_clients" not in body
    assert "13.30亿" in body                                        # amounts as staff write them
    assert page.context["coverage"]["total"]["vip_overdue"] == 1


@pytest.mark.django_db
def test_teams_have_their_row_their_trends_and_their_advisors(kept, client):
    from panhuo.clients.models import Team

    team = Team.objects.create(branch=kept.branches["A"], name="一组", leader=kept.advisors["alice"])
    kept.advisors["alice"].team = team
    kept.advisors["alice"].save()
    last = Month.parse("2024-06")
    for i in range(3):
        KpiMonth.objects.create(branch=kept.branches["A"], team=team, month=last.previous(2 - i).start,
                                figures=figures(i, clients_total=1234 + i))
    client.force_login(kept.users["director_a"])
    page = client.get("/kpis/")
    assert [r["name"] for r in page.context["team_rows"]] == ["一组"]
    assert page.context["team_rows"][0]["leader"] == kept.advisors["alice"].name
    assert len(page.context["chart"]["months"]) == MONTHS            # the branch's trends, not the team's
    one = client.get(f"/kpis/?branch={kept.branches['A'].branch_id}&team={team.pk}")
    assert one.context["team"] == team and one.context["chart"]["months"] == ["2024-04", "2024-05", "2024-06"]
    assert [r["code"] for r in one.context["advisor_rows"]] == [kept.advisors["alice"].advisor_id]
    assert "1,236" in one.content.decode()                           # the team's own figures, with separators
    alone = client.get(f"/kpis/?branch={kept.branches['A'].branch_id}&advisor={kept.advisors['alice'].advisor_id}")
    assert alone.context["advisor"] == kept.advisors["alice"] and len(alone.context["chart"]["months"]) == MONTHS
    other = Team.objects.create(branch=kept.branches["B"], name="B组")
    elsewhere = client.get(f"/kpis/?branch={kept.branches['A'].branch_id}&team={other.pk}")
    assert elsewhere.context["team"] is None                         # another branch's team: the branch instead


@pytest.mark.django_db
def test_the_drill_down_lists_the_vip_past_the_cadence_and_advisors_cannot_open_it(kept, client):
    client.force_login(kept.users["manager_a"])
    rows = client.get("/kpis/uncontacted/?tier=vip").context["rows"]
    assert [r["client"].client_id for r in rows] == ["CA001"]
    client.force_login(kept.users["alice"])
    assert client.get("/kpis/").status_code == 403 and client.get("/kpis/uncontacted/").status_code == 403


@pytest.mark.browser
def test_kpi_page_in_chinese_and_english(live_server, transactional_db, kept):
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, width=1280, height=900)
        log_in(page, live_server.url, "director_a", kept.password)
        page.goto(f"{live_server.url}/kpis/")
        page.wait_for_selector("#chart-assets canvas")
        page.wait_for_selector("#chart-coverage canvas")
        text = page.inner_text("body")
        screenshot(page, "kpis-zh")
        assert "优先关注" in text and "超期未回访VIP" in text and untranslated_on(text) == []
        page.click("button[value=en]")
        page.wait_for_selector("#chart-assets canvas")
        text = page.inner_text("body")
        screenshot(page, "kpis-en")
        assert "Needs attention first" in text and "VIPs past their cadence" in text
        page.goto(f"{live_server.url}/kpis/uncontacted/")
        assert "CA001" in page.inner_text("body")
        screenshot(page, "kpis-uncontacted-en")
        browser.close()


@pytest.mark.django_db
def test_a_vip_past_the_cadence_is_flagged_on_the_branch_dashboard(kept, client):
    from datetime import timedelta

    from panhuo.clients.models import Contact

    client.force_login(kept.users["manager_a"])
    assert client.get("/branch/").context["vip_overdue"] == 1           # CA001, never contacted
    Contact.objects.create(client=kept.clients["CA001"], by=kept.users["alice"], channel="phone",
                           outcome="reached", at=timezone.now() - timedelta(days=29))
    assert client.get("/branch/").context["vip_overdue"] == 0           # within the 30 days
    Contact.objects.filter(client=kept.clients["CA001"]).update(at=timezone.now() - timedelta(days=31))
    page = client.get("/branch/")
    assert page.context["vip_overdue"] == 1 and "/kpis/uncontacted/?tier=vip" in page.content.decode()
