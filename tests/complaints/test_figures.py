"""The complaint figures of the monthly snapshot equal a direct recount of the complaints; the scorecard's
complaints item counts the substantiated complaints about the advisor resolved in the month, at a negative weight."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from panhuo.clients.models import Complaint, KpiMonth
from panhuo.complaints import services
from tests.kpis.conftest import home  # noqa: F401  (the hand-written timeline: branch B001, advisor A01)

pytestmark = pytest.mark.django_db


def at(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def _june(cast):
    made = []
    for who, cid, cat, received, resolved in (
        ("alice", "CA001", "attitude", date(2024, 6, 3), date(2024, 6, 10)),    # in time
        ("alice", "CA002", "system", date(2024, 6, 5), date(2024, 6, 20)),      # 7 days: late
        ("alice", "CA003", "attitude", date(2024, 5, 20), None),                # May's, open past its deadline
        ("alice", "CA001", "attitude", date(2024, 6, 25), None),                # open, deadline in July
        ("bob", "CB001", "fees", date(2024, 6, 2), None),                       # Bob's: open past its deadline
    ):
        c = services.complaint_register(user=cast.users[who], client=cast.clients[cid], channel="phone",
                                        category=cat, description="x", received_at=at(received))
        if resolved:
            Complaint.objects.filter(pk=c.pk).update(status="resolved", resolved_at=at(resolved), substantiated=True)
        made.append(c)
    return made


def _recount(qs, start: date, end: date) -> dict:
    """The definitions of docs/complaints.md, counted straight from the rows."""
    rows = list(qs)
    local = timezone.localdate
    received = [c for c in rows if start <= local(c.received_at) <= end]
    resolved = [c for c in rows if c.resolved_at and start <= local(c.resolved_at) <= end]
    in_time = [c for c in resolved if local(c.resolved_at) <= c.deadline]
    overdue = [c for c in rows if local(c.received_at) <= end and (c.resolved_at is None or local(c.resolved_at) > end)
               and c.deadline < end]
    return {"complaints_received": len(received),
            "complaints_sla_share": round(len(in_time) / len(resolved), 4) if resolved else None,
            "complaints_overdue": len(overdue)}


def test_the_snapshot_figures_equal_a_recount_for_the_branch_and_the_advisor(cast, home):  # noqa: F811
    from panhuo.kpis.services import kpi_snapshot
    from panhuo.warehouse import open_warehouse

    _june(cast)
    with open_warehouse() as wh:
        kpi_snapshot(wh=wh, month="2024-06")
    start, end = date(2024, 6, 1), date(2024, 6, 30)
    branch = KpiMonth.objects.get(month=start, advisor__isnull=True).figures
    alice = KpiMonth.objects.get(month=start, advisor=cast.advisors["alice"]).figures
    names = ["complaints_received", "complaints_sla_share", "complaints_overdue"]
    assert {k: branch[k] for k in names} == _recount(Complaint.objects.filter(branch__branch_id="B001"), start, end)
    assert {k: alice[k] for k in names} == _recount(Complaint.objects.filter(advisor=cast.advisors["alice"]),
                                                    start, end)
    assert (branch["complaints_received"], branch["complaints_sla_share"], branch["complaints_overdue"]) == (4, 0.5, 2)
    assert (alice["complaints_received"], alice["complaints_overdue"]) == (3, 1)
    res = CliRunner().invoke(__import__("panhuo.cli", fromlist=["app"]).app,
                             ["report", "kpis", "--month", "2024-06", "--branch", "B001"])
    data = json.loads(res.stdout)
    assert data["branch"]["complaints_overdue"] == 2 and data["advisors"][0]["complaints_received"] == 3


def test_the_kpi_page_shows_the_complaint_figures_by_their_labels(client, cast, home):  # noqa: F811
    from panhuo.kpis.services import kpi_snapshot
    from panhuo.warehouse import open_warehouse

    _june(cast)
    with open_warehouse() as wh:
        kpi_snapshot(wh=wh, month="2024-06")
    client.force_login(cast.users["director_a"])
    page = client.get("/kpis/").content.decode()
    assert "收到投诉" in page and "超期未办结投诉" in page and "投诉按期办结率" in page
    assert "complaints_overdue" not in page.replace('"complaints_overdue"', "")


def test_the_scorecard_deducts_substantiated_complaints_about_the_advisor(cast):
    from panhuo.appraisal.measures import month_of
    from panhuo.appraisal.scorecard import scorecard_items

    start, end = month_of(timezone.localdate())
    director = cast.users["director_a"]
    for cid, substantiated in (("CA001", True), ("CA002", True), ("CA003", False), ("CB001", True)):
        who = "bob" if cid.startswith("CB") else "alice"
        c = services.complaint_register(user=cast.users[who], client=cast.clients[cid], channel="phone",
                                        category="attitude", description="x")
        services.complaint_resolve(user=director, complaint=c, resolution="查明", substantiated=substantiated)
    services.complaint_register(user=cast.users["alice"], client=cast.clients["CA001"], channel="phone",
                                category="fees", description="open")      # open: not counted
    items = {i["key"]: i for i in scorecard_items(advisor=cast.advisors["alice"], start=start, end=end,
                                                  coverage_target=0.9)}
    item = items["complaints"]
    assert item["recorded"] and item["value"] == 2 and item["weight"] == -5
    assert item["points"] == -10.0
    assert item["detail"] == {"substantiated": 2, "resolved": 3, "received": 4}
    bob = {i["key"]: i for i in scorecard_items(advisor=cast.advisors["bob"], start=start, end=end,
                                                coverage_target=0.9)}["complaints"]
    assert bob["points"] == -5.0
