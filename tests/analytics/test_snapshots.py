"""Dated snapshots in the operational store: history kept, the newest marked latest, re-runs replace."""

from __future__ import annotations

from datetime import date

import pytest

from panhuo.analytics.engines import DuckDBEngine
from panhuo.analytics.pipeline import add_alive, features_and_segments
from tests.analytics import timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(db):
    from panhuo.clients.models import Branch, Client

    branch = Branch.objects.create(branch_id="B001", name="测试营业部")
    return {c: Client.objects.create(client_id=c, branch=branch, name=c) for c, _ in timeline.CLIENTS if c != "C7"}


def _result(warehouse, as_of):
    table, _ = add_alive(features_and_segments(DuckDBEngine(warehouse), as_of))
    import pyarrow as pa

    n = table.num_rows
    reasons = [["近90天转出资产60%"] if cid == "C6" else [] for cid in table.column("client_id").to_pylist()]
    reasons_en = [["Moved 60% of assets out in 90 days"] if r else [] for r in reasons]
    table = table.append_column("churn_risk", pa.array([0.7 if r else 0.1 for r in reasons], pa.float64()))
    table = table.append_column("churn_reasons", pa.array(reasons, pa.list_(pa.string())))
    return table.append_column("churn_reasons_en", pa.array(reasons_en, pa.list_(pa.string()))), n


def test_snapshots_keep_history_and_mark_latest(warehouse, clients):
    from panhuo.clients.models import ClientSnapshot
    from panhuo.clients.services import snapshots_write

    timeline.load(warehouse)
    early, _ = _result(warehouse, date(2024, 5, 31))
    late, _ = _result(warehouse, timeline.AS_OF)
    assert snapshots_write(table=late, as_of=timeline.AS_OF) == 6     # C7 is unknown to the operational store
    assert snapshots_write(table=early, as_of=date(2024, 5, 31)) == 6  # an older date: history, not latest
    assert ClientSnapshot.objects.filter(is_latest=True).count() == 6
    assert set(ClientSnapshot.objects.filter(is_latest=True).values_list("as_of", flat=True)) == {timeline.AS_OF}
    # re-running the latest date replaces its rows and keeps the history
    assert snapshots_write(table=late, as_of=timeline.AS_OF) == 6
    assert ClientSnapshot.objects.count() == 12
    s = ClientSnapshot.objects.get(client__client_id="C6", is_latest=True)
    assert s.lifecycle == "declining" and s.tier == "vip" and float(s.total_assets) == 80000
    assert s.churn_reasons == [{"zh": "近90天转出资产60%", "en": "Moved 60% of assets out in 90 days"}]
    assert s.features["moved_out_share_90d"] == pytest.approx(0.6)
    assert "days_since_last_trade" not in s.features and s.features["return_90d"] == 0
    assert s.days_since_last_trade == 25
    c2 = ClientSnapshot.objects.get(client__client_id="C2", is_latest=True)
    assert c2.is_dormant and not c2.is_chinaclear_dormant and c2.p_alive is None
    c4 = ClientSnapshot.objects.get(client__client_id="C4", is_latest=True)
    assert c4.is_chinaclear_dormant and c4.lifecycle == "lost"


@pytest.mark.parametrize("copy_rows", [50_000, 2])
def test_every_store_writes_the_rows_the_row_by_row_build_makes(warehouse, clients, copy_rows, monkeypatch):
    """PostgreSQL builds the rows column by column and writes them set-based; SQLite writes `_rows`' dicts.
    Both must store what `_rows` says, field by field (money to the cent, NaN as missing, dates in the JSON),
    whether the COPY sends one slice or several (its writer queues each slice while the next is built)."""
    from decimal import Decimal

    from panhuo.clients import services
    from panhuo.clients.models import ClientSnapshot
    from panhuo.clients.services import _rows, snapshots_write

    monkeypatch.setattr(services, "COPY_ROWS", copy_rows)
    timeline.load(warehouse)
    table, _ = _result(warehouse, timeline.AS_OF)
    pks = {c.client_id: c.pk for c in clients.values()}
    expected = {r["client_id"]: r for r in _rows(table, timeline.AS_OF, pks, set())}
    assert snapshots_write(table=table, as_of=timeline.AS_OF) == len(expected) == 6
    fields = [f.attname for f in ClientSnapshot._meta.concrete_fields if f.attname != "id"]
    for stored in ClientSnapshot.objects.values(*fields):
        want = expected[stored["client_id"]]
        for name in fields:
            value = want.get(name, ClientSnapshot._meta.get_field(name).get_default())
            got = stored[name]
            if isinstance(got, Decimal):
                value = Decimal(f"{value:.2f}")
            elif isinstance(got, date) and isinstance(value, str):   # `_rows` carries dates as ISO text
                got = got.isoformat()
            assert got == value, (stored["client_id"], name)
    # a feature that is a date reaches the JSON as ISO text, one that is NaN as null
    assert any(isinstance(v, str) and v[:2] == "20" for r in expected.values() for v in r["features"].values())
    assert any(v is None for r in expected.values() for v in r["features"].values())


def test_postgresql_compresses_the_snapshot_json_with_lz4_when_the_server_has_it(db):
    """Migration clients 0017: lz4 (cheaper than pglz for the daily COPY) on the two JSON columns."""
    import importlib

    from django.db import connection

    from panhuo.clients.models import ClientSnapshot

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL column setting")
    migration = importlib.import_module("panhuo.clients.migrations.0017_snapshot_json_lz4")
    if not migration._lz4_supported(connection):
        pytest.skip("this server was built without lz4")
    with connection.cursor() as cur:
        cur.execute("SELECT attname, attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attname IN ('features', 'churn_reasons')", [ClientSnapshot._meta.db_table])
        assert dict(cur.fetchall()) == {"features": "l", "churn_reasons": "l"}
