"""Papers drawn per attempt (reproducible, different per attempt, N per topic), scoring against the pass mark,
the time allowed, the wrong-answer review and the certificate PDF."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from panhuo.training import banks
from panhuo.training.models import Attempt, Certificate
from panhuo.training.services import attempt_start, attempt_submit
from tests.pdftext import pdf_text
from tests.training.conftest import answers


def test_the_bank_files_load_and_every_question_is_well_formed():
    bank = banks.bank_get("service-reactivation")
    assert len(bank.topics) == 5 and len(bank.questions) >= 20
    assert {q.kind for q in bank.questions.values()} == {"single", "multiple", "truefalse"}
    for q in bank.questions.values():
        assert q.answer <= {k for k, _ in q.options} and q.text["zh"] and q.explanation["en"]


def test_a_broken_bank_is_refused_with_the_reason():
    bad = {"key": "x", "version": 1, "title": {"zh": "x", "en": "x"}, "per_topic": 1,
           "topics": [{"key": "t", "zh": "t", "en": "t"}],
           "questions": [{"key": "q", "topic": "t", "kind": "single", "zh": "?", "en": "?",
                          "options": [{"key": "A", "zh": "a", "en": "a"}, {"key": "B", "zh": "b", "en": "b"}],
                          "answer": ["A", "B"], "explanation": {"zh": "e", "en": "e"}}]}
    with pytest.raises(banks.BankError, match="single-choice"):
        banks.bank_parse(bad)


def test_a_paper_is_reproducible_from_its_seed_and_draws_n_per_topic():
    bank = banks.bank_get("service-reactivation")
    first = banks.draw(bank, seed=12345, per_topic=2)
    assert first == banks.draw(bank, seed=12345, per_topic=2)
    assert Counter(bank.questions[k].topic for k in first) == {t: 2 for t, _ in bank.topics}
    papers = {tuple(banks.draw(bank, seed=s, per_topic=2)) for s in range(20)}
    assert len(papers) > 10                                     # seeds draw different papers


@pytest.mark.django_db
def test_each_attempt_draws_its_own_paper_and_the_stored_seed_draws_it_again(cast, exam):
    alice = cast.users["alice"]
    now = timezone.now()
    one = attempt_start(user=alice, exam=exam, now=now)
    assert attempt_start(user=alice, exam=exam, now=now + timedelta(minutes=1)).pk == one.pk   # still open
    attempt_submit(user=alice, attempt=one, answers={}, now=now + timedelta(minutes=2))
    two = attempt_start(user=alice, exam=exam, now=now + timedelta(minutes=3))
    assert (one.number, two.number) == (1, 2) and one.seed != two.seed and one.questions != two.questions
    bank = banks.bank_get(exam.bank_key, exam.bank_version)
    assert banks.draw(bank, seed=two.seed, per_topic=exam.per_topic) == two.questions
    bob = attempt_start(user=cast.users["bob"], exam=exam, now=now)
    assert bob.questions != one.questions


def test_scoring_counts_a_multiple_choice_question_only_when_the_set_is_exact():
    bank = banks.bank_get("service-reactivation")
    multiple = next(q for q in bank.questions.values() if q.kind == "multiple")
    single = next(q for q in bank.questions.values() if q.kind == "single")
    tf = next(q for q in bank.questions.values() if q.kind == "truefalse")
    paper = [multiple.key, single.key, tf.key]
    right = {multiple.key: sorted(multiple.answer), single.key: sorted(single.answer)[0], tf.key: sorted(tf.answer)}
    assert banks.score(bank, paper, right).correct == 3
    partial = {**right, multiple.key: sorted(multiple.answer)[:-1]}
    result = banks.score(bank, paper, partial, pass_mark=60)
    assert (result.correct, result.percent, result.passed) == (2, 66.7, True)
    assert not banks.score(bank, paper, partial, pass_mark=70).passed
    assert [i["ok"] for i in result.items] == [False, True, True]


@pytest.mark.django_db
def test_pass_mark_certificate_and_fail_without_one(cast, exam):
    alice, bob = cast.users["alice"], cast.users["bob"]
    a = attempt_start(user=alice, exam=exam)
    a = attempt_submit(user=alice, attempt=a, answers=answers(exam, a, wrong=2))     # 8 of 10: the mark is 80
    assert (a.correct, a.total, a.passed) == (8, 10, True) and Certificate.objects.filter(attempt=a).exists()
    b = attempt_start(user=bob, exam=exam)
    b = attempt_submit(user=bob, attempt=b, answers=answers(exam, b, wrong=3))
    assert (b.correct, b.passed) == (7, False) and not Certificate.objects.filter(attempt=b).exists()
    again = attempt_submit(user=bob, attempt=b, answers=answers(exam, b))             # a second submission
    assert again.correct == 7 and Attempt.objects.get(pk=b.pk).correct == 7


@pytest.mark.django_db
def test_a_paper_submitted_after_the_time_allowed_scores_nothing(cast, exam):
    alice = cast.users["alice"]
    start = timezone.now() - timedelta(minutes=exam.minutes + 5)
    a = attempt_start(user=alice, exam=exam, now=start)
    a = attempt_submit(user=alice, attempt=a, answers=answers(exam, a))
    assert a.late and a.correct == 0 and a.passed is False


@pytest.mark.django_db
def test_the_review_after_submitting_shows_the_wrong_answers_the_right_ones_and_why(client, cast, exam):
    alice = cast.users["alice"]
    client.force_login(alice)
    r = client.post(f"/training/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(user=alice)
    assert r.status_code == 302 and r["Location"] == f"/training/attempts/{attempt.pk}/"
    page = client.get(r["Location"])
    bank = banks.bank_get(exam.bank_key, exam.bank_version)
    first = bank.questions[attempt.questions[0]]
    assert first.text["zh"] in page.content.decode() and first.explanation["zh"] not in page.content.decode()
    given = answers(exam, attempt, wrong=1)
    data = {f"q-{k}": v for k, v in given.items()}
    client.post(f"/training/attempts/{attempt.pk}/", data)
    attempt.refresh_from_db()
    assert attempt.correct == 9 and attempt.passed
    body = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    review = body.split("错题回顾")[1]
    wrong_option = dict(first.options)[given[first.key][0]]["zh"]
    right_options = [dict(first.options)[k]["zh"] for k in sorted(first.answer)]
    assert first.text["zh"] in review and wrong_option in review and first.explanation["zh"] in review
    assert all(o in review for o in right_options)
    assert "下载证书" in body


@pytest.mark.django_db
def test_the_certificate_pdf_carries_the_chinese_text(client, cast, exam):
    alice = cast.users["alice"]
    a = attempt_start(user=alice, exam=exam)
    a = attempt_submit(user=alice, attempt=a, answers=answers(exam, a))
    cert = a.certificate
    client.force_login(alice)
    r = client.get(f"/training/certificates/{cert.number}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and b"STSong-Light" in r.content
    try:
        from pypdf import PdfReader
    except ImportError:
        PdfReader = None
    if PdfReader is not None:
        import io

        text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    else:
        text = pdf_text(r.content)
    assert "结业证书" in text and "艾丽" in text and cert.number in text, text
    assert exam.course.title_zh in text and "10/10" in text
    client.force_login(cast.users["bob"])                         # another advisor's certificate: out of reach
    assert client.get(f"/training/certificates/{cert.number}.pdf").status_code == 404
    client.force_login(cast.users["director_a"])                  # the branch's director may open it
    assert client.get(f"/training/certificates/{cert.number}.pdf").status_code == 200
