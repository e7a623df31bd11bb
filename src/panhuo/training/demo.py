"""`panhuo demo`'s training records (clients.registry demo seeder): the course material's course with a session
held two weeks ago and who attended it, exam attempts (passed with a certificate, and failed), and the demo
staff's professional registrations, one investment-advisor registration lapsed so the demo shows it blocking
specific advice (the switch suggestion's send button).

Needs the demo users: `panhuo demo` creates them before it runs the seeders. Registrations and the session are
dated from today (a registration is current or lapsed now, whatever the simulated data's date); the rest is
deterministic for the seed. Through the services, so it is audited and checked like a person's work."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from panhuo.accounts.models import Registration, Role, User
from panhuo.accounts.services import registration_record
from panhuo.training import banks, services
from panhuo.training.models import Attempt, Session


def _answers(bank, paper: list[str], *, wrong: int) -> dict:
    """Answers to a paper with the first `wrong` questions answered wrong (the first other option)."""
    out = {}
    for i, key in enumerate(paper):
        q = bank.questions[key]
        right = sorted(q.answer)
        if i < wrong:
            other = [k for k, _ in q.options if k not in q.answer]
            out[key] = other[:1] or right[:-1]
        else:
            out[key] = right
    return out


def demo_seed(*, as_of, seed: int) -> str | None:
    course = services.course_from_file()
    director = User.objects.filter(is_active=True, role=Role.DIRECTOR).order_by("username").first()
    if director is None or director.branch_id is None:
        return f"training: course {course.title_zh} (no demo staff yet: no session, exams or registrations)"
    # The director's branch's staff: the session is theirs, and they record what is within their reach.
    staff = list(User.objects.filter(is_active=True, branch_id=director.branch_id,
                                     role__in=[Role.ADVISOR, Role.DIRECTOR, Role.MANAGER])
                 .select_related("advisor", "branch").order_by("username"))
    today = timezone.localdate()
    held = max(today.replace(month=1, day=1), today - timedelta(days=14))
    session = Session.objects.filter(course=course, date=held, branch=director.branch).first()
    if session is None:
        session = services.session_create(by=director, course=course, when=held, place="营业部三楼培训室",
                                          trainer="服务总监（内训）", hours=course.hours)
    advisors = [u for u in staff if u.role == Role.ADVISOR]
    # Everyone attended; the last advisor left after the morning (half the hours), so they are short this year.
    full = [u.username for u in staff if u is not advisors[-1]] if advisors else [u.username for u in staff]
    services.attendance_record(by=director, session=session, usernames=full)
    if advisors:
        services.attendance_record(by=director, session=session, usernames=[advisors[-1].username],
                                   hours=course.hours / 2)

    # Registrations: every member of staff 一般从业; advisors above junior level and the branch's leaders also
    # 证券投资顾问. The second such advisor's lapsed ten days ago; the third's expires within the due window.
    def reg(user, kind, n, start, end):
        if not Registration.objects.filter(user=user, kind=kind, registered_on=start).exists():
            registration_record(by=None, user=user, kind=kind, number=n, registered_on=start, expires_on=end)

    seniors = [u for u in advisors if u.advisor and u.advisor.level != "junior"]
    lapsed = seniors[1] if len(seniors) > 1 else None
    expiring = seniors[2] if len(seniors) > 2 else None
    for i, u in enumerate(staff, start=1):
        start = today - timedelta(days=300 + 17 * i)
        reg(u, "general", f"S{seed % 1000:03d}{i:04d}", start, start + timedelta(days=3 * 365))
        if u in seniors or u.role != Role.ADVISOR:
            end = (today - timedelta(days=10) if u is lapsed else today + timedelta(days=40) if u is expiring
                   else start + timedelta(days=3 * 365))
            reg(u, "advisor", f"A{seed % 1000:03d}{i:04d}", start, end)

    exam = course.exams.filter(active=True).first()
    passed = failed = 0
    if exam is not None and not Attempt.objects.filter(exam=exam).exists():
        bank = banks.bank_get(exam.bank_key, exam.bank_version)
        start = timezone.make_aware(datetime.combine(held, time(15, 0)))
        for i, u in enumerate(advisors):
            # Most pass (one or no question wrong); every third fails first (half wrong) and the last stays failed.
            tries = [5, 1] if i % 3 == 2 else [i % 2]
            if u is advisors[-1]:
                tries = [6]
            for n, wrong in enumerate(tries):
                at = start + timedelta(days=n)
                attempt = services.attempt_start(user=u, exam=exam, now=at)
                attempt = services.attempt_submit(user=u, attempt=attempt, now=at + timedelta(minutes=12),
                                                  answers=_answers(bank, attempt.questions, wrong=wrong))
                passed += bool(attempt.passed)
                failed += not attempt.passed
    who = f"; {lapsed.username}'s advisor registration lapsed" if lapsed else ""
    return (f"training: {course.title_zh}, a session on {held} ({len(staff)} attended), "
            f"{passed} exams passed and {failed} failed{who}")
