"""The VIP plan coverage and NPS in the monthly figures: counted from the operational store's plan versions and
satisfaction answers by analytics.kpis (one definition), kept in KpiMonth and shown on the KPI page."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
from django.utils import timezone

from panhuo.analytics.kpis import Month, kpis_month, nps

E = date(2026, 11, 30)


def _branch(con, n: int = 10):
    """n clients of B001 (advisor A01 for the even ones, A02 the odd), assets 100k·(n−i) at E: the first two
    (ceil(20% of 10)) are the VIPs."""
    for i in range(n):
        con.execute("INSERT INTO clients (client_id, branch_id, advisor_id, open_date) VALUES (?, 'B001', ?, ?)",
                    [f"K{i:02d}", "A01" if i % 2 == 0 else "A02", date(2020, 1, 1)])
        con.execute("INSERT INTO daily_assets (client_id, date, total_assets) VALUES (?, ?, ?)",
                    [f"K{i:02d}", E, 100_000.0 * (n - i)])


def _plans(rows):
    return pa.table({"client_id": [r[0] for r in rows], "seq": pa.array(range(1, len(rows) + 1), pa.int64()),
                     "saved_on": pa.array([r[1] for r in rows], pa.date32()),
                     "review_on": pa.array([r[2] for r in rows], pa.date32())})


def test_plan_coverage_counts_vips_whose_plan_in_force_at_month_end_is_not_past_review(warehouse):
    con = warehouse.con
    _branch(con)
    plans = _plans([
        ("K00", date(2026, 11, 5), date(2027, 2, 1)),     # VIP, current at E
        ("K01", date(2026, 8, 1), date(2026, 11, 1)),     # VIP, its review date passed before E …
        ("K01", date(2026, 12, 3), date(2027, 3, 1)),     # … and the new version came after E: not November's
        ("K05", date(2026, 11, 5), date(2027, 2, 1)),     # not a VIP: no effect
    ])
    rows = {(r["branch"], r["advisor"]): r for r in kpis_month(con, month="2026-11", plans=plans)}
    assert rows[("B001", None)]["plan_coverage"] == 0.5
    assert rows[("B001", "A01")]["plan_coverage"] == 1.0 and rows[("B001", "A02")]["plan_coverage"] == 0.0
    # December: K01's new version is in force, K00's still current.
    dec = {(r["branch"], r["advisor"]): r for r in kpis_month(con, month="2026-12", plans=plans)}
    assert dec[("B001", None)]["plan_coverage"] == 1.0
    # Without plan data the figure is unknown, not zero.
    assert kpis_month(con, month="2026-11")[0]["plan_coverage"] is None


def test_the_snapshot_keeps_nps_and_plan_coverage_and_the_kpi_page_shows_them(cast, warehouse, client):
    """Through the services: Alice's VIP gets a plan, three clients answer the satisfaction link (10, 9, 3)."""
    from panhuo.clients.models import Contact, KpiMonth, QuestionnaireAnswer
    from panhuo.kpis.services import kpi_report, kpi_snapshot
    from panhuo.surveys.plan_services import service_plan_save

    today = timezone.localdate()
    con = warehouse.con
    for i, cid in enumerate(["CA001", "CA002", "CA003", "CB001", "CB002"]):
        con.execute("INSERT INTO clients (client_id, branch_id, advisor_id, open_date) VALUES (?, 'B001', ?, ?)",
                    [cid, "A01" if cid.startswith("CA") else "A02", date(2020, 1, 1)])
        con.execute("INSERT INTO daily_assets (client_id, date, total_assets) VALUES (?, ?, ?)",
                    [cid, today - timedelta(days=1), 1_000_000.0 / (i + 1)])
    ca001 = cast.clients["CA001"]
    service_plan_save(user=cast.users["alice"], client=ca001, goals=["稳健"], actions=[],
                      review_on=today + timedelta(days=60))
    for cid, adv, score in (("CA001", "alice", 10), ("CA002", "alice", 9), ("CB001", "bob", 3)):
        c = Contact.objects.create(client=cast.clients[cid], advisor=cast.advisors[adv], channel="phone",
                                   outcome="reached", at=timezone.now())
        QuestionnaireAnswer.objects.create(client=cast.clients[cid], questionnaire="satisfaction", version=1,
                                           kind="satisfaction", answers={"recommend": str(score)}, total=score,
                                           band="", taken_on=today, via="link", contact=c)
    month = Month.parse(f"{today:%Y-%m}").label
    kpi_snapshot(wh=warehouse, month=month)
    branch = KpiMonth.objects.get(advisor__isnull=True, month=Month.parse(month).start).figures
    assert branch["nps"] == nps([10, 9, 3]) == 33.3 and branch["nps_answers"] == 3
    assert branch["plan_coverage"] == 1.0           # one VIP (top 20% of 5), CA001, with a current plan
    alice = KpiMonth.objects.get(advisor__advisor_id="A01").figures
    assert alice["nps"] == 100.0 and KpiMonth.objects.get(advisor__advisor_id="A02").figures["nps"] == -100.0
    assert kpi_report(month=month)[0]["branch"]["nps"] == 33.3
    client.force_login(cast.users["director_a"])
    page = client.get("/kpis/").content.decode()
    assert "VIP服务计划覆盖率" in page and '<th>净推荐值</th><td class="num">33</td>' in page   # NPS: a whole score
