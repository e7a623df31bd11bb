"""Every training page in Chinese and in English, for an advisor and the director: Chinese pages show no internal
code (registration types, states, due reasons, question kinds, topics, question keys); English pages show Chinese
only in names and data (staff, branches, the session's place and trainer)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from panhuo.accounts.services import registration_record
from panhuo.training import banks, services
from tests.training.conftest import answers
from tests.web.test_chinese_pages import CJK, visible_text


def codes() -> set[str]:
    bank = banks.bank_get("service-reactivation")
    found = {"general", "advisor", "lapsed", "expiring", "current", "none", "single", "multiple", "truefalse",
             "registration_general", "registration_advisor", "hours", "exam", "service-reactivation"}
    found |= {k for k, _ in bank.topics} | set(bank.questions)
    return found


@pytest.fixture
def busy(cast, session, exam):
    today = date.today()
    alice = cast.users["alice"]
    registration_record(by=None, user=alice, kind="general", number="S0001", registered_on=today - timedelta(days=400),
                        expires_on=today + timedelta(days=700))
    registration_record(by=None, user=alice, kind="advisor", number="A0001", registered_on=today - timedelta(days=400),
                        expires_on=today - timedelta(days=2))
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["alice", "bob"])
    failed = services.attempt_start(user=alice, exam=exam)
    failed = services.attempt_submit(user=alice, attempt=failed, answers=answers(exam, failed, wrong=5))
    passed = services.attempt_start(user=alice, exam=exam)
    passed = services.attempt_submit(user=alice, attempt=passed, answers=answers(exam, passed, wrong=1))
    open_one = services.attempt_start(user=cast.users["bob"], exam=exam)
    return {"alice": ["/training/", f"/training/courses/{exam.course.key}/", f"/training/attempts/{failed.pk}/",
                      f"/training/attempts/{passed.pk}/", "/training/staff/alice/", "/today/"],
            "bob": [f"/training/attempts/{open_one.pk}/", "/training/"],
            "director_a": ["/training/", f"/training/courses/{exam.course.key}/", "/training/staff/",
                           "/training/staff/alice/", f"/training/attempts/{failed.pk}/", "/today/"]}


@pytest.mark.django_db
def test_training_pages_in_chinese_show_no_code_and_in_english_no_chinese_but_names(client, cast, busy, session):
    from panhuo.accounts.models import User
    from panhuo.clients.models import Advisor, Branch

    word = re.compile(r"(?<![A-Za-z0-9_.\-/])(" + "|".join(sorted(map(re.escape, codes()), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_\-])")
    names = ({u.get_full_name() for u in User.objects.all() if u.get_full_name()}
             | set(Advisor.objects.values_list("name", flat=True)) | set(Branch.objects.values_list("name", flat=True))
             | {session.place, session.trainer, "简体中文", "盘活"})      # the brand, the language switch
    found, chinese = {}, {}
    for username, paths in busy.items():
        client.force_login(cast.users[username])
        for lang in ("zh-hans", "en"):
            client.cookies["django_language"] = lang
            for path in paths:
                r = client.get(path)
                assert r.status_code == 200, (username, path, r.status_code)
                text = visible_text(r.content.decode())
                if lang == "zh-hans":
                    if hits := sorted(set(word.findall(text))):
                        found[(username, path)] = hits
                    assert "培训" in text
                else:
                    rest = text
                    for n in sorted(names, key=len, reverse=True):
                        rest = rest.replace(n, "")
                    if left := sorted(set(CJK.findall(rest))):
                        chinese[(username, path)] = left
    assert not found, f"internal codes on Chinese pages: {found}"
    assert not chinese, f"Chinese on English pages outside names: {chinese}"
