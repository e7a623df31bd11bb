"""The client 360 page's service plan and the plan form in Debian's Chromium, in Chinese and English; the
satisfaction survey on a 390 px phone. Screenshots in test-artifacts/ (service-plan-*, satisfaction-phone-*)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on
from tests.web.test_chinese_pages import internal_codes, visible_text

pytestmark = pytest.mark.browser


def _codes_on(text: str, *, english: bool = False) -> list[str]:
    """Internal codes shown as text. On an English page plain words (visit, trades) are English too: only the
    codes with an underscore (position_band, total_assets) count there."""
    import re

    codes = {c for c in internal_codes() if "_" in c} if english else internal_codes()
    return sorted(c for c in codes if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text))


def test_the_plan_in_chinese_and_english(live_server, transactional_db, cast, vip):
    from panhuo.clients.models import Contact
    from panhuo.surveys.plan_services import service_plan_save
    from panhuo.surveys.services import questionnaire_link_make

    today = timezone.localdate()
    service_plan_save(user=cast.users["alice"], client=vip, goals=["资产长期增值", "仓位降至五成以下"],
                      actions=[{"kind": "contact", "what": "微信沟通调仓思路", "due": today + timedelta(days=7)},
                               {"kind": "product", "what": "稳健型基金", "product": "债券基金A",
                                "product_risk": "R2", "due": today + timedelta(days=21)}],
                      review_on=today + timedelta(days=90))
    contact = Contact.objects.create(client=vip, advisor=cast.advisors["alice"], channel="phone",
                                     outcome="reached", at=timezone.now())
    token = questionnaire_link_make(user=cast.users["alice"], client=vip, key="satisfaction", contact=contact)
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        staff = new_page(browser, width=1280, height=900)
        log_in(staff, live_server.url, "alice", cast.password)
        staff.goto(f"{live_server.url}/clients/CA001/")
        card = staff.inner_text("#plan")
        for text in ("客户行为分析", "重仓", "亏损", "积极型", "资产长期增值", "弱势市道", "当前计划书（第1版）",
                     "微信沟通调仓思路", "债券基金A"):
            assert text in card, text
        assert untranslated_on(card) == [] and _codes_on(visible_text(staff.content())) == []
        staff.locator("#plan").scroll_into_view_if_needed()
        screenshot(staff, "service-plan-360-zh")
        staff.goto(f"{live_server.url}/clients/CA001/plan/")
        body = staff.inner_text("body")
        assert "修订第1版" in body and untranslated_on(body) == []
        assert _codes_on(visible_text(staff.content())) == []
        screenshot(staff, "service-plan-form-zh")

        staff.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        staff.goto(f"{live_server.url}/clients/CA001/")
        card = staff.inner_text("#plan")
        for text in ("Behaviour profile", "Heavy", "At a loss", "Aggressive", "Long-term growth", "weak",
                     "Current plan, version 1"):
            assert text in card, text
        assert _codes_on(visible_text(staff.content()), english=True) == []
        screenshot(staff, "service-plan-360-en")
        staff.goto(f"{live_server.url}/clients/CA001/plan/")
        assert _codes_on(visible_text(staff.content()), english=True) == []
        screenshot(staff, "service-plan-form-en")

        phone = new_page(browser, width=390, height=844)
        phone.goto(f"{live_server.url}/q/{token}/")
        assert phone.title() == "服务满意度调查" and "客户CA001" not in phone.inner_text("body")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "satisfaction-phone-zh")
        phone.locator("fieldset.question").first.locator("label.option").nth(9).click()
        for fs in phone.locator("fieldset.question").all()[1:3]:
            fs.locator("label.option").first.click()
        phone.click("button[type=submit].primary")
        phone.wait_for_selector("p.result")
        assert "谢谢" in phone.inner_text("p.result")
        browser.close()
    from panhuo.clients.models import QuestionnaireAnswer

    a = QuestionnaireAnswer.objects.get(kind="satisfaction")
    assert (a.total, a.via, a.contact_id) == (9, "link", contact.pk)
