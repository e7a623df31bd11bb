"""`panhuo import PATH... --profile NAME [--quarantine] [--replace-dates] [--dry-run] [--json]`: load back-office
exports as one batch; `panhuo import restore BATCH_KEY [--json]`: put back what a batch removed or overwrote."""

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
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders of export files; or `restore BATCH_KEY` (a folder named restore: ./restore).")],
    profile: str = typer.Option("generic", "--profile", "-p", help="Source profile (generic, simulator, …)."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Load valid rows; rejected rows go to a file."),
    replace_dates: bool = typer.Option(
        False, "--replace-dates",
        help="The files are whole days: stored rows of the files' branches and days that they lack are removed "
             "(kept for `panhuo import restore`). Without it, rows are only added and corrected by key."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Validate and show the plan (rows to add, correct, remove); write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Import back-office exports (CSV/XLSX, UTF-8 or GB18030) all-or-nothing into both stores.

    `panhuo import restore BATCH_KEY` puts back the rows that batch removed or overwrote (kept at least 30 days).
    """
    from panhuo.django_setup import require_migrated

    require_migrated(as_json=as_json)      # sets Django up; stops if `panhuo migrate` is due
    if paths and str(paths[0]) == "restore":
        if len(paths) != 2:
            fail("用法 / usage: panhuo import restore BATCH_KEY", as_json=as_json, code=2)
        _restore(str(paths[1]), as_json=as_json)
        return
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"文件不存在 / no such file or folder: {', '.join(missing)}", as_json=as_json, code=2)
    from panhuo.imports.journal import journal_path
    from panhuo.imports.services import ImportLocked, ImportRejected, ProfileError, StoreBusy, import_batch

    with progress(quiet=as_json) as bar:
        tick = stage_reporter(bar, STAGES)
        try:
            batch = import_batch(paths=paths, profile=profile, quarantine=quarantine, progress=tick,
                                 replace_dates=replace_dates, dry_run=dry_run)
        except ProfileError as exc:
            fail(str(exc), as_json=as_json)
        except (ImportLocked, StoreBusy) as exc:      # another import, or the daily run: try again later
            fail(str(exc), as_json=as_json, code=3)
        except ImportRejected as exc:
            if as_json:
                fail(str(exc), as_json=True, code=1, batch=exc.batch.key, report_file=exc.batch.report_file,
                     journal=None if dry_run else str(journal_path()),
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
            if not dry_run:
                console.print(f"导入记录 / batch recorded in: {journal_path()}")
            fail(str(exc), code=1)
    result = {
        "ok": True, "batch": batch.key, "status": batch.status, "profile": batch.profile,
        "rows_read": batch.rows_read, "rows_loaded": batch.rows_loaded, "rows_rejected": batch.rows_rejected,
        "rows_duplicate": batch.rows_duplicate, "files": batch.files, "control_totals": batch.control_totals,
        "changes": batch.changes, "quarantine_file": batch.quarantine_file, "message": batch.message,
        "recorded_in": "operational store" if batch.pk else None if dry_run else str(journal_path()),
    }
    if not as_json:
        _print_days(batch.changes)
        if batch.status == "loaded" and any(c.get("rows_removed") or c.get("rows_corrected")
                                             for c in batch.changes if "mode" in c):
            console.print(f"删除和更正前的数据已保留，可恢复 / removed and overwritten rows are kept: "
                          f"panhuo import restore {batch.key}")
    summary = (f"{batch.message} · read {batch.rows_read}, loaded {batch.rows_loaded}, rejected "
               f"{batch.rows_rejected}, duplicates {batch.rows_duplicate}"
               + (f" · quarantine: {batch.quarantine_file}" if batch.quarantine_file else ""))
    finish(result, summary=summary, as_json=as_json)


def _print_days(changes: list[dict]) -> None:
    """The fact rows added, corrected and removed per table, branch and day, as planned or done."""
    days = [c for c in changes if "branch" in c and "date" in c]
    if not days:
        return
    table = Table("表 table", "营业部 branch", "日期 date", "新增 add", "更正 correct", "删除 remove")
    for c in days:
        table.add_row(c["table"], c["branch"], c["date"], str(c.get("rows_added", "–")), str(c["rows_corrected"]),
                      str(c["rows_removed"]))
    console.print(table)


def _restore(batch_key: str, *, as_json: bool) -> None:
    import getpass

    from panhuo.clients.decisions import Actor
    from panhuo.imports.services import ImportLocked, RestoreError, StoreBusy, import_restore

    try:
        restored = import_restore(batch_key=batch_key, user=Actor(username=f"os:{getpass.getuser()}",
                                                                  role="operator"))
    except (ImportLocked, StoreBusy) as exc:
        fail(str(exc), as_json=as_json, code=3)
    except RestoreError as exc:
        fail(str(exc), as_json=as_json, code=1)
    rows = sum(r["rows_restored"] for r in restored)
    if not as_json:
        table = Table("表 table", "营业部 branch", "日期 date", "恢复 restored")
        for r in restored:
            table.add_row(r["table"], r["branch"], r["date"], str(r["rows_restored"]))
        console.print(table)
    finish({"ok": True, "batch": batch_key, "rows_restored": rows, "restored": restored},
           summary=f"已恢复 {rows} 行 / restored {rows} rows of batch {batch_key}", as_json=as_json)
