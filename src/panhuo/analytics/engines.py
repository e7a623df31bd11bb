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
# (it copies them there), not in one created before them and opened read-only; client_life likewise
# (pipeline.life_in_step).
OPTIONAL_TABLES = ("contacts", "questionnaires", "client_life")


class Engine(Protocol):
    name: str

    def query(self, sql: str) -> pa.Table: ...

    def query_after(self, name: str, first: str, then: str) -> pa.Table:
        """`then`, which reads the result of `first` under `name`: as one query with `first` as its CTE."""
        ...

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

    def query_after(self, name: str, first: str, then: str) -> pa.Table:
        """`then` over the result of `first` known as `name`: the same as one query with `first` as a CTE, but
        a CTE that `then` reads in several places is materialised by DuckDB row by row into its own format,
        where this keeps the Arrow result it had to build anyway (the registration is the cursor's alone)."""
        cur = self.wh.con.cursor()
        cur.register(name, cur.sql(first).to_arrow_table())
        return cur.sql(then).to_arrow_table()

    def has_table(self, name: str) -> bool:
        row = self.wh.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0]
        return bool(row[0])


def to_spark_sql(sql: str) -> str:
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkEngine:
    """A SparkSession over the tables the pipeline reads: Parquet copies of a branch's warehouse (local mode,
    the branch's own `--engine spark`), or the head office's lake (warehouse.lake: every branch, partitioned by
    branch and month) on a cluster (`master`, e.g. spark://host:7077; default local[2]).

    What runs where: the features, segments and the churn model's training and scoring inputs are Spark SQL over
    the whole firm, on the executors; the BG/NBD fit (four parameters from a few thousand distinct frequency/
    recency patterns) and the LightGBM churn model are fitted on the driver from those aggregated rows, because
    the fits need a small fraction of the data and a fitted model is the same whichever node fits it.
    """

    name = "spark"
    TABLES = ("clients", "client_days", "client_symbols", "daily_assets", "transfers", "positions", "bars",
              "trades")

    def __init__(self, wh: Warehouse | None = None, *, tables: dict[str, str] | None = None, spark=None,
                 master: str | None = None, lake: Path | str | None = None):
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # the optional `spark` extra
            raise RuntimeError("the spark engine needs the optional extra: pip install 'panhuo[spark]'") from exc
        builder = (SparkSession.builder.master(master or "local[2]").appName("panhuo")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.shuffle.partitions", "4" if not master else "16")
                   .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
        self.spark = spark or builder.getOrCreate()
        self._tmp = None
        if lake is not None:
            self._names = self._read_lake(Path(lake))
            return
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

    def _read_lake(self, root: Path) -> set[str]:
        """Each lake table as a view of its own columns (the partition columns branch_id and month come from
        the paths; clients keeps its branch_id, the rest drop them)."""
        from panhuo.warehouse.lake import lake_tables

        specs = lake_tables(root)
        if "clients" not in specs:
            raise ValueError(f"{root} is not a panhuo lake (no {root / '_tables.json'} naming clients): "
                             "write one with `panhuo lake export`")
        for name, spec in specs.items():
            own = [c for c in spec["columns"] if c not in spec["partitions"]]
            ddl = ", ".join([f"`{c}` {t}" for c, t in _ddl_pairs(spec["spark"]) if c in own]
                            + [f"`{p}` STRING" for p in spec["partitions"]])
            frame = (self.spark.read.schema(ddl).option("basePath", str(root / name))
                     .option("recursiveFileLookup", "false").parquet(str(root / name)))
            frame.select(*[f"`{c}`" for c in spec["columns"]]).createOrReplaceTempView(name)
        return set(specs)

    def query(self, sql: str) -> pa.Table:
        table = self.spark.sql(to_spark_sql(sql)).toArrow()
        # Spark marks coalesced columns NOT NULL where DuckDB does not: same data, same schema.
        return table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))

    def query_after(self, name: str, first: str, then: str) -> pa.Table:
        """A temporary view is a plan, not a result: Spark inlines it into `then` as it would a CTE, so the work
        stays one plan on the executors and nothing is collected to the driver in between."""
        self.spark.sql(to_spark_sql(first)).createOrReplaceTempView(name)
        try:
            return self.query(then)
        finally:
            self.spark.catalog.dropTempView(name)

    def has_table(self, name: str) -> bool:
        return name in self._names

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def _ddl_pairs(ddl: str) -> list[tuple[str, str]]:
    """[(column, type)] of the lake manifest's "`a` STRING, `b` DECIMAL(18,2)" (commas inside types kept)."""
    pairs, depth, start = [], 0, 0
    for i, ch in enumerate(ddl + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            name, _, kind = ddl[start:i].strip().partition(" ")
            pairs.append((name.strip("`"), kind.strip()))
            start = i + 1
    return pairs


def make_engine(name: str, wh: Warehouse) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(wh)
    if name == "spark":
        return SparkEngine(wh)
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")
