"""Where the pipeline's SQL runs: DuckDB (the warehouse itself) or PySpark in local mode.

The SQL is written once in DuckDB's dialect and transpiled with SQLGlot for Spark, so both engines run
the same logic; no distributed code is written by hand. Results come back as Arrow tables.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import sqlglot

from panhuo.warehouse import Warehouse

# Optional inputs the pipeline uses when present: contacts are in every store the daily run has written to
# (it copies them there), not in one created before them and opened read-only.
OPTIONAL_TABLES = ("contacts", "questionnaires")


class Engine(Protocol):
    name: str

    def query(self, sql: str) -> pa.Table: ...

    def has_table(self, name: str) -> bool: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, wh: Warehouse):
        self.wh = wh
        # DuckDB's progress bar writes to stdout, where `--json` output must stay clean
        wh.con.execute("SET enable_progress_bar = false")

    def query(self, sql: str) -> pa.Table:
        # A cursor is immune to a result another caller left half-fetched on the shared connection.
        return self.wh.con.cursor().sql(sql).to_arrow_table()

    def has_table(self, name: str) -> bool:
        row = self.wh.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0]
        return bool(row[0])


def to_spark_sql(sql: str) -> str:
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkEngine:
    """A local SparkSession over Parquet copies of the warehouse tables the pipeline reads.

    At a head office the tables already live in Spark; pass `tables` (name -> Parquet path) to skip the copy.
    """

    name = "spark"
    TABLES = ("clients", "client_days", "client_symbols", "daily_assets", "transfers", "positions", "bars",
              "trades")

    def __init__(self, wh: Warehouse | None = None, *, tables: dict[str, str] | None = None, spark=None):
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # the optional `spark` extra
            raise RuntimeError("the spark engine needs the optional extra: pip install 'panhuo[spark]'") from exc
        self.spark = spark or (SparkSession.builder.master("local[2]").appName("panhuo")
                               .config("spark.sql.session.timeZone", "UTC")
                               .config("spark.sql.shuffle.partitions", "4")
                               .config("spark.ui.enabled", "false")
                               .config("spark.ui.showConsoleProgress", "false")
                               .getOrCreate())
        self._tmp = None
        if tables is None:
            if wh is None:
                raise ValueError("give a warehouse or Parquet tables")
            self._tmp = tempfile.TemporaryDirectory(prefix="panhuo-spark-")
            tables = {}
            for name in self.TABLES + OPTIONAL_TABLES:
                if DuckDBEngine(wh).has_table(name):
                    path = Path(self._tmp.name) / f"{name}.parquet"
                    wh.con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
                    tables[name] = str(path)
        self._names = set(tables)
        for name, path in tables.items():
            self.spark.read.parquet(path).createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        table = self.spark.sql(to_spark_sql(sql)).toArrow()
        # Spark marks coalesced columns NOT NULL where DuckDB does not: same data, same schema.
        return table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))

    def has_table(self, name: str) -> bool:
        return name in self._names

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def make_engine(name: str, wh: Warehouse) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(wh)
    if name == "spark":
        return SparkEngine(wh)
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")
