"""The scorecard page in Debian's Chromium, in Chinese and in English: the director reviews October, comments and
signs off; the signed month shows locked. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from panhuo.appraisal import services
from panhuo.appraisal.models import ActivityTarget
from tests.appraisal.helpers import MONTH, alices_book, substantiated_complaints
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_the_director_reviews_and_signs_a_scorecard_in_both_languages(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    alices_book(cast)
    ActivityTarget.objects.create(advisor=cast.advisors["alice"], phone_per_week=20)
    services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"], month=MONTH)
    url = f"{live_server.url}/appraisal/A01/2026-10/"
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, width=1280)
        log_in(page, live_server.url, "director_a", cast.password)
        page.goto(url)
        text = page.inner_text("body")
        assert "绩效考核表" in text and "活动提升带来的激活客户" in text and "针对投顾的属实投诉" in text
        assert "net_inflow" not in text and "commission_based" not in text      # no internal codes as text
        assert untranslated_on(text) == []
        page.fill("textarea[name=comment]", "覆盖率需提高，继续跟进VIP客户")
        page.click("button[value=comment]")
        page.click("button[value=sign]")
        page.locator(".status-signed").wait_for()
        text = page.inner_text("body")
        assert "已锁定" in text and "覆盖率需提高" in text and page.locator("button[value=sign]").count() == 0
        screenshot(page, "appraisal-scorecard-zh")

        page.goto(f"{live_server.url}/appraisal/")
        assert untranslated_on(page.inner_text("body")) == []
        screenshot(page, "appraisal-team-zh")

        page.goto(f"{live_server.url}/appraisal/A01/")
        page.fill("input[name=phone_per_week]", "25")
        page.click("form.targets-form button[type=submit]")
        page.locator("ul.messages").wait_for()
        assert "目标已保存" in page.inner_text("body") and untranslated_on(page.inner_text("body")) == []
        screenshot(page, "appraisal-advisor-zh")

        page.click("button[value=en]")
        page.goto(url)
        text = page.inner_text("body")
        assert "Reactivations by campaign lift" in text and "this month is locked" in text
        screenshot(page, "appraisal-scorecard-en")

        alice = new_page(browser)
        log_in(alice, live_server.url, "alice", cast.password)
        alice.goto(f"{live_server.url}/today/")
        alice.locator("#appraisal-today").wait_for()
        screenshot(alice, "appraisal-today-panel-zh")
        browser.close()


@pytest.mark.parametrize("n", [2, 4])
def test_the_complaints_row_reads_as_a_deduction_in_both_languages(live_server, transactional_db, cast, n):
    sync_api = browser_or_skip()
    alices_book(cast)
    substantiated_complaints(cast, n)
    services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"], month=MONTH)
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, width=1280)
        log_in(page, live_server.url, "director_a", cast.password)
        page.goto(f"{live_server.url}/appraisal/A01/2026-10/")
        cells = page.locator("tr.item-complaints td.num").all_inner_texts()
        assert [" ".join(c.split()) for c in cells] == [
            f"{n} 件", "—", "计 3 件 已封顶" if n > 3 else f"计 {n} 件", "最多计 3 件", "每件 -5", f"{-5 * min(n, 3)}.0"]
        assert untranslated_on(page.inner_text("body")) == []
        screenshot(page, f"appraisal-scorecard-complaints-{n}-zh")
        page.click("button[value=en]")
        page.goto(f"{live_server.url}/appraisal/A01/2026-10/")
        cells = page.locator("tr.item-complaints td.num").all_inner_texts()
        assert [" ".join(c.split()) for c in cells] == [
            str(n), "—", "3 counted capped" if n > 3 else f"{n} counted", "at most 3", "-5 each", f"{-5 * min(n, 3)}.0"]
        screenshot(page, f"appraisal-scorecard-complaints-{n}-en")
        browser.close()
