"""In Debian's Chromium: the director opens the branch holdout page from the campaign list and reads the effect
of all outreach, in Chinese. Screenshot in test-artifacts/campaigns-holdout.png."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_director_reads_the_branch_holdout(live_server, transactional_db, branch_world):
    from panhuo.clients.holdout import holdout_rotate
    from panhuo.clients.models import Client, ClientSnapshot

    start = date.today() - timedelta(days=60)
    draw = holdout_rotate(branch=branch_world.branches["A"], today=start, share=0.3, months=6, seed=2)
    held = set(draw.members.values_list("client_id", flat=True))
    for i, c in enumerate(Client.objects.filter(branch=branch_world.branches["A"]).order_by("pk")):
        ClientSnapshot.objects.filter(client=c).update(is_latest=False)
        ClientSnapshot.objects.create(client=c, as_of=start - timedelta(days=1), is_dormant=True, is_latest=False)
        back = i % 4 == 0 if c.pk in held else i % 2 == 0
        ClientSnapshot.objects.create(client=c, as_of=date.today() - timedelta(days=1), is_dormant=not back,
                                      days_since_last_trade=5 if back else 200)
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = new_page(browser, 1280, 900)
        log_in(page, live_server.url, "director_a", branch_world.password)
        page.goto(f"{live_server.url}/campaigns/")
        page.click("#holdout-link")
        page.wait_for_selector("#holdout-B001")
        text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
        assert "长期对照组" in text and "期初休眠客户中恢复交易的比例" in text and untranslated_on(text) == []
        screenshot(page, "campaigns-holdout")
        browser.close()
