"""Accessibility: axe-core (vendored for tests, tests/web/vendor/, MPL-2.0) scans the main pages in Chromium in
both languages; no serious or critical finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "web" / "vendor" / "axe-4.14.1.min.js"
PAGES = {"alice": ["/", "/today/", "/clients/", "/clients/CA001/", "/funnel/", "/campaigns/", "/no-such-page/"],
         "director_a": ["/branch/", "/clients/"]}


def scan(page) -> list[dict]:
    """Serious and critical findings of axe-core on the page (run through the DevTools protocol, not a script tag,
    so the page's Content-Security-Policy stays as it is)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core" and result["passes"] is not None     # it did run
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_main_pages_have_no_serious_accessibility_findings(live_server, transactional_db, world):
    sync_api = browser_or_skip()
    found, scanned = {}, []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        for lang in ("zh", "en"):
            for user, paths in PAGES.items():
                page = new_page(browser, width=1280, height=900)
                log_in(page, live_server.url, user, world.password)
                if lang == "en":
                    page.click("button[value=en]")
                    page.wait_for_load_state()
                for path in paths:
                    page.goto(f"{live_server.url}{path}")
                    page.wait_for_load_state("networkidle")
                    if findings := scan(page):
                        found[(lang, user, path)] = findings
                    scanned.append(path)
                page.close()
        browser.close()
    assert len(scanned) == 2 * sum(map(len, PAGES.values()))
    assert not found, found
