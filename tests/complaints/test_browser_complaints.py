"""The complaint pages in Debian's Chromium, in Chinese and in English: Alice registers a complaint from her
client's 360 page, the director takes it on and resolves it; compliance reads the call-back coverage.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from panhuo.complaints import services
from tests.complaints.helpers import file_complaint, month_of_activity
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_a_complaint_from_the_360_page_to_its_resolution_in_both_languages(live_server, transactional_db, cast):
    sync_api = browser_or_skip()
    file_complaint(cast, client="CA002", days_ago=30, category="misselling", channel="regulator",
                   text="12386转办：推荐产品风险过高")
    services.complaints_escalate_due()
    month = month_of_activity(cast)
    services.callbacks_sample(branch_id=cast.branches["A"].pk, month=month, seed="fixed")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        alice = new_page(browser, width=1280)
        log_in(alice, live_server.url, "alice", cast.password)
        alice.goto(f"{live_server.url}/clients/CA001/")
        alice.locator("#complaints").wait_for()
        alice.click("#complaints a.button")
        alice.select_option("select[name=channel]", "counter")
        alice.select_option("select[name=category]", "attitude")
        alice.fill("textarea[name=description]", "客户反映投顾电话沟通时态度生硬")
        alice.click("button.primary")
        alice.locator("dl.facts").wait_for()
        text = alice.inner_text("body")
        assert "投诉已登记" in text and "服务态度" in text and "柜台" in text
        assert untranslated_on(text) == [] and "attitude" not in text
        screenshot(alice, "complaints-registered-zh")

        director = new_page(browser, width=1280)
        log_in(director, live_server.url, "director_a", cast.password)
        director.goto(f"{live_server.url}/complaints/")
        text = director.inner_text("body")
        assert "已超期" in text and "误导销售/适当性" in text and untranslated_on(text) == []
        assert director.locator("tr.overdue").count() == 1
        screenshot(director, "complaints-list-zh")
        director.click("tr:not(.overdue) td.nowrap a >> nth=0")      # the new one, below the overdue one
        director.locator("form.step").first.wait_for()
        director.click("form.step button.primary >> nth=0")      # start the investigation
        director.locator("textarea[name=resolution]").wait_for()
        director.fill("textarea[name=resolution]", "已核实，向客户致歉并提醒投顾注意沟通方式")
        director.check("input[name=substantiated][value=yes]")
        director.click("text=办理完毕")
        director.locator("input[name=confirmed_on]").wait_for()
        text = director.inner_text("body")
        assert "已处理" in text and "属实" in text and "开始调查" in text and untranslated_on(text) == []
        screenshot(director, "complaints-detail-zh")

        director.click("button[value=en]")
        director.goto(f"{live_server.url}/complaints/?show=all")
        text = director.inner_text("body")
        assert "Misleading sales or suitability" in text and "past the deadline" in text
        screenshot(director, "complaints-list-en")

        comp = new_page(browser, width=1280)
        log_in(comp, live_server.url, "compliance", cast.password)
        comp.goto(f"{live_server.url}/callbacks/")
        comp.click("td a.button >> nth=0")
        comp.locator("ol.script").wait_for()
        assert untranslated_on(comp.inner_text("body")) == []
        screenshot(comp, "callback-script-zh")
        comp.click("input[name=outcome][value=confirmed]")
        comp.click("button.primary")
        comp.goto(f"{live_server.url}/callbacks/coverage/")
        text = comp.inner_text("body")
        assert "回访覆盖情况" in text and untranslated_on(text) == []
        screenshot(comp, "callback-coverage-zh")
        browser.close()
