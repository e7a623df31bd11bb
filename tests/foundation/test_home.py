"""The home page: the branch at a glance, in Chinese by default and in English on request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from panhuo.clients.models import ClientSnapshot


def _snap(client, assets, lifecycle, dormant=False):
    return ClientSnapshot.objects.create(client=client, as_of=date(2025, 12, 31), total_assets=Decimal(assets),
                                         lifecycle=lifecycle, is_dormant=dormant)


def test_home_shows_the_advisors_own_figures_in_chinese(client, cast):
    _snap(cast.clients["CA001"], "1200000", "active")
    _snap(cast.clients["CA002"], "50000", "dormant", dormant=True)
    _snap(cast.clients["CB001"], "999999999", "active")   # Bob's: must not count for Alice
    client.force_login(cast.users["alice"])
    html = client.get("/").content.decode()
    assert "营业部概览" in html
    assert "125.00万" in html            # 1,200,000 + 50,000 in 万
    assert "5.00万" in html              # dormant assets
    assert "10.00亿" not in html and "100,000.00万" not in html


def test_english_switch(client, cast):
    _snap(cast.clients["CA001"], "1200000", "active")
    client.force_login(cast.users["alice"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "Branch at a glance" in html
    assert "1.20M" in html
    assert "营业部概览" not in html


def test_director_sees_the_whole_branch(client, cast):
    for cid in ("CA001", "CB001", "CU001"):
        _snap(cast.clients[cid], "10000", "active")
    _snap(cast.clients["CC001"], "10000", "active")  # branch B
    client.force_login(cast.users["director_a"])
    html = client.get("/").content.decode()
    assert "3.00万" in html


def test_login_page_is_chinese_and_logs_in(client, cast):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page
    response = client.post("/accounts/login/", {"username": "alice", "password": cast.password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/health/").json()["status"] == "ok"
