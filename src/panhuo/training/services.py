"""Writes: the course material's course, sessions and attendance, exam attempts (start, submit, certificate),
and registrations recorded from the training pages. Every write is one transaction and audited."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.accounts.services import registration_record
from panhuo.audit.services import audit_record
from panhuo.training import banks
from panhuo.training.models import Attempt, Attendance, Certificate, Course, Exam, Material, Module, Session
from panhuo.training.selectors import staff_for_user

# A submission this long after the deadline still counts (a slow network, the page's own clock).
GRACE = timedelta(seconds=60)


def course_from_file(*, key: str = "service-reactivation") -> Course:
    """Create (or bring in step) a course from `courses/<key>.toml` with its modules, materials and exam. A re-run
    changes nothing; a new bank version adds an exam for it and retires the old one."""
    data = banks.courses()[key]
    with transaction.atomic():
        course, _ = Course.objects.update_or_create(key=key, defaults={
            "title_zh": data["title"]["zh"], "title_en": data["title"]["en"],
            "summary_zh": data["summary"]["zh"], "summary_en": data["summary"]["en"],
            "hours": Decimal(str(data.get("hours", 0)))})
        for i, m in enumerate(data.get("modules", []), start=1):
            Module.objects.update_or_create(course=course, order=i, defaults={
                "title_zh": m["title"]["zh"], "title_en": m["title"]["en"], "summary_zh": m["summary"]["zh"],
                "summary_en": m["summary"]["en"], "hours": Decimal(str(m.get("hours", 0)))})
        for i, m in enumerate(data.get("materials", []), start=1):
            Material.objects.update_or_create(course=course, order=i, defaults={
                "title_zh": m["title"]["zh"], "title_en": m["title"]["en"], "note_zh": m["note"]["zh"],
                "note_en": m["note"]["en"], "url": m.get("url", "")})
        if data.get("exam"):
            bank = banks.bank_get(data["exam"])
            Exam.objects.update_or_create(bank_key=bank.key, bank_version=bank.version, defaults={
                "course": course, "per_topic": bank.per_topic, "pass_mark": bank.pass_mark,
                "minutes": bank.minutes, "active": True})
            Exam.objects.filter(bank_key=bank.key, bank_version__lt=bank.version).update(active=False)
    return course


def session_create(*, by, course: Course, when: date, place: str, trainer: str, hours, branch=None,
                   request=None) -> Session:
    require(by, Capability.MANAGE_TRAINING)
    hours = Decimal(str(hours))
    if hours <= 0 or not place.strip() or not trainer.strip():
        raise ValidationError("a session needs its place, trainer and hours")
    branch = branch or by.branch
    if branch is None:
        raise ValidationError("a session belongs to a branch")
    with transaction.atomic():
        session = Session.objects.create(course=course, branch=branch, date=when, place=place.strip(),
                                         trainer=trainer.strip(), hours=hours, created_by=by)
        audit_record(user=by, action="training.session", object_type="course", object_ids=[course.key],
                     request=request, detail={"session": session.pk, "date": when.isoformat(),
                                              "hours": str(hours)})
    return session


def attendance_record(*, by, session: Session, usernames: list[str], hours=None, request=None) -> int:
    """Credit the session's hours (or `hours`, for someone who left early) to each named staff member within the
    recorder's reach. Recording the same person again sets their hours; returns how many were recorded."""
    require(by, Capability.MANAGE_TRAINING)
    reach = staff_for_user(user=by)
    people = list(reach.filter(username__in=usernames))
    if len(people) != len(set(usernames)):
        raise PermissionDenied("staff out of reach")
    credit = Decimal(str(hours)) if hours not in (None, "") else session.hours
    if credit < 0 or credit > session.hours:
        raise ValidationError("hours credited are between 0 and the session's hours")
    with transaction.atomic():
        for u in people:
            Attendance.objects.update_or_create(session=session, user=u,
                                                defaults={"hours": credit, "recorded_by": by})
        audit_record(user=by, action="training.attendance", object_type="user",
                     object_ids=[u.username for u in people], request=request,
                     detail={"session": session.pk, "course": session.course.key, "hours": str(credit)})
    return len(people)


def paper_seed(*, exam: Exam, user: User, number: int) -> int:
    """The seed of an attempt's paper: from the exam, the person and the attempt's number, so each attempt draws
    its own paper and the same attempt can be drawn again."""
    digest = hashlib.sha256(f"{exam.bank_key}:{exam.bank_version}:{user.pk}:{number}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def attempt_start(*, user, exam: Exam, now: datetime | None = None, request=None) -> Attempt:
    """Start an attempt: its paper is drawn now and the clock starts. An attempt still open and in time is
    returned instead of a second one."""
    if not exam.active:
        raise ValidationError("this exam is closed")
    now = now or timezone.now()
    with transaction.atomic():
        open_one = Attempt.objects.filter(exam=exam, user=user, submitted_at__isnull=True,
                                          deadline__gt=now).first()
        if open_one is not None:
            return open_one
        number = Attempt.objects.filter(exam=exam, user=user).count() + 1
        seed = paper_seed(exam=exam, user=user, number=number)
        bank = banks.bank_get(exam.bank_key, exam.bank_version)
        attempt = Attempt.objects.create(
            exam=exam, user=user, number=number, seed=seed,
            questions=banks.draw(bank, seed=seed, per_topic=exam.per_topic),
            started_at=now, deadline=now + timedelta(minutes=exam.minutes))
        audit_record(user=user, action="training.exam_start", object_type="exam", object_ids=[exam.bank_key],
                     request=request, detail={"attempt": attempt.pk, "number": number, "seed": seed})
    return attempt


def attempt_submit(*, user, attempt: Attempt, answers: dict, now: datetime | None = None,
                   request=None) -> Attempt:
    """Submit one's own attempt: scored at once, a certificate issued when passed. Submitted after the time
    allowed (and its grace): no answer counts, so the attempt fails. A second submission changes nothing."""
    if attempt.user_id != user.pk:
        raise PermissionDenied("only the candidate submits their attempt")
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.submitted_at is not None:
            return attempt
        exam = attempt.exam
        bank = banks.bank_get(exam.bank_key, exam.bank_version)
        late = now > attempt.deadline + GRACE
        kept = {k: sorted(banks.answer_set(answers.get(k))) for k in attempt.questions}
        result = banks.score(bank, attempt.questions, {} if late else kept, pass_mark=exam.pass_mark)
        attempt.answers, attempt.submitted_at, attempt.late = kept, now, late
        attempt.correct, attempt.total = result.correct, result.total
        attempt.percent, attempt.passed = Decimal(str(result.percent)), result.passed
        attempt.save()
        if result.passed:
            Certificate.objects.create(attempt=attempt, issued_on=timezone.localdate(now),
                                       number=f"PX{now:%Y}{attempt.pk:06d}")
        audit_record(user=user, action="training.exam_submit", object_type="exam", object_ids=[exam.bank_key],
                     request=request, detail={"attempt": attempt.pk, "correct": result.correct,
                                              "total": result.total, "passed": result.passed, "late": late})
    return attempt


def registration_save(*, by, staff: User, kind: str, number: str, registered_on: date, expires_on: date,
                      request=None):
    """Record a staff member's registration or renewal from the training pages: the table (MANAGE_TRAINING) and
    the reach (their branch) decide who may."""
    require(by, Capability.MANAGE_TRAINING)
    if not staff_for_user(user=by).filter(pk=staff.pk).exists():
        raise PermissionDenied("staff out of reach")
    return registration_record(by=by, user=staff, kind=kind, number=number, registered_on=registered_on,
                               expires_on=expires_on, request=request)
