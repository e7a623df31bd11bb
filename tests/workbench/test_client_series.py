"""The 360 page's series: computed in bulk from the analytical store, written to the operational store, read
by the funnel's trade confirmation and drawn on the page."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from panhuo.analytics.client_series import client_series
from panhuo.clients.models import ClientFunnel, ClientSeries
from panhuo.clients.selectors import client_get_for_user
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.funnel import funnel_confirm_from_trades
from panhuo.workbench.services.series import series_refresh

AS_OF = date(2026, 11, 20)   # a Friday


def _load(wh):
    wh.execute("INSERT INTO daily_assets VALUES "
               "('CA001', DATE '2026-11-16', 1000, 9000, 10000, 0), "
               "('CA001', DATE '2026-11-18', 1000, 9500, 60500, 50000), "
               "('CA001', DATE '2026-11-20', 1000, 9800, 60800, 0), "
               "('CA001', DATE '2025-06-01', 1000, 0, 1000, 0), "      # older than a year: left out
               "('CA002', DATE '2026-11-21', 0, 0, 5, 0)")            # after as_of: left out
    wh.execute("INSERT INTO transfers VALUES ('T1', 'CA001', TIMESTAMP '2026-11-18 10:00:00', 'in', 50000, 'ICBC'),"
               "('T2', 'CA001', TIMESTAMP '2026-12-01 10:00:00', 'out', 1, 'ICBC')")
    wh.execute("INSERT INTO client_days VALUES ('CA001', DATE '2026-11-17', 2, 1000, 1, 1000, 0), "
               "('CA001', DATE '2026-11-19', 1, 500, 1, 0, 500), ('CB001', DATE '2025-01-02', 1, 1, 1, 1, 0)")
    wh.execute("INSERT INTO instruments VALUES ('600000.SH', '浦发银行', 'SH', 'main', '银行', NULL, false)")
    wh.execute("INSERT INTO positions VALUES (DATE '2026-11-19', 'CA001', '600000.SH', 1000, 8.0, 9.8, 9800), "
               "(DATE '2026-11-12', 'CB001', '600000.SH', 500, 10.0, 9.0, 4500)")


def test_series_from_the_warehouse(warehouse):
    _load(warehouse)
    s = client_series(warehouse, as_of=AS_OF)
    assert set(s) == {"CA001"}                 # CB001's only data are outside the window or not the latest positions
    ca = s["CA001"]
    assert ca["weeks"] == [["2026-11-22", 60800.0, 50000.0]]
    assert ca["transfers"] == [["2026-11-18", "in", 50000.0]]
    assert ca["trade_days"] == ["2026-11-17", "2026-11-19"]
    [p] = ca["positions"]
    assert (p["symbol"], p["name"], p["quantity"], p["pnl"], p["pnl_pct"]) == ("600000.SH", "浦发银行", 1000, 1800.0,
                                                                              0.225)


def test_refresh_writes_rows_that_confirm_the_funnel_and_draw_the_page(world, warehouse, client):
    _load(warehouse)
    contact_log(user=world.users["alice"], client=client_get_for_user(user=world.users["alice"], client_id="CA001"), channel="visit", outcome="interested",
                at=timezone.make_aware(datetime(2026, 11, 16, 10)))
    assert series_refresh(wh=warehouse, as_of=AS_OF) == 1
    assert series_refresh(wh=warehouse, as_of=AS_OF) == 1         # an upsert, not a duplicate
    assert ClientSeries.objects.get(client__client_id="CA001").trade_days == ["2026-11-17", "2026-11-19"]
    funnel = ClientFunnel.objects.get(client__client_id="CA001")
    funnel.b_on = date(2026, 11, 16)
    funnel.save()
    assert funnel_confirm_from_trades(as_of=AS_OF) == {"C": 1, "D": 1}
    funnel.refresh_from_db()
    assert (funnel.stage, funnel.c_on, funnel.since) == ("D", date(2026, 11, 17), date(2026, 11, 18))
    client.force_login(world.users["alice"])
    page = client.get("/clients/CA001/")
    assert page.context["chart"]["transfers"] == [{"date": "2026-11-18", "dir": "in", "amount": 50000.0}]
    assert page.context["calendar"]["count"] == 2
    html = page.content.decode()
    assert 'id="assets-data"' in html and "浦发银行" in html and "echarts-5.6.0.min.js" in html


def test_the_daily_step_runs_all_three_and_is_idempotent(world, warehouse):
    from panhuo.workbench.services.daily import workbench_daily

    _load(warehouse)
    first = workbench_daily(wh=warehouse, as_of=AS_OF)
    assert first["series"] == 1 and first["tasks"]["created"] == 0      # the world already generated today's
    again = workbench_daily(wh=warehouse, as_of=AS_OF)
    assert again["funnel"] == {"C": 0, "D": 0} and again["tasks"]["created"] == 0


def test_a_write_replaces_each_clients_series_and_skips_unknown_codes(cast):
    """The same on both stores (PostgreSQL writes by COPY, SQLite by the ORM's upsert): a second write replaces
    the first one's rows, leaves other clients' rows alone, and skips codes the branch does not know."""
    from panhuo.workbench.services.series import series_write

    def row(k: float) -> dict:
        return {"weeks": [["2026-11-20", 10000.5 * k, 0]], "transfers": [["2026-11-18", "in", 500.0 * k]],
                "trade_days": ["2026-11-17"], "positions": [{"symbol": "600000.SH", "name": "浦发银行", "pnl": k}]}

    assert series_write(rows={"CA001": row(1), "CB001": row(2), "NOPE": row(3)}, as_of=date(2026, 11, 19)) == 2
    assert series_write(rows={"CA001": row(4)}, as_of=AS_OF) == 1
    got = {s.client.client_id: s for s in ClientSeries.objects.select_related("client")}
    assert set(got) == {"CA001", "CB001"}
    assert (got["CA001"].as_of, got["CA001"].weeks, got["CA001"].positions[0]) == (
        AS_OF, [["2026-11-20", 40002.0, 0]], {"symbol": "600000.SH", "name": "浦发银行", "pnl": 4})
    assert (got["CB001"].as_of, got["CB001"].transfers) == (date(2026, 11, 19), [["2026-11-18", "in", 1000.0]])


def test_the_json_made_in_duckdb_in_slices_or_whole(warehouse, monkeypatch):
    """PostgreSQL's write takes the series as JSON text made by DuckDB (client_series_json), SQLite's the same JSON
    parsed (client_series): in slices or whole, each client once with the same values; missing assets and flows
    count as 0, the cap keeps the latest transfers, lists are in date order whatever the rows' order."""
    import json

    from panhuo.analytics import client_series as cs

    _load(warehouse)
    warehouse.execute("INSERT INTO daily_assets VALUES ('CA002', DATE '2026-10-02', 10, 20, NULL, NULL), "
                      "('CA002', DATE '2026-10-09', 10, 20, 30.456, -5), ('CA002', DATE '2026-09-04', 1, 2, 3, 4)")
    # stored out of date order: the lists are sorted, not read in the order the rows came
    warehouse.execute("INSERT INTO client_days VALUES ('CA002', DATE '2026-10-09', 1, 1, 1, 1, 0), "
                      "('CA002', DATE '2026-09-04', 1, 1, 1, 1, 0), ('CA002', DATE '2026-10-02', 1, 1, 1, 1, 0)")
    warehouse.execute("INSERT INTO transfers SELECT 'X' || i, 'CA003', TIMESTAMP '2026-11-01 09:00:00' + i * INTERVAL 1 HOUR, "
                      "CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, 100 + i % 3, 'ICBC' FROM range(7) t(i)")
    warehouse.execute("INSERT INTO positions VALUES (DATE '2026-11-19', 'CA001', '600001.SH', 200, 0, 5.0, 1000)")
    monkeypatch.setattr(cs, "MAX_TRANSFERS", 4)
    want = cs.client_series(warehouse, as_of=AS_OF)
    for parts in (1, 3):      # in slices (series_refresh's), each client comes once, with the same values
        got = {}
        for batch in cs.client_series_json(warehouse, as_of=AS_OF, batch_rows=2, parts=parts):
            for row in batch.to_pylist():
                cid = row.pop("client_id")
                assert cid not in got
                got[cid] = {k: json.loads(v) for k, v in row.items()}
        assert set(got) == set(want) == {"CA001", "CA002", "CA003"}
        assert got == want
    assert len(got["CA003"]["transfers"]) == 4 and len(got["CA001"]["positions"]) == 2
    assert got["CA002"]["trade_days"] == ["2026-09-04", "2026-10-02", "2026-10-09"]
    assert got["CA002"]["weeks"] == [["2026-09-06", 3.0, 4.0], ["2026-10-04", 0.0, 0.0], ["2026-10-11", 30.46, -5.0]]
    assert got["CA003"]["transfers"] == [["2026-11-01", "in", 100.0], ["2026-11-01", "in", 101.0],
                                         ["2026-11-01", "out", 100.0], ["2026-11-01", "out", 102.0]]


def test_series_made_ahead_in_a_thread_come_in_order_and_an_error_reaches_the_reader():
    import pytest

    from panhuo.workbench.services.series import _ahead

    assert list(_ahead(iter(range(50)))) == list(range(50))

    def failing():
        yield 1
        raise RuntimeError("duckdb said no")

    got = []
    with pytest.raises(RuntimeError, match="duckdb said no"):
        for x in _ahead(failing()):
            got.append(x)
    assert got == [1]
    closed = []

    def endless():
        try:
            while True:
                yield 0
        finally:
            closed.append(True)

    for _ in _ahead(endless()):
        break                  # a reader that stops early stops the thread, which closes its generator
    assert closed == [True]
