"""`panhuo lake export`: a branch's analytical tables into the head office's Parquet lake (warehouse.lake)."""

from __future__ import annotations

from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, progress

lake_app = typer.Typer(help="The head office's Parquet lake that `run-daily --engine spark --lake` reads.",
                       no_args_is_help=True)
app.add_typer(lake_app, name="lake")


@lake_app.command("export")
def export(
    to: Path = typer.Option(..., "--to", help="The lake's folder (local, or a mounted shared file system)."),
    branch: list[str] = typer.Option(None, "--branch", help="Only this branch's code (repeatable); default all."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable results."),
) -> None:
    """Write this store's tables into the lake, partitioned by branch and month; a branch's partitions are
    replaced whole, other branches' are left alone."""
    from panhuo.ingest.lock import StoreBusy, store_guard
    from panhuo.warehouse import open_warehouse
    from panhuo.warehouse.lake import lake_export

    try:
        with store_guard(), open_warehouse(read_only=True) as wh, progress(quiet=as_json) as bar:
            task = bar.add_task("lake export", total=None)
            result = lake_export(wh, to, branches=branch or None,
                                 progress=lambda code: bar.update(task, description=f"lake export: {code}",
                                                                  advance=1))
    except StoreBusy as exc:
        fail(str(exc), as_json=as_json, code=3)
    finish({"ok": True, "lake": to, **result},
           summary=f"{len(result['branches'])} branch(es), {result['rows']:,} clients, "
                   f"{len(result['tables'])} tables → {to}", as_json=as_json)
