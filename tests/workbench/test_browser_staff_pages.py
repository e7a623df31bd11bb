"""Issue 19 in Chromium, in Chinese and English: the header search opens a client found by pinyin, the client
list has page numbers, the 360 page explains a low score's factors, 404 and 403 are pages of the app with the
menu. Screenshots in test-artifacts/ (staff-*.png)."""

from __future__ import annotations

import pytest

from panhuo.clients.models import Client, ClientSnapshot
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_staff_pages_in_both_languages(live_server, transactional_db, world):
    Client.objects.filter(client_id="CA002").update(name="刘军斌")
    ClientSnapshot.objects.filter(client__client_id="CA001").update(churn_risk=0.049, days_since_last_trade=0)
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        for lang in ("zh", "en"):
            page = new_page(browser, width=1280, height=900)
            log_in(page, live_server.url, "alice", world.password)
            if lang == "en":
                page.click("button[value=en]")
                page.wait_for_load_state()
            page.fill(".topsearch input[name=q]", "ljb")               # pinyin initials, from any page
            page.press(".topsearch input[name=q]", "Enter")
            page.wait_for_url(f"{live_server.url}/clients/CA002/")
            screenshot(page, f"staff-search-opens-client-{lang}")

            page.goto(f"{live_server.url}/clients/CA001/")
            text = page.inner_text("body")
            assert ("影响流失评分的因素" if lang == "zh" else "What moved the churn score") in text
            assert ("仍活跃概率" if lang == "zh" else "P(alive)") in text
            screenshot(page, f"staff-client360-{lang}")

            page.goto(f"{live_server.url}/clients/?sort=client")
            assert page.locator("nav.pager .current").inner_text() == "1"
            screenshot(page, f"staff-clients-{lang}")

            for path, code in (("/no-such-page/", "404"), ("/branch/", "403"), ("/clients/CC001/", "404-reach")):
                page.goto(f"{live_server.url}{path}")
                assert page.locator("nav.mainnav").count() == 1 and page.locator(".error-page a").count() >= 1
                if lang == "zh":
                    assert untranslated_on(page.inner_text("body")) == []
                screenshot(page, f"staff-{code}-{lang}")
            page.close()
        browser.close()
