"""Finding a client (issue 19): the list starts with who needs attention, has page numbers and a jump, the header
searches on every page, names are found by pinyin, and a search with one match opens the client."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panhuo.clients.models import Client, ClientSnapshot, Task
from panhuo.workbench.pinyin import name_keys, name_matches


def test_pinyin_keys_and_matches():
    assert name_keys("刘军斌") == ("ljb", "liujunbin")
    assert all(name_matches("刘军斌", q) for q in ("ljb", "lj", "liujunbin", "junbin", "LJB"))
    assert not name_matches("刘军斌", "wl")


def test_the_list_starts_with_late_tasks_then_the_highest_churn_risk(world, client):
    ClientSnapshot.objects.filter(client__client_id="CB001").update(churn_risk=0.99)
    Task.objects.filter(client__client_id="CA003").update(status="open", due=timezone.localdate() - timedelta(days=2))
    client.force_login(world.users["director_a"])
    ids = [r["client_id"] for r in client.get("/clients/").context["rows"]]
    assert ids[0] == "CA003" and ids[1] == "CB001"          # the late task, then the 99% risk
    body = client.get("/clients/").content.decode()
    assert "任务逾期" in body


def test_pinyin_search_and_one_match_opens_the_client(world, client):
    Client.objects.filter(client_id="CA002").update(name="刘军斌")
    client.force_login(world.users["alice"])
    found = client.get("/clients/", {"q": "ljb"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-results")
    assert [r["client_id"] for r in found.context["rows"]] == ["CA002"]
    assert "打开该客户" in found.content.decode()              # typing: a link, not a jump away
    opened = client.get("/clients/", {"q": "liujun"})          # the header's box: straight to the client
    assert opened.status_code == 302 and opened["Location"] == "/clients/CA002/"
    page = client.get("/today/").content.decode()
    assert 'class="topsearch"' in page and 'action="/clients/"' in page


def test_page_numbers_and_a_jump_that_keeps_the_filters(world, client, monkeypatch):
    import panhuo.workbench.views.clients as view

    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    client.force_login(world.users["director_a"])
    body = client.get("/clients/", {"tier": "", "sort": "client"}).content.decode()
    assert 'aria-current="page" class="current">1<' in body and "&page=3" in body
    assert 'name="sort" value="client"' in body and 'name="page" min="1" max="3"' in body
