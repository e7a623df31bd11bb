"""One pipeline, two engines: the same SQL on DuckDB and (transpiled by SQLGlot) on PySpark in local mode."""

from __future__ import annotations

import math
from datetime import timedelta

import pyarrow as pa
import pytest

from panhuo.analytics.churn import HORIZON, QUIET, client_sample, outcome_sql
from panhuo.analytics.engines import DuckDBEngine, to_spark_sql
from panhuo.analytics.pipeline import analytics_run
from panhuo.analytics.segments import segments_sql
from tests.analytics.simbranch import simulated_branch


def test_the_sql_transpiles_for_spark():
    from datetime import date

    sql = to_spark_sql(segments_sql(date(2024, 6, 28)))
    assert "MAX_BY(" in sql and "DATEDIFF(" in sql and "ARG_MAX" not in sql.upper()
    assert "FILTER(WHERE" in to_spark_sql(outcome_sql(date(2024, 3, 30)))


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree_to_1e9_on_every_column(tmp_path, warehouse):
    """The whole analytics run (features, segments, P(alive), the churn model trained on each engine's own
    history, its scores and reasons) on both engines: equal to 1e-9 on every float, exact on the rest."""
    pytest.importorskip("pyspark")
    from panhuo.analytics.engines import SparkEngine

    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=800, years=2.0, seed=3)
    _add_contacts(warehouse, as_of)
    duck = analytics_run(warehouse, as_of=as_of, engine=DuckDBEngine(warehouse))
    spark = SparkEngine(warehouse)
    try:
        other = analytics_run(warehouse, as_of=as_of, engine=spark)
        # a sample of clients, as training reads at a million clients, is drawn alike by both engines
        d = as_of - timedelta(days=HORIZON + QUIET)
        sampled = [eng.query(outcome_sql(d, sample=client_sample(d, 0.4))).column("client_id").to_pylist()
                   for eng in (DuckDBEngine(warehouse), spark)]
    finally:
        spark.close()
    assert sampled[0] == sampled[1] and 0 < len(sampled[0]) < 0.6 * 800
    a_t, b_t = duck.table, other.table
    assert a_t.schema.remove_metadata() == b_t.schema.remove_metadata() and a_t.num_rows == b_t.num_rows == 800
    assert duck.churn.validation == "purged"
    assert math.isclose(duck.churn.auc, other.churn.auc, rel_tol=1e-9)
    floats = 0
    for name in a_t.column_names:
        a, b = a_t.column(name).to_pylist(), b_t.column(name).to_pylist()
        if pa.types.is_floating(a_t.schema.field(name).type):
            for x, y in zip(a, b, strict=True):
                x, y = (None if v is None or v != v else v for v in (x, y))    # NULL and NaN alike: no value
                assert (x is None) == (y is None), (name, x, y)
                if x is not None:
                    floats += 1
                    assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (name, x, y)
        else:
            assert a == b, name          # counts, dates, segments, reasons: exact
    assert floats > 10_000
    assert sum(v == v for v in a_t.column("churn_risk").to_pylist() if v is not None) > 300
    recency = a_t.column("days_since_last_contact").to_pylist()
    assert 50 < sum(v is not None for v in recency) < 800 and 0 in recency   # filled for the contacted only
    assert {r for r in a_t.column("lifecycle").to_pylist()} >= {"active", "dormant"}


def _add_contacts(wh, as_of) -> None:
    """The simulator logs no contacts: give every third client some, late in the evening (the date is the
    branch's), one after the as-of date, one a campaign's send, and some in and out of the 90 days."""
    from datetime import datetime, time, timedelta

    ids = [c for (c,) in wh.con.execute("SELECT client_id FROM clients ORDER BY client_id").fetchall()][::3]
    rows = []
    for i, cid in enumerate(ids):
        for k, gap in enumerate((-3, i % 40, 60 + i % 90, 300)):
            rows.append((len(rows) + 1, cid, datetime.combine(as_of, time(23, 30)) - timedelta(days=gap), "phone",
                         "not_reached" if (i + k) % 3 == 0 else "reached", "A01", not (k == 2 and i % 5 == 0)))
    wh.con.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
