"""Targets and progress: contacts by channel, coverage within cadence, tasks on time, follow-ups, history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from panhuo.appraisal import measures, selectors
from panhuo.appraisal.models import ActivityTarget
from panhuo.clients.models import Task, TaskKind, TaskStatus
from tests.appraisal.helpers import at, contact, snapshot

pytestmark = pytest.mark.django_db

WEEK = (date(2026, 11, 2), date(2026, 11, 8))     # Monday to Sunday
TODAY = date(2026, 11, 6)


def _task(cast, client, *, due, status, closed=None, kind=TaskKind.CHURN_RISK):
    return Task.objects.create(client=cast.clients[client], advisor=cast.advisors["alice"], kind=kind, due=due,
                               status=status, created_on=due - timedelta(days=3), closed_at=closed)


def _week(cast):
    alice, u = cast.advisors["alice"], cast.users["alice"]
    for day in (2, 3, 4):
        contact(cast.clients["CA001"], by=u, advisor=alice, when=at(2026, 11, day), channel="phone")
    contact(cast.clients["CA002"], by=u, advisor=alice, when=at(2026, 11, 5), channel="wechat")
    contact(cast.clients["CA002"], by=u, advisor=alice, when=at(2026, 11, 5), channel="sms")
    contact(cast.clients["CA003"], by=None, advisor=alice, when=at(2026, 11, 5), channel="sms")   # a campaign's send
    contact(cast.clients["CA003"], by=u, advisor=alice, when=at(2026, 10, 30), channel="phone")   # last week
    _task(cast, "CA001", due=date(2026, 11, 3), status=TaskStatus.DONE, closed=at(2026, 11, 3))       # on time
    _task(cast, "CA002", due=date(2026, 11, 3), status=TaskStatus.DONE, closed=at(2026, 11, 5))       # late
    _task(cast, "CA003", due=date(2026, 11, 4), status=TaskStatus.OPEN)                                # overdue
    _task(cast, "CA001", due=date(2026, 11, 4), status=TaskStatus.HANDED_BACK, kind=TaskKind.PROTECTION)
    _task(cast, "CA002", due=date(2026, 11, 5), status=TaskStatus.DONE, closed=at(2026, 11, 5),
          kind=TaskKind.FOLLOW_UP)                                                                       # on time
    _task(cast, "CA003", due=date(2026, 11, 5), status=TaskStatus.OPEN, kind=TaskKind.FOLLOW_UP)
    _task(cast, "CA001", due=date(2026, 11, 7), status=TaskStatus.OPEN, kind=TaskKind.DORMANT_REACHABLE)  # not yet due


def test_progress_counts_the_advisors_own_contacts_by_channel_against_the_weekly_targets(cast):
    _week(cast)
    ActivityTarget.objects.create(advisor=cast.advisors["alice"], phone_per_week=5, wechat_per_week=2,
                                  other_per_week=1, visit_per_week=0)
    row = selectors.progress(advisors=[cast.advisors["alice"]], start=WEEK[0], end=WEEK[1], today=TODAY)[0]
    by = {c["group"]: (c["done"], c["target"]) for c in row["contacts"]}
    assert by == {"phone": (3, 5), "visit": (0, 0), "wechat": (1, 2), "other": (1, 1)}
    assert (row["contacts_total"], row["contacts_target"]) == (5, 8)     # the campaign's send does not count


def test_tasks_on_time_and_follow_ups_count_tasks_due_so_far_and_leave_handed_back_ones_out(cast):
    _week(cast)
    row = selectors.progress(advisors=[cast.advisors["alice"]], start=WEEK[0], end=WEEK[1], today=TODAY)[0]
    assert row["tasks_due"] == 5 and row["on_time"] == pytest.approx(2 / 5)
    assert row["follow_ups_due"] == 2 and row["follow_ups"] == pytest.approx(1 / 2)


def test_coverage_is_the_vip_and_core_clients_contacted_within_their_cadence(cast):
    alice, u = cast.advisors["alice"], cast.users["alice"]
    snapshot(cast.clients["CA001"], TODAY, latest=True, tier="vip")
    snapshot(cast.clients["CA002"], TODAY, latest=True, tier="core")
    snapshot(cast.clients["CA003"], TODAY, latest=True, tier="mass")      # mass clients are not counted
    contact(cast.clients["CA001"], by=u, advisor=alice, when=at(2026, 10, 20))    # 17 days: within 30
    contact(cast.clients["CA002"], by=u, advisor=alice, when=at(2026, 7, 1))      # 128 days: beyond 90
    cov = measures.coverage(advisor_ids=[alice.pk], as_of=TODAY)[alice.pk]
    assert (cov["covered"], cov["total"], cov["share"]) == (1, 2, 0.5)
    contact(cast.clients["CA002"], by=u, advisor=alice, when=at(2026, 11, 1))
    assert measures.coverage(advisor_ids=[alice.pk], as_of=TODAY)[alice.pk]["share"] == 1.0


def test_history_by_week_and_month_with_the_team_row(cast):
    _week(cast)
    contact(cast.clients["CB001"], by=cast.users["bob"], advisor=cast.advisors["bob"], when=at(2026, 11, 3))
    advisors = [cast.advisors["alice"], cast.advisors["bob"]]
    weeks = selectors.history(advisors=advisors, by="week", periods=2, today=TODAY)
    assert [(w["start"], w["team"]["contacts_total"]) for w in weeks] == [(WEEK[0], 6), (date(2026, 10, 26), 1)]
    months = selectors.history(advisors=advisors, by="month", periods=2, today=TODAY)
    assert [(m["start"], m["team"]["contacts_total"]) for m in months] == [(date(2026, 11, 1), 6),
                                                                            (date(2026, 10, 1), 1)]


def test_the_advisor_sees_the_weeks_progress_on_today(client, cast):
    ActivityTarget.objects.create(advisor=cast.advisors["alice"], phone_per_week=12)
    client.force_login(cast.users["alice"])
    html = client.get("/today/").content.decode()
    assert 'hx-get="/appraisal/today-panel/"' in html          # loads in its own request: Today's queue stays fast
    panel = client.get("/appraisal/today-panel/").content.decode()
    assert 'id="appraisal-today"' in panel and "0 / 12" in panel
    client.force_login(cast.users["director_a"])                # a panel for advisors only
    assert "appraisal-today" not in client.get("/today/").content.decode()
    assert client.get("/appraisal/today-panel/").status_code == 404


def test_the_director_sets_targets_and_the_change_is_audited(client, cast):
    from panhuo.audit.models import AuditEvent

    client.force_login(cast.users["director_a"])
    resp = client.post("/appraisal/A01/targets/", {"phone_per_week": 40, "visit_per_week": 3, "wechat_per_week": 10,
                                                    "other_per_week": 0, "coverage_pct": 95, "on_time_pct": 85,
                                                    "follow_ups_pct": 90})
    assert resp.status_code == 302
    assert ActivityTarget.objects.get(advisor=cast.advisors["alice"]).phone_per_week == 40
    assert AuditEvent.objects.filter(action="appraisal.targets.set", object_ids=["A01"]).exists()


def test_coverage_today_agrees_with_the_cores_coverage_by_advisor(cast):
    """One definition: the appraisal's dated coverage (it needs past dates: a contact after the date must not
    count) gives today the same figures as clients.coverage, which the KPI pages use."""
    from django.utils import timezone

    from panhuo.clients.coverage import coverage_by_advisor

    today = timezone.localdate()
    u = cast.users["alice"]
    tiers = {"CA001": "vip", "CA002": "core", "CA003": "core", "CB001": "vip", "CB002": "core"}
    for code, tier in tiers.items():
        snapshot(cast.clients[code], today, latest=True, tier=tier)
    for code, ago in (("CA001", 10), ("CA002", 120), ("CB001", 40), ("CB002", 5)):
        contact(cast.clients[code], by=u, advisor=cast.clients[code].advisor, when=timezone.now() - timedelta(days=ago))
    core = {r["advisor"]: (r["vip_covered"] + r["core_covered"], r["vip"] + r["core"])
            for r in coverage_by_advisor(user=cast.users["director_a"], as_of=today)["rows"]}
    ours = measures.coverage(advisor_ids=[cast.advisors["alice"].pk, cast.advisors["bob"].pk], as_of=today)
    assert {a.advisor_id: (ours[a.pk]["covered"], ours[a.pk]["total"])
            for a in (cast.advisors["alice"], cast.advisors["bob"])} == core == {"A01": (1, 3), "A02": (1, 2)}


def test_the_manager_sees_each_teams_row_and_can_narrow_the_page_to_one_team(client, cast):
    from panhuo.clients.models import Team

    alice, bob = cast.advisors["alice"], cast.advisors["bob"]
    one = Team.objects.create(branch=alice.branch, name="一组", leader=alice)
    two = Team.objects.create(branch=alice.branch, name="二组")
    alice.team, bob.team = one, two
    alice.save()
    bob.save()
    today = timezone.localdate()
    contact(cast.clients["CA001"], by=cast.users["alice"], advisor=alice,
            when=at(today.year, today.month, today.day), channel="phone")
    client.force_login(cast.users["director_a"])
    page = client.get("/appraisal/")
    rows = {t["team"].name: t for t in page.context["team_rows"]}
    assert set(rows) == {"一组", "二组"}
    assert rows["一组"]["contacts_total"] == 1 and rows["二组"]["contacts_total"] == 0
    assert "团队长" in page.content.decode() or "Team leader" in page.content.decode()
    narrowed = client.get(f"/appraisal/?team={two.pk}")
    assert [r["advisor"] for r in narrowed.context["rows"]] == [bob] and narrowed.context["team_rows"] == []
    other = Team.objects.create(branch=cast.advisors["charlie"].branch, name="B组")
    elsewhere = client.get(f"/appraisal/?team={other.pk}")              # not this director's: the whole branch
    assert elsewhere.context["chosen"] is None and len(elsewhere.context["rows"]) == 2
