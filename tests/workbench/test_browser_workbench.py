"""(5) End to end in Debian's Chromium: an advisor opens Today, logs a contact in two clicks, sees it on the
360 page and the client move on the funnel board, in Chinese and in English. Screenshots go to
test-artifacts/ and every page is checked for English left untranslated."""

from __future__ import annotations

import polib
import pytest

from panhuo.clients.models import Client
from tests.web.browser import (
    LOCALE_PO,
    browser_or_skip,
    launch,
    log_in,
    new_page,
    screenshot,
    untranslated_on,
)

pytestmark = pytest.mark.browser


def _zh(english: str) -> str | None:
    """The catalogue's Chinese for a string, or None when the catalogue lacks it."""
    entry = polib.pofile(str(LOCALE_PO)).find(english)
    return entry.msgstr if entry is not None and entry.translated() else None


def _untranslated(text: str) -> list[str]:
    return untranslated_on(text)


def _expect_text(text: str, english: str) -> None:
    zh = _zh(english)
    assert zh, f"no Chinese for {english!r} in the catalogue"
    assert zh in text, english


def test_advisor_logs_a_contact_from_today_and_sees_it_everywhere(live_server, transactional_db, world):
    sync_api = browser_or_skip()
    phone = Client.objects.get(client_id="CA002").phone      # read before Playwright's event loop starts
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser)          # a tablet
        log_in(page, live_server.url, "alice", world.password)

        page.goto(f"{live_server.url}/today/")
        text = page.inner_text("body")
        screenshot(page, "workbench-today-zh")
        assert _untranslated(text) == []
        _expect_text(text, "Today")
        assert "客户CA002" in text and "客户CC001" not in text
        row = page.locator("tr.task", has_text="客户CA002").first
        row.locator("button.log-contact").click()                                   # click 1
        form = page.locator("form.contact-form")
        form.wait_for()
        form.locator("textarea[name=note]").fill("客户想了解科创板")
        form.locator("button[value=interested]").click()                            # click 2
        page.locator(".contact-logged").wait_for()
        page.locator("tr.task.closed", has_text="客户CA002").wait_for(timeout=5000)   # its task row is closed
        screenshot(page, "workbench-today-logged-zh")

        page.goto(f"{live_server.url}/clients/CA002/")
        text = page.inner_text("body")
        screenshot(page, "workbench-client360-zh")
        assert "客户想了解科创板" in text
        assert page.locator(".tag.stage").inner_text().startswith(_zh("Funnel") or "Funnel")
        assert " B" in page.locator(".tag.stage").inner_text()
        assert _untranslated(text) == []
        assert phone not in text and phone[-4:] in text                              # masked
        unmask = page.locator("details.unmask", has=page.locator("input[value=phone]"))
        unmask.locator("summary").click()
        unmask.locator("input[name=reason]").fill("回访核对号码")
        unmask.locator("button[type=submit]").click()
        page.locator("#phone-value .unmasked").wait_for()
        assert page.locator("#phone-value").inner_text().strip() == phone         # shown after a stated reason

        page.goto(f"{live_server.url}/funnel/")
        column_b = page.locator("section[data-track=normal] .column[data-stage=B]")
        assert "客户CA002" in column_b.inner_text()
        screenshot(page, "workbench-funnel-zh")
        assert _untranslated(page.inner_text("body")) == []

        page.click("button[value=en]")
        page.wait_for_load_state()
        column_b = page.locator("section[data-track=normal] .column[data-stage=B]")
        assert "B selecting" in column_b.inner_text() and "客户CA002" in column_b.inner_text()
        screenshot(page, "workbench-funnel-en")
        page.goto(f"{live_server.url}/clients/CA002/")
        text = page.inner_text("body")
        assert "Log a contact" in text and "Interested" in text and "客户想了解科创板" in text
        screenshot(page, "workbench-client360-en")
        page.goto(f"{live_server.url}/today/")
        assert "Suggested script" in page.inner_text("body")
        screenshot(page, "workbench-today-en")

        # The director: branch dashboard and the client list with reassignment, in Chinese.
        lead = new_page(browser)                          # its own context: its own cookies
        log_in(lead, live_server.url, "director_a", world.password)
        lead.goto(f"{live_server.url}/branch/")
        assert lead.locator("table.advisors tbody tr").count() == 2
        screenshot(lead, "workbench-branch-zh")
        assert _untranslated(lead.inner_text("body")) == []
        lead.goto(f"{live_server.url}/clients/")
        assert lead.locator("table.clients input[name=client_ids]").count() == 6
        screenshot(lead, "workbench-clients-zh")
        assert _untranslated(lead.inner_text("body")) == []
        browser.close()
