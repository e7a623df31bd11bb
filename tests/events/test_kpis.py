"""The client-event figures the monthly snapshot keeps equal a recount by hand of the same registrations, trades
and assets (analytics.kpis.event_figures; dormancy: 180 days without a trade and at least 1,000 in assets)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from panhuo.clients.models import Client, Event, EventRegistration, KpiMonth
from panhuo.kpis.services import kpi_snapshot

DAY = date(2026, 10, 15)     # the event's day
MONTH = "2026-10"


def _aware(d: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def test_event_figures_equal_a_recount(cast, warehouse):
    rng = np.random.default_rng(7)
    branch = cast.branches["A"]
    advisors = [cast.advisors["alice"], cast.advisors["bob"]]
    clients = []
    for i in range(60):
        adv = advisors[i % 2]
        clients.append(Client.objects.create(client_id=f"K{i:03d}", branch=branch, advisor=adv, name=f"客户K{i}"))
    # The warehouse: opening dates, a last trade before the event (recent or long ago), assets, trades after it.
    last_before = {c.client_id: DAY - timedelta(days=int(rng.choice([5, 100, 200, 400])))
                   for c in clients}
    assets = {c.client_id: float(rng.choice([500.0, 20_000.0])) for c in clients}
    after = {c.client_id: int(rng.choice([0, 10, 29, 30, 31, 45])) for c in clients}  # 0: no trade after
    con = warehouse.con
    for c in clients:
        con.execute("INSERT INTO clients (client_id, branch_id, open_date, advisor_id) VALUES (?, ?, ?, ?)",
                    [c.client_id, "B001", date(2020, 1, 1), c.advisor.advisor_id])
        con.execute("INSERT INTO client_days (client_id, trade_date, trades) VALUES (?, ?, 1)",
                    [c.client_id, last_before[c.client_id]])
        if after[c.client_id]:
            con.execute("INSERT INTO client_days (client_id, trade_date, trades) VALUES (?, ?, 1)",
                        [c.client_id, DAY + timedelta(days=after[c.client_id])])
        con.execute("INSERT INTO daily_assets (client_id, date, total_assets) VALUES (?, ?, ?)",
                    [c.client_id, DAY - timedelta(days=3), assets[c.client_id]])
    # Two held events in the month (one with nobody), one cancelled, one held the month before.
    director = cast.users["director_a"]
    held = Event.objects.create(branch=branch, kind="education", title="A", starts_at=_aware(DAY, 14),
                                ends_at=_aware(DAY, 16), venue="厅", status="held", created_by=director)
    Event.objects.create(branch=branch, kind="salon", title="B", starts_at=_aware(DAY + timedelta(days=3), 14),
                         ends_at=_aware(DAY + timedelta(days=3), 16), venue="厅", status="held")
    cancelled = Event.objects.create(branch=branch, kind="salon", title="C", starts_at=_aware(DAY, 9),
                                     ends_at=_aware(DAY, 10), venue="厅", status="cancelled")
    earlier = Event.objects.create(branch=branch, kind="salon", title="D", starts_at=_aware(date(2026, 9, 20), 9),
                                   ends_at=_aware(date(2026, 9, 20), 10), venue="厅", status="held")
    status = {}
    came = {}
    for c in clients:
        s = str(rng.choice(["registered", "registered", "registered", "waitlisted", "cancelled"]))
        status[c.client_id] = s
        came[c.client_id] = s == "registered" and bool(rng.random() < 0.6)
        EventRegistration.objects.create(event=held, client=c, advisor=c.advisor, status=s, via="advisor",
                                         checked_in_at=_aware(DAY, 14) if came[c.client_id] else None)
        EventRegistration.objects.create(event=cancelled, client=c, advisor=c.advisor, status="registered",
                                         via="advisor", checked_in_at=_aware(DAY, 9))
    EventRegistration.objects.create(event=earlier, client=clients[0], advisor=clients[0].advisor,
                                     status="registered", via="advisor", checked_in_at=_aware(date(2026, 9, 20), 9))

    from panhuo.clients.models import Team

    team = Team.objects.create(branch=branch, name="一组")
    cast.advisors["alice"].team = team
    cast.advisors["alice"].save()
    kpi_snapshot(wh=warehouse, month=MONTH)

    def recount(ids):
        registered = [i for i in ids if status[i] == "registered"]
        attendees = [i for i in registered if came[i]]
        dormant = [i for i in attendees if (DAY - timedelta(days=1) - last_before[i]).days >= 180
                   and assets[i] >= 1000]
        back = [i for i in dormant if 0 < after[i] <= 30]
        return {"event_attendees": len(attendees),
                "event_attendance_rate": round(len(attendees) / len(registered), 4) if registered else None,
                "event_reactivated": len(back),
                "event_reactivation_rate": round(len(back) / len(dormant), 4) if dormant else None}

    branch_row = KpiMonth.objects.get(branch=branch, advisor=None, team=None, month=date(2026, 10, 1)).figures
    expected = recount([c.client_id for c in clients])
    assert expected["event_reactivated"] > 0 and expected["event_attendees"] > expected["event_reactivated"]
    assert {k: branch_row[k] for k in expected} == expected
    assert branch_row["events_held"] == 2
    for adv in advisors:
        row = KpiMonth.objects.get(advisor=adv, month=date(2026, 10, 1)).figures
        assert {k: row[k] for k in expected} == recount([c.client_id for c in clients if c.advisor == adv])
        assert row["events_held"] == 1
    team_row = KpiMonth.objects.get(team=team, month=date(2026, 10, 1)).figures     # alice's clients together
    assert {k: team_row[k] for k in expected} == recount([c.client_id for c in clients
                                                          if c.advisor == cast.advisors["alice"]])


def test_the_kpi_page_shows_the_event_figures(client, cast):
    KpiMonth.objects.create(branch=cast.branches["A"], month=date(2026, 10, 1),
                            figures={"events_held": 3, "event_attendees": 41, "event_attendance_rate": 0.6833,
                                     "event_reactivated": 5, "event_reactivation_rate": 0.2})
    client.force_login(cast.users["director_a"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/kpis/").content.decode()
    assert "活动到场率" in page and "68.3%" in page and "活动后30天内激活" in page
