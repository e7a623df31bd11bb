"""Registrations decide SEND_ADVICE through the permissions table (a lapse removes it, a renewal restores it, the
switch-suggestion send is refused meanwhile); hours against the requirement; who sees whose records; the
director's report and its Excel file; `panhuo training due`."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can
from panhuo.accounts.services import registration_record
from panhuo.training import selectors, services
from panhuo.training.models import Attempt
from tests.training.conftest import answers

TODAY = date.today()


def reg(user, kind="advisor", *, days_left=365, start_days_ago=400, number=None):
    return registration_record(by=None, user=user, kind=kind, number=number or f"{kind[:1].upper()}{user.pk:05d}",
                               registered_on=TODAY - timedelta(days=start_days_ago),
                               expires_on=TODAY + timedelta(days=days_left))


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)      # as the next request loads it


@pytest.mark.django_db
def test_a_lapsed_advisor_registration_removes_send_advice_and_a_renewal_restores_it(client, cast):
    alice = cast.users["alice"]
    reg(alice, "general")
    reg(alice, "advisor", days_left=-1)                         # expired yesterday
    assert not can(fresh(alice), Capability.SEND_ADVICE) and can(fresh(alice), Capability.SERVE)
    client.force_login(alice)
    url = reverse("marketweb:switch_send", args=["CA001"])
    r = client.post(url)
    assert r.status_code == 403                                 # refused before anything else is looked at
    # The director records the renewal on the training pages.
    client.force_login(cast.users["director_a"])
    r = client.post(reverse("training:person", args=["alice"]), {
        "kind": "advisor", "number": "A2026-0001", "registered_on": TODAY.isoformat(),
        "expires_on": (TODAY + timedelta(days=3 * 365)).isoformat()})
    assert r.status_code == 302
    assert can(fresh(alice), Capability.SEND_ADVICE)
    client.force_login(alice)
    assert client.post(url).status_code == 400                  # allowed now; there is simply no draft to send
    assert alice.registrations.count() == 3                     # the lapsed period is kept


@pytest.mark.django_db
def test_a_registration_not_yet_started_or_of_the_general_type_gives_no_advice(cast):
    bob = cast.users["bob"]
    reg(bob, "general")
    assert not can(fresh(bob), Capability.SEND_ADVICE)
    registration_record(by=None, user=bob, kind="advisor", number="A1", registered_on=TODAY + timedelta(days=5),
                        expires_on=TODAY + timedelta(days=400))
    assert not can(fresh(bob), Capability.SEND_ADVICE)


@pytest.mark.django_db
def test_only_a_training_manager_within_reach_records_registrations(client, cast):
    data = {"kind": "advisor", "number": "X1", "registered_on": TODAY.isoformat(),
            "expires_on": (TODAY + timedelta(days=30)).isoformat()}
    client.force_login(cast.users["alice"])
    assert client.post(reverse("training:person", args=["alice"]), data).status_code == 403
    client.force_login(cast.users["compliance"])                # reads everyone's, records nothing
    assert client.get(reverse("training:person", args=["charlie"])).status_code == 200
    assert client.post(reverse("training:person", args=["charlie"]), data).status_code == 403
    client.force_login(cast.users["director_a"])
    assert client.post(reverse("training:person", args=["charlie"]), data).status_code == 404   # branch B
    assert not cast.users["charlie"].registrations.exists()


@pytest.mark.django_db
def test_hours_count_against_the_highest_requirement_of_the_current_registrations(cast, session):
    alice, bob, charlie = cast.users["alice"], cast.users["bob"], cast.users["charlie"]
    reg(alice, "general")
    reg(alice, "advisor")
    reg(bob, "general")
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["alice"])
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["bob"], hours=6)
    rows = {r["user"].username: r for r in selectors.staff_rows(users=[alice, bob, charlie])}
    assert (rows["alice"]["hours"], rows["alice"]["required"], rows["alice"]["short"]) == (12, 20, 8)
    assert (rows["bob"]["hours"], rows["bob"]["required"], rows["bob"]["short"]) == (6, 15, 9)
    assert rows["charlie"]["required"] == 0 and "hours" not in rows["charlie"]["due"]     # not registered
    assert "hours" in rows["alice"]["due"] and "hours" in rows["bob"]["due"]
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["bob"])   # full day
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["bob"], hours=12)
    bob_row = selectors.staff_rows(users=[bob])[0]
    assert bob_row["hours"] == Decimal("12.0") and bob_row["short"] == 3      # recorded again: set, not added


@pytest.mark.django_db
def test_attendance_is_recorded_only_for_staff_within_reach(cast, session):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.attendance_record(by=cast.users["director_a"], session=session, usernames=["charlie"])
    with pytest.raises(PermissionDenied):
        services.attendance_record(by=cast.users["alice"], session=session, usernames=["alice"])


@pytest.mark.django_db
def test_due_lists_expiring_lapsed_short_and_failed(cast, exam):
    alice, bob = cast.users["alice"], cast.users["bob"]
    reg(alice, "advisor", days_left=30)                                   # within the 60 days
    reg(bob, "general", days_left=-3)                                     # lapsed
    reg(bob, "advisor", days_left=200)
    a = services.attempt_start(user=bob, exam=exam)
    services.attempt_submit(user=bob, attempt=a, answers=answers(exam, a, wrong=5))
    rows = {r["user"].username: r for r in selectors.due_rows(users=[alice, bob, cast.users["charlie"]])}
    assert set(rows) == {"alice", "bob"}
    assert rows["alice"]["states"]["advisor"] == "expiring" and "registration_advisor" in rows["alice"]["due"]
    assert "registration_general" in rows["bob"]["due"] and "exam" in rows["bob"]["due"]
    assert not rows["alice"]["advice_blocked"] and not rows["bob"]["advice_blocked"]
    b2 = services.attempt_start(user=bob, exam=exam)
    services.attempt_submit(user=bob, attempt=b2, answers=answers(exam, b2))              # passes on retake
    assert selectors.failed_exams(users=[bob]) == {}


@pytest.mark.django_db
def test_staff_see_their_own_and_the_director_their_branch(client, cast, exam):
    alice = cast.users["alice"]
    a = services.attempt_start(user=alice, exam=exam)
    services.attempt_submit(user=alice, attempt=a, answers=answers(exam, a, wrong=4))
    client.force_login(alice)
    assert client.get(reverse("training:mine")).status_code == 200
    assert client.get(reverse("training:person", args=["alice"])).status_code == 200
    assert client.get(reverse("training:person", args=["bob"])).status_code == 404
    assert client.get(reverse("training:staff")).status_code == 403
    assert client.get(reverse("training:staff_export")).status_code == 403
    client.force_login(cast.users["bob"])
    assert client.get(reverse("training:attempt", args=[a.pk])).status_code == 404
    b = services.attempt_start(user=cast.users["bob"], exam=exam)
    client.force_login(cast.users["director_a"])
    assert client.get(reverse("training:attempt", args=[a.pk])).status_code == 200        # submitted: readable
    assert client.get(reverse("training:attempt", args=[b.pk])).status_code == 404        # open: bob's alone
    assert client.post(reverse("training:attempt", args=[a.pk]), {}).status_code == 403   # not the candidate
    page = client.get(reverse("training:staff")).content.decode()
    assert "Alice 艾丽" in page and "Bob 鲍勃" in page and "Charlie 查理" not in page
    assert client.get(reverse("training:person", args=["charlie"])).status_code == 404
    client.force_login(cast.users["compliance"])
    assert "Charlie 查理" in client.get(reverse("training:staff")).content.decode()


@pytest.mark.django_db
def test_the_excel_report_has_chinese_labels_a_frozen_header_and_a_filter(client, cast, session, exam):
    from openpyxl import load_workbook

    alice, bob = cast.users["alice"], cast.users["bob"]
    reg(alice, "advisor", days_left=-2)
    reg(bob, "general")
    services.attendance_record(by=cast.users["director_a"], session=session, usernames=["bob"], hours=4)
    a = services.attempt_start(user=bob, exam=exam)
    services.attempt_submit(user=bob, attempt=a, answers=answers(exam, a, wrong=6))
    client.force_login(cast.users["director_a"])
    r = client.get(reverse("training:staff_export"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    staff, due, failed = wb.worksheets
    assert [c.value for c in staff[1]][:4] == ["员工", "用户名", "营业部", "从业注册编号"]
    assert staff.freeze_panes == "A2" and staff.auto_filter.ref.startswith("A1:")
    assert staff.column_dimensions["A"].width == 14
    by_user = {row[1]: row for row in staff.iter_rows(min_row=2, values_only=True)}
    assert set(by_user) == {"alice", "bob", "director_a", "manager_a"}
    assert by_user["alice"][8] == "已过期" and by_user["bob"][9:12] == (4.0, 15.0, 11.0)
    notes = [row for row in due.iter_rows(min_row=2, values_only=True)]
    assert ("Alice 艾丽", "alice", "投顾注册待续期") == notes[0][:3] and "不能发送具体投资建议" in notes[0][3]
    assert any(n[1] == "bob" and n[2] == "培训学时不足" for n in notes)
    assert [row[1] for row in failed.iter_rows(min_row=2, values_only=True)] == ["bob"]


@pytest.mark.django_db
def test_the_due_command_lists_due_registrations(cast, capsys):
    from typer.testing import CliRunner

    from panhuo.cli import app

    reg(cast.users["alice"], "advisor", days_left=-1)
    reg(cast.users["bob"], "advisor", days_left=500)
    result = CliRunner().invoke(app, ["training", "due", "--no-hours", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["username"] for r in data["due"]] == ["alice"]
    assert data["due"][0]["advice_blocked"] and data["due"][0]["registrations"]["advisor"]["state"] == "lapsed"


@pytest.mark.django_db
def test_today_shows_a_lapsed_registration_to_its_holder_and_a_count_to_the_director(client, cast):
    from panhuo.clients.registry import today_panels

    reg(cast.users["alice"], "advisor", days_left=-1)
    mine = [p for p in today_panels(user=fresh(cast.users["alice"])) if p.name == "training"]
    assert mine and mine[0].context["blocked"]
    assert not [p for p in today_panels(user=fresh(cast.users["bob"])) if p.name == "training"]
    boss = [p for p in today_panels(user=fresh(cast.users["director_a"])) if p.name == "training"]
    assert boss and boss[0].context["team"] == 1
    client.force_login(cast.users["alice"])
    body = client.get(reverse("workbench:today")).content.decode()
    assert "你的投资顾问注册已过期" in body


@pytest.mark.django_db
def test_the_material_course_is_added_once_with_its_modules_and_exam(cast):
    from panhuo.training.models import Course, Exam, Module

    services.course_from_file()
    services.course_from_file()
    course = Course.objects.get()
    assert course.title_zh == "证券营业部卓越服务流程与高效存量盘活实战班"
    assert Module.objects.filter(course=course).count() == 5 and Exam.objects.filter(active=True).count() == 1
    assert not Attempt.objects.exists()
