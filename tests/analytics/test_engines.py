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
    assert {r for r in duck.column("lifecycle").to_pylist()} >= {"active", "dormant"}
