"""`panhuo import PATH... --profile NAME [--quarantine] [--json]`: load back-office exports as one batch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from panhuo.cli.app import app
from panhuo.cli.output import console, fail, finish, progress, stage_reporter

STAGES = {"read": "读取 read", "validate": "校验 validate", "load": "写入 load"}


@app.command("import")
def import_command(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders of export files.")],
    profile: str = typer.Option("generic", "--profile", "-p", help="Source profile (generic, simulator, …)."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Load valid rows; rejected rows go to a file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Import back-office exports (CSV/XLSX, UTF-8 or GB18030) all-or-nothing into both stores."""
    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)      # sets Django up; stops if `panhuo migrate` is due
    from panhuo.imports.journal import journal_path
    from panhuo.imports.services import ImportLocked, ImportRejected, ProfileError, StoreBusy, import_batch

    with progress(quiet=as_json) as bar:
        tick = stage_reporter(bar, STAGES)
        try:
            batch = import_batch(paths=paths, profile=profile, quarantine=quarantine, progress=tick)
        except ProfileError as exc:
            fail(str(exc), as_json=as_json)
        except (ImportLocked, StoreBusy) as exc:      # another import, or the daily run: try again later
            fail(str(exc), as_json=as_json, code=3)
        except ImportRejected as exc:
            if as_json:
                fail(str(exc), as_json=True, code=1, batch=exc.batch.key, report_file=exc.batch.report_file,
                     journal=str(journal_path()),
                     problem_count=exc.batch.problem_count, problems=[p.as_dict() for p in exc.problems])
            table = Table("文件 file", "行 row", "列 column", "值 value", "原因 / reason", show_lines=False)
            for p in exc.problems[:200]:
                table.add_row(p.file, "" if p.row is None else str(p.row), p.column or "", p.value or "",
                              f"{p.zh} / {p.en}")
            console.print(table)
            if exc.batch.problem_count > 200:
                console.print(f"… {exc.batch.problem_count - 200} more / 另有 {exc.batch.problem_count - 200} 个问题")
            if exc.batch.report_file:
                console.print(f"全部问题 / every problem: {exc.batch.report_file}")
            console.print(f"导入记录 / batch recorded in: {journal_path()}")
            fail(str(exc), code=1)
    result = {
        "ok": True, "batch": batch.key, "status": batch.status, "profile": batch.profile,
        "rows_read": batch.rows_read, "rows_loaded": batch.rows_loaded, "rows_rejected": batch.rows_rejected,
        "rows_duplicate": batch.rows_duplicate, "files": batch.files, "control_totals": batch.control_totals,
        "changes": batch.changes, "quarantine_file": batch.quarantine_file, "message": batch.message,
        "recorded_in": "operational store" if batch.pk else str(journal_path()),
    }
    summary = (f"{batch.message} · read {batch.rows_read}, loaded {batch.rows_loaded}, rejected "
               f"{batch.rows_rejected}, duplicates {batch.rows_duplicate}"
               + (f" · quarantine: {batch.quarantine_file}" if batch.quarantine_file else ""))
    finish(result, summary=summary, as_json=as_json)
