"""Pages: my training (courses, exams, certificates, registrations, hours), a course with its sessions and
attendance, an exam attempt and its review, the certificate PDF, and the director's staff report and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panhuo.accounts.permissions import Capability, can, require
from panhuo.accounts.services import UserError
from panhuo.audit.services import audit_record
from panhuo.training import banks, selectors, services
from panhuo.training.export import certificate_pdf, report_xlsx
from panhuo.training.forms import RegistrationForm, SessionForm
from panhuo.training.models import Exam, Session


def _lang() -> str:
    return get_language() or "zh-hans"


@require_GET
def home(request):
    data = selectors.my_training(user=request.user)
    return render(request, "training/home.html", {
        **data, "courses": selectors.courses(), "material_course": banks.courses().get("service-reactivation"),
        "lang": _lang()})


@require_POST
def course_add(request):
    """Add the course material's course (and its exam) from its file; a second press changes nothing."""
    require(request.user, Capability.MANAGE_TRAINING)
    course = services.course_from_file()
    audit_record(user=request.user, action="training.course", object_type="course", object_ids=[course.key],
                 request=request)
    return redirect("training:course", key=course.key)


@require_http_methods(["GET", "POST"])
def course(request, key: str):
    course = selectors.course_get(key=key)
    form = SessionForm(request.POST or None, initial={"hours": course.hours, "date": timezone.localdate()})
    if request.method == "POST":
        require(request.user, Capability.MANAGE_TRAINING)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.session_create(by=request.user, course=course, when=d["date"], place=d["place"],
                                        trainer=d["trainer"], hours=d["hours"], request=request)
            except ValidationError:
                messages.error(request, _("Session not saved: a session needs a place, a trainer and hours."))
            else:
                messages.success(request, _("Session saved. Record who attended below."))
                return redirect("training:course", key=course.key)
    sessions = selectors.sessions_for(course=course, user=request.user)
    staff = list(selectors.staff_for_user(user=request.user)) if can(request.user, Capability.MANAGE_TRAINING) else []
    return render(request, "training/course.html", {
        "course": course, "sessions": sessions, "form": form, "staff": staff,
        "exams": [e for e in course.exams.all() if e.active], "lang": _lang()})


@require_POST
def attendance(request, session_id: int):
    session = get_object_or_404(Session.objects.select_related("course"), pk=session_id)
    require(request.user, Capability.MANAGE_TRAINING)
    if session not in selectors.sessions_for(course=session.course, user=request.user):
        raise Http404("session")
    try:
        n = services.attendance_record(by=request.user, session=session,
                                       usernames=request.POST.getlist("user"), hours=request.POST.get("hours"),
                                       request=request)
        messages.success(request, _("Attendance recorded: %(n)d.") % {"n": n})
    except ValidationError:
        messages.error(request, _("Attendance not recorded: the hours are between 0 and the session's hours."))
    return redirect("training:course", key=session.course.key)


@require_POST
def exam_start(request, exam_id: int):
    exam = get_object_or_404(Exam, pk=exam_id, active=True)
    attempt = services.attempt_start(user=request.user, exam=exam, request=request)
    return redirect("training:attempt", attempt_id=attempt.pk)


def _paper(attempt, lang: str, result=None) -> list[dict]:
    bank = banks.bank_get(attempt.exam.bank_key, attempt.exam.bank_version)
    items = {i["key"]: i for i in (result.items if result else [])}
    out = []
    for n, key in enumerate(attempt.questions, start=1):
        q = bank.questions[key]
        given = set(attempt.answers.get(key, [])) if attempt.submitted_at else set()
        options = [{"key": k, "text": banks.text(t, lang), "chosen": k in given, "right": k in q.answer}
                   for k, t in q.options]
        out.append({"n": n, "key": key, "kind": q.kind, "text": banks.text(q.text, lang),
                    "topic": banks.text(dict(bank.topics)[q.topic], lang), "options": options,
                    "ok": items.get(key, {}).get("ok"), "explanation": banks.text(q.explanation, lang),
                    "given": [o["text"] for o in options if o["chosen"]],
                    "right": [o["text"] for o in options if o["right"]]})
    return out


@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id: int):
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    if request.method == "POST":
        answers = {k: request.POST.getlist(f"q-{k}") for k in attempt.questions}
        attempt = services.attempt_submit(user=request.user, attempt=attempt, answers=answers, request=request)
        return redirect("training:attempt", attempt_id=attempt.pk)
    lang = _lang()
    result = None
    if attempt.submitted_at is not None:
        bank = banks.bank_get(attempt.exam.bank_key, attempt.exam.bank_version)
        result = banks.score(bank, attempt.questions, {} if attempt.late else attempt.answers,
                             pass_mark=attempt.exam.pass_mark)
    elif attempt.user_id != request.user.pk:
        raise Http404("attempt")        # an open paper is the candidate's alone
    paper = _paper(attempt, lang, result)
    return render(request, "training/attempt.html", {
        "attempt": attempt, "paper": paper, "wrong": [q for q in paper if q["ok"] is False],
        "seconds_left": max(0, int((attempt.deadline - timezone.now()).total_seconds())),
        "certificate": getattr(attempt, "certificate", None) if attempt.passed else None})


@require_GET
def certificate(request, number: str):
    cert = selectors.certificate_get_for_user(user=request.user, number=number)
    audit_record(user=request.user, action="training.certificate", object_type="user",
                 object_ids=[cert.attempt.user.username], request=request, detail={"certificate": cert.number})
    response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.number}.pdf"'
    return response


def _team(request):
    if not (can(request.user, Capability.MANAGE_TRAINING) or can(request.user, Capability.SEE_BRANCH)):
        raise PermissionDenied
    return list(selectors.staff_for_user(user=request.user))


@require_GET
def staff(request):
    users = _team(request)
    rows = selectors.staff_rows(users=users)
    audit_record(user=request.user, action="training.view", object_type="user",
                 object_ids=[u.username for u in users][:100], request=request)
    return render(request, "training/staff.html", {
        "rows": rows, "due": [r for r in rows if r["due"]], "year": timezone.localdate().year,
        "due_days": selectors.due_days()})


@require_GET
def staff_export(request):
    users = _team(request)
    year = timezone.localdate().year
    audit_record(user=request.user, action="training.export", object_type="user",
                 object_ids=[u.username for u in users][:100], request=request, detail={"year": year})
    response = HttpResponse(report_xlsx(selectors.staff_rows(users=users), year=year),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="training-{year}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def person(request, username: str):
    member = selectors.staff_get_for_user(user=request.user, username=username)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Capability.MANAGE_TRAINING)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.registration_save(by=request.user, staff=member, kind=d["kind"], number=d["number"],
                                           registered_on=d["registered_on"], expires_on=d["expires_on"],
                                           request=request)
            except UserError:
                messages.error(request, _("Registration not saved: check the number and the dates."))
            else:
                messages.success(request, _("Registration saved."))
                return redirect("training:person", username=member.username)
    audit_record(user=request.user, action="training.view", object_type="user", object_ids=[member.username],
                 request=request)
    return render(request, "training/person.html", {
        **selectors.my_training(user=member), "member": member, "form": form,
        "own": member.pk == request.user.pk, "lang": _lang()})
