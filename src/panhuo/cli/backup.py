"""`panhuo backup` and `panhuo restore`: both stores as one consistent, owner-only snapshot (panhuo.backup)."""

from __future__ import annotations

from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish


@app.command()
def backup(
    out: Path = typer.Option(None, "--out", help="Folder for the archive (default: PANHUO_HOME/backups)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Back up both stores as one consistent snapshot: a tar with both copies and a manifest of sha256 checksums
    and row counts (owner-only). No import or daily run can write meanwhile; the web app may keep running."""
    from panhuo.django_setup import setup

    setup()      # not require_migrated: the backup before an upgrade is of a store older than this panhuo
    from panhuo.backup import BackupError, backup_create
    from panhuo.config import panhuo_home
    from panhuo.ingest.lock import ImportLocked, StoreBusy

    try:
        result = backup_create(out=out or panhuo_home() / "backups")
    except (ImportLocked, StoreBusy, BackupError) as exc:
        fail(f"{exc} · 备份未完成 / no backup was written", as_json=as_json, code=3)
    rows = {part: sum(t.values()) for part, t in result.manifest["rows"].items()}
    finish({"ok": True, "archive": result.archive, "seconds": result.seconds, **result.manifest},
           summary=f"备份完成 / backed up to {result.archive} ({rows.get('operational', 0)} operational rows, "
                   f"{rows.get('analytical', 0)} analytical rows, {result.seconds:.1f} s)",
           as_json=as_json)


@app.command()
def restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="A panhuo-backup-*.tar."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Restore both stores from a backup after checking its checksums; then compare every table's rows with the
    manifest. Stop the web app and the timers first; run `panhuo migrate` after restoring an older backup."""
    from panhuo.django_setup import setup

    setup()
    from panhuo.backup import BackupError, restore_archive
    from panhuo.ingest.lock import ImportLocked, StoreBusy

    try:
        result = restore_archive(archive=archive)
    except (ImportLocked, StoreBusy, BackupError) as exc:
        fail(f"{exc} · 未恢复 / nothing was restored", as_json=as_json, code=3)
    if result.mismatched:
        fail("恢复后行数不符 / rows differ from the backup after restoring: " + "; ".join(result.mismatched),
             as_json=as_json, code=5)
    finish({"ok": True, "archive": archive, "created": result.manifest["created"], "rows": result.rows},
           summary=f"已恢复 / restored the backup of {result.manifest['created']}; every table's rows match",
           as_json=as_json)
