"""In a real Chromium, under the Content-Security-Policy: the lockout page shows in the app's layout, and a
chart draws and shows its tooltip without the browser refusing anything (no CSP violation in the console)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot

pytestmark = pytest.mark.browser


def _watch_console(page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: refused.append(str(exc)))
    return refused


def test_lockout_page_in_the_browser(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser)
        refused = _watch_console(page)
        for _ in range(5):
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", "not-the-password")
            page.click("button[type=submit].primary")
        text = page.inner_text("main")
        screenshot(page, "login-locked-zh")
        assert "登录已锁定" in text and "15 分钟后再试" in text
        assert page.locator("header.topbar").count() == 1
        assert refused == []
        browser.close()


def test_a_chart_and_its_tooltip_draw_under_the_policy(live_server, transactional_db, cast):
    from panhuo.clients.models import ClientSnapshot

    for i, code in enumerate(["CA001", "CA002", "CA003"]):
        ClientSnapshot.objects.create(client=cast.clients[code], as_of=date(2026, 10, 30), total_assets=10_000 * (i + 1),
                                      lifecycle=["active", "declining", "dormant"][i], is_dormant=i == 2)
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser)
        refused = _watch_console(page)
        log_in(page, live_server.url, "alice", cast.password)
        chart = page.locator("#lifecycle-chart canvas")
        chart.wait_for()
        box = chart.bounding_box()
        # Hover the ring (between its inner and outer radius) to bring up the tooltip.
        page.mouse.move(box["x"] + box["width"] / 2 + box["height"] * 0.27, box["y"] + box["height"] / 2)
        page.wait_for_timeout(500)
        screenshot(page, "home-chart-tooltip-csp")
        assert refused == []
        browser.close()
