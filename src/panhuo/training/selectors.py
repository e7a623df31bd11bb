"""Reads: whose training a user may see (the access rule), their hours against the requirement, registrations
due, exams failed, and the rows of the director's report."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.accounts.models import Registration, RegistrationKind, User
from panhuo.clients.registry import ClientPanel
from panhuo.clients.selectors import out_of_reach, within_reach
from panhuo.training.banks import requirements
from panhuo.training.models import Attempt, Attendance, Certificate, Course, Exam, Session

STATE_LABELS = {"none": _("Not recorded"), "lapsed": _("Lapsed"), "expiring": _("Expiring soon"),
                "current": _("Current")}
DUE_LABELS = {"registration_general": _("Practitioner registration to renew"),
              "registration_advisor": _("Advisor registration to renew"),
              "hours": _("Training hours short"), "exam": _("Exam not passed")}


def staff_for_user(*, user) -> QuerySet[User]:  # noqa: F821 - a forward name for the reader
    """The staff whose training and registrations `user` sees: themselves (an advisor), their branch's staff (a
    director or manager), everyone (compliance, the administrator): the one access rule, `within_reach`."""
    qs = within_reach(User.objects.filter(is_active=True), user=user, branch="branch_id", advisor="advisor_id")
    if user.is_authenticated and user.is_active:
        qs = qs | User.objects.filter(pk=user.pk)      # a person always sees their own
    return qs.select_related("branch", "advisor").order_by("branch_id", "username").distinct()


def staff_get_for_user(*, user, username: str) -> User:
    try:
        return staff_for_user(user=user).get(username=username)
    except User.DoesNotExist:
        raise out_of_reach(user=user, object_type="user", object_ids=[username]) from None


def due_days() -> int:
    return int(requirements().get("due", {}).get("registration_days", 60))


def required_hours(kinds) -> Decimal:
    """A person's yearly hours: the highest figure among the types of their current registrations (none: 0)."""
    per = requirements().get("hours_per_year", {})
    return max((Decimal(str(per.get(k, 0))) for k in kinds), default=Decimal(0))


def hours_by_user(*, users, year: int) -> dict[int, Decimal]:
    rows = (Attendance.objects.filter(user__in=users, session__date__year=year)
            .values("user_id").annotate(h=Sum("hours")))
    return {r["user_id"]: r["h"] or Decimal(0) for r in rows}


def registration_state(reg: Registration | None, *, today: date) -> str:
    """"none", "lapsed", "expiring" (within the due days) or "current"."""
    if reg is None:
        return "none"
    if reg.expires_on < today:
        return "lapsed"
    if reg.expires_on <= today + timedelta(days=due_days()):
        return "expiring"
    return "current"


def latest_registrations(*, users) -> dict[int, dict[str, Registration]]:
    """{user pk: {kind: the registration that expires last}}."""
    out: dict[int, dict[str, Registration]] = defaultdict(dict)
    for reg in Registration.objects.filter(user__in=users).order_by("user_id", "kind", "expires_on"):
        out[reg.user_id][reg.kind] = reg          # the last one wins: the latest expiry
    return out


def failed_exams(*, users) -> dict[int, list[Attempt]]:
    """{user pk: their last attempt of each exam they have not passed yet (and did fail)}."""
    passed = set(Attempt.objects.filter(user__in=users, passed=True).values_list("user_id", "exam_id"))
    out: dict[int, dict[int, Attempt]] = defaultdict(dict)
    for a in (Attempt.objects.filter(user__in=users, passed=False).select_related("exam__course")
              .order_by("started_at")):
        if (a.user_id, a.exam_id) not in passed:
            out[a.user_id][a.exam_id] = a
    return {u: list(d.values()) for u, d in out.items()}


def staff_rows(*, users, year: int | None = None, today: date | None = None) -> list[dict]:
    """One row per staff member: each registration type's latest record and state, the year's hours against the
    requirement, exams not passed; `due` lists why they are due (registration, hours, exam)."""
    today = today or timezone.localdate()
    year = year or today.year
    users = list(users)
    regs = latest_registrations(users=users)
    hours = hours_by_user(users=users, year=year)
    failed = failed_exams(users=users)
    rows = []
    for u in users:
        mine = regs.get(u.pk, {})
        states = {k: registration_state(mine.get(k), today=today) for k in RegistrationKind.values}
        current = [k for k, s in states.items() if s in ("current", "expiring")]
        need = required_hours(current)
        got = hours.get(u.pk, Decimal(0))
        due = [f"registration_{k}" for k, s in states.items() if s in ("expiring", "lapsed")]
        if need and got < need:
            due.append("hours")
        if failed.get(u.pk):
            due.append("exam")
        rows.append({"user": u, "registrations": {k: mine.get(k) for k in RegistrationKind.values},
                     "states": states, "hours": got, "required": need, "short": max(need - got, Decimal(0)),
                     "failed": failed.get(u.pk, []), "due": due, "due_labels": [DUE_LABELS[d] for d in due],
                     "state_labels": {k: STATE_LABELS[v] for k, v in states.items()},
                     "advice_blocked": states["advisor"] == "lapsed"})
    return rows


def due_rows(*, users, today: date | None = None) -> list[dict]:
    return [r for r in staff_rows(users=users, today=today) if r["due"]]


def courses() -> list[Course]:
    return list(Course.objects.filter(active=True).prefetch_related("modules", "exams"))


def course_get(*, key: str) -> Course:
    from django.http import Http404

    course = Course.objects.filter(key=key).prefetch_related("modules", "materials").first()
    if course is None:
        raise Http404("course")
    return course


def sessions_for(*, course: Course, user) -> list[Session]:
    """The course's sessions the user may see: those of the branches within their reach, and any they attended."""
    qs = Session.objects.filter(course=course).select_related("branch")
    if not user.sees_whole_firm:
        qs = qs.filter(branch_id=user.branch_id) | qs.filter(attendance__user=user)
    return list(qs.distinct().prefetch_related("attendance__user"))


def my_training(*, user, today: date | None = None) -> dict:
    """Everything the "My training" page shows of one person."""
    today = today or timezone.localdate()
    row = staff_rows(users=[user], today=today)[0]
    return {
        "row": row,
        "attendance": list(Attendance.objects.filter(user=user).select_related("session__course")
                           .order_by("-session__date")),
        "attempts": list(Attempt.objects.filter(user=user).select_related("exam__course", "certificate")),
        "certificates": list(Certificate.objects.filter(attempt__user=user).select_related("attempt__exam__course")),
        "registrations": list(Registration.objects.filter(user=user).order_by("kind", "-expires_on")),
        "exams": list(Exam.objects.filter(active=True, course__active=True).select_related("course")),
        "year": today.year,
    }


def attempt_get_for_user(*, user, attempt_id: int) -> Attempt:
    """One attempt: the candidate's own, or one of a staff member within reach (read-only for them)."""
    attempt = (Attempt.objects.filter(pk=attempt_id, user__in=staff_for_user(user=user))
               .select_related("exam__course", "user").first())
    if attempt is None:
        raise out_of_reach(user=user, object_type="exam_attempt", object_ids=[attempt_id])
    return attempt


def certificate_get_for_user(*, user, number: str) -> Certificate:
    cert = (Certificate.objects.filter(number=number, attempt__user__in=staff_for_user(user=user))
            .select_related("attempt__exam__course", "attempt__user").first())
    if cert is None:
        raise out_of_reach(user=user, object_type="certificate", object_ids=[number])
    return cert


def today_due_panel(*, user) -> ClientPanel | None:
    """Today's reminder: the user's own registration lapsed or expiring soon, or their hours short late in the
    year; a director or manager also sees how many of their branch's staff are due. Nothing due: no panel."""
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    mine = staff_rows(users=[user], today=today)[0]
    mine_due = [d for d in mine["due"] if d != "hours" or today.month >= 10]   # hours: in the last quarter
    from panhuo.accounts.permissions import Capability, can

    team = 0
    if can(user, Capability.MANAGE_TRAINING):
        others = staff_for_user(user=user).exclude(pk=user.pk)
        team = sum(1 for r in staff_rows(users=others, today=today)
                   if any(d.startswith("registration") for d in r["due"]))
    if not mine_due and not team:
        return None
    return ClientPanel(name="training", template="training/today_panel.html",
                       context={"labels": [DUE_LABELS[d] for d in mine_due], "blocked": mine["advice_blocked"],
                                "team": team, "url": reverse("training:mine"),
                                "staff_url": reverse("training:staff")})
