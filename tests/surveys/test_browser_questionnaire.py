"""The questionnaire a client answers on their phone (390 px wide), in Chinese and English, in Debian's Chromium;
and the assessments section of the client 360 page. Screenshots in test-artifacts/; no English left untranslated."""

from __future__ import annotations

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def _link(live_server, cast) -> str:
    from panhuo.surveys.services import questionnaire_link_make

    token = questionnaire_link_make(user=cast.users["alice"], client=cast.clients["CA001"], key="personality")
    return f"{live_server.url}/q/{token}/"


def _answer_all(page) -> None:
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label.option").first.click()


def test_the_phone_questionnaire_in_chinese_and_english(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    zh_link, en_link = _link(live_server, cast), _link(live_server, cast)    # before the browser's event loop
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        phone = new_page(browser, width=390, height=844)
        phone.goto(zh_link)
        assert phone.title() == "交易个性自我评量表"
        text = phone.inner_text("body")
        assert "客户CA001" not in text and untranslated_on(text) == []
        # fits the phone: nothing wider than the screen
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "questionnaire-phone-zh")
        _answer_all(phone)
        phone.click("button[type=submit].primary")
        phone.wait_for_selector("p.result")
        assert "保守型" in phone.inner_text("p.result")
        screenshot(phone, "questionnaire-phone-zh-done")

        en = new_page(browser, width=390, height=844)
        en.goto(en_link)
        en.click("button[lang=en]")
        en.wait_for_selector("html[lang=en]")
        assert en.title() == "Trading-personality self-assessment"
        assert "Ten questions" in en.inner_text("body")
        assert en.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(en, "questionnaire-phone-en")

        staff = new_page(browser)
        log_in(staff, live_server.url, "alice", cast.password)
        staff.goto(f"{live_server.url}/clients/CA001/")
        card = staff.inner_text("#assessments")
        assert "保守型" in card and "自评" in card and "未测评" in card
        screenshot(staff, "client360-assessments-zh")
        browser.close()
