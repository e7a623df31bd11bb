"""403, 404 and 500 are pages of the app: its layout and menu, the reader's language, a way back; a client out of
reach answers the same 404 as a page that does not exist."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_404_is_a_page_with_the_menu_in_chinese_and_english(client, cast):
    client.force_login(cast.users["alice"])
    r = client.get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404 and 'class="mainnav"' in body and "找不到" in body and 'href="/"' in body
    out_of_reach = client.get("/clients/CC001/")             # Charlie's client, another branch
    assert out_of_reach.status_code == 404
    assert out_of_reach.content.decode().count("找不到") == body.count("找不到")   # the same words: nothing revealed
    client.cookies["django_language"] = "en"
    body = client.get("/no-such-page/").content.decode()
    assert "Nothing here" in body and 'class="mainnav"' in body


def test_403_says_the_role_lacks_it_and_offers_a_way_back(client, cast):
    client.force_login(cast.users["alice"])                  # an advisor: no branch dashboard
    r = client.get("/branch/")
    body = r.content.decode()
    assert r.status_code == 403 and 'class="mainnav"' in body and "您的角色无权打开此页面" in body
    assert 'href="/today/"' in body


def test_500_renders_in_the_layout_with_the_request(rf, cast):
    from panhuo.web.views import server_error

    request = rf.get("/")
    request.user = cast.users["alice"]
    r = server_error(request)
    body = r.content.decode()
    assert r.status_code == 500 and 'class="mainnav"' in body and "系统出错" in body
