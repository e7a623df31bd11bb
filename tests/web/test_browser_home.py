"""Log in as an advisor in a real Chromium, see the home page in Chinese, switch to English."""

from __future__ import annotations

import pytest

from tests.web.browser import browser_or_skip, launch, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_advisor_logs_in_and_switches_language(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser)   # tablet-sized
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", cast.password)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")
        text = page.inner_text("body")
        screenshot(page, "home-zh")
        assert "营业部概览" in text
        assert untranslated_on(text) == []
        page.click("button[value=en]")
        page.wait_for_load_state()
        text = page.inner_text("body")
        screenshot(page, "home-en")
        assert "Branch at a glance" in text
        browser.close()
