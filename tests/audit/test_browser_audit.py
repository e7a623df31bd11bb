"""Compliance opens the audit trail from the top bar in a real Chromium, filters it and sees words, not codes."""

from __future__ import annotations

import pytest

from panhuo.audit.services import audit_record
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_compliance_reads_and_filters_the_audit_trail(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    u = cast.users
    audit_record(user=u["bob"], action="client.unmask", object_type="client", object_ids=["CB001"],
                 detail={"field": "phone", "reason": "回访核对身份"})
    audit_record(user=u["alice"], action="access.denied", object_type="client", object_ids=["CC001"],
                 outcome="denied")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, width=1280)
        log_in(page, live_server.url, "compliance", cast.password)
        page.click("nav.mainnav a[href='/audit/']")
        page.wait_for_url(f"{live_server.url}/audit/")
        text = page.inner_text("table.audit")
        assert "查看敏感信息" in text and "越权访问被拒绝" in text and "CB001" in text
        assert "client.unmask" not in text and "access.denied" not in text
        assert untranslated_on(page.inner_text("body")) == []
        screenshot(page, "audit-zh")
        page.select_option("select[name=action]", "access.denied")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        rows = page.locator("table.audit tbody tr").all_inner_texts()
        assert len(rows) == 1 and "CC001" in rows[0] and "alice" in rows[0]
        browser.close()
