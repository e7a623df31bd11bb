"""The course material's course with its exam, and a session of it in branch A."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


@pytest.fixture
def course(cast):
    from panhuo.training.services import course_from_file

    return course_from_file()


@pytest.fixture
def exam(course):
    return course.exams.get(active=True)


@pytest.fixture
def session(cast, course):
    from panhuo.training.services import session_create

    return session_create(by=cast.users["director_a"], course=course, when=date.today() - timedelta(days=3),
                          place="三楼培训室", trainer="王老师", hours=12)


def answers(exam, attempt, *, wrong: int = 0) -> dict:
    """Answers to the attempt's paper: all right but the first `wrong` (an option not in the right set)."""
    from panhuo.training.banks import bank_get

    bank = bank_get(exam.bank_key, exam.bank_version)
    out = {}
    for i, key in enumerate(attempt.questions):
        q = bank.questions[key]
        right = sorted(q.answer)
        out[key] = [next(k for k, _ in q.options if k not in q.answer)] if i < wrong else right
    return out
