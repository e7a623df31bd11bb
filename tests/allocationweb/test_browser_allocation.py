"""The allocation page in Debian's Chromium, Chinese then English: load chart, fairness per level, departed
advisors' books, unassigned clients; a preview's diff; approval with the confirmation. Screenshots in
test-artifacts/ (allocation-zh, allocation-preview-zh, allocation-preview-en); no English left untranslated."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


@pytest.fixture
def bigger_branch(branch_a):
    """Branch A with four active advisors of two levels, a departed one, and sixty clients of varied assets."""
    from panhuo.allocationweb.models import AllocationPolicy
    from panhuo.clients.models import Advisor, Client, ClientSnapshot

    a = branch_a.branches["A"]
    Advisor.objects.filter(advisor_id__in=["A01", "A02"]).update(capacity=25)
    eve = Advisor.objects.create(advisor_id="A05", branch=a, name="Eve 伊芙", level="senior", capacity=15)
    frank = Advisor.objects.create(advisor_id="A06", branch=a, name="Frank 弗兰克", level="senior", capacity=15)
    owners = [branch_a.advisors["alice"]] * 17 + [branch_a.advisors["bob"]] * 4 + [eve] * 10 + [frank] * 2 + \
        [branch_a.advisors["dora"]] * 8 + [None] * 7
    for i, owner in enumerate(owners):
        c = Client.objects.create(client_id=f"CX{i:03d}", branch=a, advisor=owner, name=f"客户{i:03d}")
        assets = 30_000 + (i * 7919) % 900_000
        ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 30), total_assets=assets, tier="mass",
                                      is_dormant=i % 4 == 0, trading_style="long_term")
    AllocationPolicy.objects.create(branch=a, band=0.3)
    return branch_a


def test_the_director_previews_and_approves_in_chinese_and_english(live_server, transactional_db, bigger_branch,
                                                                   monkeypatch):
    from panhuo.clients.models import Client, Task

    # The checks read the store while Playwright's event loop runs in this thread (the server runs in its own).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, width=1280, height=900)
        log_in(page, live_server.url, "director_a", bigger_branch.password)
        page.click("nav.mainnav >> text=客户分配")
        page.wait_for_selector("#load-chart canvas")
        text = page.inner_text("body")
        screenshot(page, "allocation-zh")
        assert "服务负荷与服务能力" in text and "已离职仍有客户的投资顾问" in text and "Dora 多拉" in text
        assert untranslated_on(text) == []

        page.click("#make form button.primary")
        page.wait_for_selector("#preview")
        text = page.inner_text("body")
        screenshot(page, "allocation-preview-zh")
        assert "哪些客户调整，原因是什么" in text and "原投资顾问Dora 多拉已离职" in text
        assert "advisor_departed" not in text and untranslated_on(text) == []
        before = dict(Client.objects.values_list("client_id", "advisor_id"))

        page.click("button[value=en]")
        page.wait_for_selector("#preview")
        text = page.inner_text("body")
        screenshot(page, "allocation-preview-en")
        assert "Who moves, and why" in text and "the previous advisor Dora 多拉 has left" in text
        assert dict(Client.objects.values_list("client_id", "advisor_id")) == before     # nothing changed yet

        page.check("#approve input[name=confirm]")
        page.click("#approve button.primary")
        page.wait_for_selector(".messages")
        assert "Approved" in page.inner_text(".messages")
        assert not Client.objects.filter(advisor__advisor_id="A04").exists()
        assert Task.objects.filter(kind="handover").exists()
        browser.close()
