"""Events in Debian's Chromium, in Chinese and English: the event page, the client's own registration page and the
phone check-in page at the door (390 px), checking a client in by the typed code; the 360 page's events section.
Screenshots in test-artifacts/; no English left untranslated on the Chinese pages."""

from __future__ import annotations

import pytest

from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_event_pages_and_the_phone_check_in_in_chinese_and_english(live_server, transactional_db, cast):
    from panhuo.clients.events import link_token
    from panhuo.clients.models import EventRegistration
    from panhuo.events import services
    from tests.events.conftest import make_event

    event = make_event(cast, capacity=2)
    reg = services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])
    services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA002"])
    invited = EventRegistration.objects.create(event=event, client=cast.clients["CA003"],
                                               advisor=cast.advisors["alice"], status="invited", via="campaign")
    link = f"{live_server.url}/e/{link_token(invited)}/"
    own = f"{live_server.url}/e/{link_token(reg)}/"
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        # The client's own page on their phone: the event is full, so a yes puts them on the waiting list.
        phone = new_page(browser, width=390, height=844)
        phone.goto(link)
        text = phone.inner_text("body")
        assert "投资者教育：认识风险" in text and "好的，我参加" in text and untranslated_on(text) == []
        assert "客户CA003" not in text
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "event-public-phone-zh")
        phone.click("button[value=yes]")
        phone.wait_for_selector("text=候补名单")
        screenshot(phone, "event-public-phone-zh-waitlisted")

        # A registered client's page shows the QR code and the typed code for the door.
        mine = new_page(browser, width=390, height=844)
        mine.goto(own)
        assert mine.locator(".qr svg").count() == 1 and reg.code in mine.inner_text("body")
        assert mine.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(mine, "event-public-phone-zh-qr")
        mine.click("button[lang=en]")
        mine.wait_for_selector("html[lang=en]")
        assert "Show this code at the door." in mine.inner_text("body")
        screenshot(mine, "event-public-phone-en-qr")

        # The door: the director's phone, the typed code, the count goes up.
        door = new_page(browser, width=390, height=844)
        log_in(door, live_server.url, "director_a", cast.password)
        door.goto(f"{live_server.url}/events/{event.pk}/checkin/")
        text = door.inner_text("body")
        assert "扫描客户的二维码" in text and untranslated_on(text) == []
        assert door.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(door, "event-checkin-phone-zh")
        door.fill("#code", reg.code.lower())
        door.click("button[type=submit].primary")
        door.wait_for_selector("[role=status]")
        assert "已签到" in door.inner_text("[role=status]") and "CA001" not in door.inner_text("body")
        screenshot(door, "event-checkin-phone-zh-done")
        door.click("button[lang=en]")
        door.wait_for_selector("html[lang=en]")
        assert "Scan the client's QR code" in door.inner_text("body")
        assert door.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(door, "event-checkin-phone-en")

        # The event page and the 360 page, the advisor's view.
        staff = new_page(browser)
        log_in(staff, live_server.url, "alice", cast.password)
        staff.goto(f"{live_server.url}/events/{event.pk}/")
        text = staff.inner_text("body")
        assert "报名名单" in text and "客户CA001" in text and untranslated_on(text) == []
        screenshot(staff, "event-detail-zh")
        staff.goto(f"{live_server.url}/clients/CA001/")
        card = staff.inner_text("#events")
        assert "投资者教育：认识风险" in card and "已到场" in card
        screenshot(staff, "client360-events-zh")
        staff.click("button[lang=en]")
        staff.wait_for_selector("html[lang=en]")
        staff.goto(f"{live_server.url}/events/{event.pk}/")
        assert "Registrations" in staff.inner_text("body")
        screenshot(staff, "event-detail-en")
        browser.close()
    assert EventRegistration.objects.get(pk=invited.pk).status == "waitlisted"
    assert EventRegistration.objects.get(pk=reg.pk).checked_in_at is not None
