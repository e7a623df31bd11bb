"""In Debian's Chromium, in Chinese and in English: the director plans a session of the course and records who
attended; the advisor takes the exam, sees the review and downloads the certificate; a lapsed advisor
registration shows on Today, on the advisor's training page and on the director's report. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from panhuo.accounts.services import registration_record
from panhuo.training import banks
from panhuo.training.models import Attempt
from tests.web.browser import browser_or_skip, launch, log_in, new_page, screenshot, untranslated_on

pytestmark = pytest.mark.browser


def test_a_course_from_session_to_certificate_and_a_lapsed_registration(live_server, transactional_db, cast,
                                                                         monkeypatch):
    from panhuo.training.services import course_from_file

    # The test reads the drawn paper from the store while Playwright's loop runs in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = browser_or_skip()
    course = course_from_file()
    today = date.today()
    registration_record(by=None, user=cast.users["alice"], kind="advisor", number="A2023-0042",
                        registered_on=today - timedelta(days=3 * 365), expires_on=today - timedelta(days=5))
    base = live_server.url
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        boss = new_page(browser, width=1280)
        log_in(boss, base, "director_a", cast.password)
        boss.goto(f"{base}/training/courses/{course.key}/")
        boss.fill("input[name=date]", (today - timedelta(days=1)).isoformat())
        boss.fill("input[name=place]", "三楼培训室")
        boss.fill("input[name=trainer]", "王老师")
        boss.click("form.session-form button[type=submit]")
        boss.locator("ul.messages").wait_for()
        assert "场次已保存" in boss.inner_text("body")
        boss.check("form.attendance-form input[value=alice]")
        boss.click("form.attendance-form button[type=submit]")
        boss.locator("ul.messages").wait_for()
        text = boss.inner_text("body")
        assert "已登记出勤：1 人" in text and "Alice 艾丽 (12.0)" in text and untranslated_on(text) == []
        screenshot(boss, "training-course-zh")

        alice = new_page(browser, width=1100)
        log_in(alice, base, "alice", cast.password)
        alice.goto(f"{base}/today/")
        alice.locator("#training-today").wait_for()
        assert "投资顾问注册已过期" in alice.inner_text("#training-today")
        screenshot(alice, "training-today-lapsed-zh")
        alice.goto(f"{base}/training/")
        text = alice.inner_text("body")
        assert "已过期" in text and "续期之前不能发送具体投资建议" in text and "12.0" in text
        screenshot(alice, "training-mine-lapsed-zh")
        alice.click("button:has-text('参加考试')")
        alice.locator("form.exam-paper").wait_for()
        attempt = Attempt.objects.get(user=cast.users["alice"])
        bank = banks.bank_get(attempt.exam.bank_key, attempt.exam.bank_version)
        wrong_key = attempt.questions[0]
        for key in attempt.questions:
            q = bank.questions[key]
            chosen = sorted(q.answer) if key != wrong_key else [next(k for k, _ in q.options if k not in q.answer)]
            for option in chosen:
                alice.check(f"input[name='q-{key}'][value='{option}']")
        assert alice.locator("#exam-timer").inner_text().startswith("⏱")
        screenshot(alice, "training-exam-paper-zh")
        alice.click("form.exam-paper button[type=submit]")
        alice.locator("section.result").wait_for()
        text = alice.inner_text("body")
        assert "已通过" in text and "答对 9 / 10 题" in text and "错题回顾" in text
        assert bank.questions[wrong_key].explanation["zh"] in text and untranslated_on(text) == []
        href = alice.get_attribute("a:has-text('下载证书')", "href")
        pdf = alice.request.get(f"{base}{href}")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        screenshot(alice, "training-exam-review-zh")

        boss.goto(f"{base}/training/staff/")
        text = boss.inner_text("body")
        assert "投顾注册待续期" in text and "不能发送具体投资建议" in text and untranslated_on(text) == []
        screenshot(boss, "training-staff-zh")

        alice.click("button[value=en]")
        alice.goto(f"{base}/training/attempts/{attempt.pk}/")
        text = alice.inner_text("body")
        assert "Passed" in text and "Review of wrong answers" in text and bank.questions[wrong_key].explanation["en"] in text
        screenshot(alice, "training-exam-review-en")
        alice.goto(f"{base}/training/")
        assert "cannot be sent until it is renewed" in alice.inner_text("body")
        screenshot(alice, "training-mine-lapsed-en")
        boss.click("button[value=en]")
        boss.goto(f"{base}/training/staff/")
        assert "Advisor registration to renew" in boss.inner_text("body")
        screenshot(boss, "training-staff-en")
        browser.close()
