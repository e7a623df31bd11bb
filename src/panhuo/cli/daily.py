"""`panhuo run-daily` (the branch's daily run, panhuo.daily.daily_run) and `panhuo alive fit`."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, progress

alive_app = typer.Typer(help="BG/NBD model of client activity: P(alive), expected trading days.",
                        no_args_is_help=True)
app.add_typer(alive_app, name="alive")


@alive_app.command("fit")
def alive_fit(
    summary: Path = typer.Option(..., "--summary", help="CSV with columns frequency, recency, T (one row per client)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Fit BG/NBD by maximum likelihood and print r, alpha, a, b and the log-likelihood."""
    import polars as pl

    from panhuo.analytics import bgnbd

    if not summary.exists():
        fail(f"no such file: {summary}", as_json=as_json)
    try:
        df = pl.read_csv(summary, columns=["frequency", "recency", "T"])
    except Exception as exc:  # a clear message beats a traceback for a malformed CSV
        fail(f"cannot read {summary}: need columns frequency, recency, T ({exc})", as_json=as_json)
    # Distinct triples with counts: a million rows fit as fast as their few distinct patterns.
    g = df.group_by(["frequency", "recency", "T"]).len()
    t0 = time.perf_counter()
    try:
        res = bgnbd.fit(g["frequency"].to_numpy(), g["recency"].to_numpy(), g["T"].to_numpy(),
                        weights=g["len"].to_numpy())
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    seconds = time.perf_counter() - t0
    p = res.params
    finish({"ok": True, **res.as_dict(), "seconds": seconds},
           summary=f"BG/NBD r={p.r:.4f} alpha={p.alpha:.4f} a={p.a:.4f} b={p.b:.4f} "
                   f"log-likelihood={res.log_likelihood:.3f} ({res.n_clients} clients, "
                   f"{res.n_patterns} patterns, {seconds:.2f} s)",
           as_json=as_json)


@app.command("run-daily")
def daily_run_cmd(
    as_of: str = typer.Option(None, "--as-of", help="Date of the run (YYYY-MM-DD); default: latest data date."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb or spark."),
    spark_master: str = typer.Option(None, "--spark-master", envvar="SPARK_MASTER",
                                     help="A Spark cluster's master (spark://host:7077); default local[2]."),
    lake: Path = typer.Option(None, "--lake", help="Head office: score every branch in this Parquet lake "
                                                  "(`panhuo lake export`) on Spark; writes neither store."),
    export: Path = typer.Option(None, "--export", help="Also write the per-client result as Parquet here."),
    no_store: bool = typer.Option(False, "--no-store", help="Run only the analytics pipeline; write to neither store."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """The branch's daily run: the analytics pipeline (features, segments, dormancy, P(alive), churn risk for every
    client as of a date), then snapshots, today's tasks, the market's figures and campaign outcomes."""
    from panhuo.analytics.pipeline import latest_data_date, summarise
    from panhuo.daily import daily_run
    from panhuo.ingest.lock import ImportLocked, StoreBusy, store_guard
    from panhuo.warehouse import open_warehouse

    if engine not in ("duckdb", "spark"):
        fail(f"unknown engine {engine!r}: use duckdb or spark", as_json=as_json)
    if lake is not None or spark_master:
        if engine != "spark":
            fail("--lake and --spark-master need --engine spark", as_json=as_json, code=2)
        if lake is not None:
            return _head_office_run(lake=lake, master=spark_master, as_of=as_of, export=export, as_json=as_json)
    recovered = 0
    if not no_store:
        from panhuo.daily import imports_settle
        from panhuo.django_setup import require_migrated

        require_migrated(as_json=as_json)
        try:
            recovered = imports_settle()
        except (ImportLocked, StoreBusy) as exc:
            fail(f"{exc} · 每日运行未开始 / the daily run did not start", as_json=as_json, code=3)
    t0 = time.perf_counter()
    # Read-only unless storing: the stored run first copies the advisors' contacts into the analytical store.
    try:
        with store_guard(), open_warehouse(read_only=no_store) as wh:
            day = date.fromisoformat(as_of) if as_of else latest_data_date(wh)
            if day is None:
                fail("the warehouse holds no trades or assets yet: import data first", as_json=as_json)
            with progress(quiet=as_json) as bar:
                eng = _engine(engine, wh, spark_master)
                try:
                    outcome = daily_run(wh=wh, as_of=day, engine=eng, progress=bar, store=not no_store)
                finally:
                    if not isinstance(eng, str):
                        eng.close()
    except StoreBusy as exc:       # an import or another job holds the analytical store
        fail(f"{exc} · 每日运行未开始 / the daily run did not start", as_json=as_json, code=3)
    result, table = outcome.result, outcome.table
    stats = summarise(table)
    stats["bgnbd"] = result.bgnbd.as_dict() if result.bgnbd else None
    stats["churn_model"] = result.churn.as_dict() if result.churn else None
    stats["workbench"] = outcome.workbench
    stats["market"] = outcome.market or {"skipped": outcome.market_skipped}
    stats["campaigns_measured"] = outcome.campaigns
    stats["imports_recovered"] = recovered      # batches a crash had left without their client master
    stats["contacts_copied"] = outcome.contacts
    written = outcome.snapshots_written
    if export:
        import pyarrow.parquet as pq

        export.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, export)
    seconds = time.perf_counter() - t0
    finish({"ok": True, "as_of": day, "engine": engine, "clients": table.num_rows, "snapshots_written": written,
            "export": export, "seconds": seconds, **stats},
           summary=f"{day}: {table.num_rows} clients scored on {engine}, {stats['dormant']} dormant, "
                   f"{stats['high_churn_risk']} at high churn risk, {written} snapshots written "
                   f"({seconds:.1f} s)",
           as_json=as_json)


def _engine(name: str, wh, master: str | None):
    """The engine by name, or a Spark engine on the given cluster over the branch's own tables."""
    if name == "spark" and master:
        from panhuo.analytics.engines import SparkEngine

        return SparkEngine(wh, master=master)
    return name


def _head_office_run(*, lake: Path, master: str | None, as_of: str | None, export: Path | None,
                     as_json: bool) -> None:
    """The analytics for every branch in the lake, on Spark; the result goes to Parquet (the branches keep their
    own stores: each branch's daily run writes its snapshots and tasks)."""
    import pyarrow.parquet as pq

    from panhuo.analytics.engines import SparkEngine
    from panhuo.analytics.pipeline import analytics_run, summarise

    t0 = time.perf_counter()
    try:
        eng = SparkEngine(master=master, lake=lake)
    except ValueError as exc:
        fail(str(exc), as_json=as_json, code=2)
    try:
        if as_of:
            day = date.fromisoformat(as_of)
        else:
            latest = eng.query("SELECT max(trade_date) AS d FROM client_days").column("d")[0].as_py()
            if latest is None:
                fail(f"the lake {lake} holds no trades", as_json=as_json)
            day = latest
        with progress(quiet=as_json) as bar:
            result = analytics_run(None, as_of=day, engine=eng, progress=bar)
    finally:
        eng.close()
    table = result.table
    dest = export or lake / "scores" / f"as_of={day}" / "scores.parquet"
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest)
    stats = summarise(table)
    seconds = time.perf_counter() - t0
    finish({"ok": True, "as_of": day, "engine": "spark", "master": master or "local[2]", "lake": lake,
            "clients": table.num_rows, "export": dest, "seconds": seconds, **stats},
           summary=f"{day}: {table.num_rows} clients of the lake scored on Spark ({master or 'local[2]'}), "
                   f"{stats['dormant']} dormant, {stats['high_churn_risk']} at high churn risk → {dest} "
                   f"({seconds:.1f} s)",
           as_json=as_json)
