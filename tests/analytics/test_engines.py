"""One pipeline, two engines: the same SQL on DuckDB and (transpiled by SQLGlot) on PySpark in local mode."""

from __future__ import annotations

import math

import pytest

from panhuo.analytics.engines import DuckDBEngine, to_spark_sql
from panhuo.analytics.pipeline import features_and_segments
from panhuo.analytics.segments import segments_sql
from tests.analytics.simbranch import simulated_branch


def test_the_sql_transpiles_for_spark():
    from datetime import date

    sql = to_spark_sql(segments_sql(date(2024, 6, 28)))
    assert "MAX_BY(" in sql and "DATEDIFF(" in sql and "ARG_MAX" not in sql.upper()
    from panhuo.analytics.churn import outcome_sql

    assert "FILTER(WHERE" in to_spark_sql(outcome_sql(date(2024, 3, 30)))


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_agree_on_a_simulated_branch(tmp_path, warehouse):
    pytest.importorskip("pyspark")
    from panhuo.analytics.engines import SparkEngine

    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=300, years=1.0, seed=3)
    _add_contacts(warehouse, as_of)
    duck = features_and_segments(DuckDBEngine(warehouse), as_of)
    spark = SparkEngine(warehouse)
    try:
        other = features_and_segments(spark, as_of)
    finally:
        spark.close()
    assert duck.schema == other.schema and duck.num_rows == other.num_rows == 300
    floats = 0
    for name in duck.column_names:
        a, b = duck.column(name).to_pylist(), other.column(name).to_pylist()
        if duck.schema.field(name).type in ("double",) or isinstance(next((v for v in a if v is not None), 0), float):
            for x, y in zip(a, b, strict=True):
                assert (x is None) == (y is None), name
                if x is not None:
                    floats += 1
                    assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (name, x, y)
        else:
            assert a == b, name          # counts, dates, segments: exact
    assert floats > 1000
    recency = duck.column("days_since_last_contact").to_pylist()
    assert 50 < sum(v is not None for v in recency) < 300 and 0 in recency   # filled for the contacted only
    assert {r for r in duck.column("lifecycle").to_pylist()} >= {"active", "dormant"}


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
