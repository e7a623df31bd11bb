"""The import journal: an append-only JSON Lines file beside the stores that records every batch that wrote no
data — rejected, already loaded, failed — and the start of every batch.

Issue #4 asks that after a rejected batch both stores are byte-for-byte as before, and also that every batch
is recorded and listed. A row in the operational store would break the first promise, so batches that change
nothing are recorded here instead (PANHUO_HOME/import-journal.jsonl, owner-only) and the imports page and
`panhuo import --json` read them from here. A loaded batch is recorded in the operational store, in the same
transaction as the client master it changes. A batch whose last line is "running" and that never reached
either record was killed before it could commit anything; it is listed as interrupted.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from panhuo.config import panhuo_home
from panhuo.imports.models import BatchStatus, ImportBatch

FIELDS = ("key", "profile", "username", "status", "quarantine", "business_date", "files", "rows_read", "rows_loaded",
          "rows_rejected", "rows_duplicate", "problem_count", "problems", "control_totals", "changes",
          "quarantine_file", "report_file", "message", "started_at", "finished_at")


def journal_path() -> Path:
    return panhuo_home() / "import-journal.jsonl"


def journal_append(batch: ImportBatch) -> None:
    """Append the batch as one line, synced to disk before returning (the record must survive a crash)."""
    entry = {f: getattr(batch, f) for f in FIELDS}
    line = json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":")) + "\n"
    fd = os.open(journal_path(), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)           # one writer at a time, so lines never interleave
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = "\n" + line                   # a crash tore the last line: end it, so this one stands alone
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)                              # closing releases the lock


def _batch(entry: dict) -> ImportBatch:
    values = {f: entry[f] for f in FIELDS if entry.get(f) is not None}
    for f in ("started_at", "finished_at"):
        if f in values:
            values[f] = dt.datetime.fromisoformat(values[f])
    if "business_date" in values:
        values["business_date"] = dt.date.fromisoformat(values["business_date"])
    return ImportBatch(**values)     # never saved: the journal is its home


def journal_batches(*, recorded: set[str] = frozenset(), running_now: bool = False) -> list[ImportBatch]:
    """The journal's batches, last line per key, newest first; keys in `recorded` (batches the operational
    store holds) are left out. A torn last line from a crash mid-write is skipped. A batch still "running"
    is interrupted unless it is the newest and an import holds the lock (`running_now`)."""
    path = journal_path()
    if not path.exists():
        return []
    last: dict[str, dict] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:     # a torn line may end mid-character
        for line in fh:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            last[entry["key"]] = entry
    out = sorted((_batch(e) for k, e in last.items() if k not in recorded), key=lambda b: b.started_at,
                 reverse=True)
    for i, b in enumerate(out):
        if b.status == BatchStatus.RUNNING and not (i == 0 and running_now):
            b.status = BatchStatus.INTERRUPTED
            b.message = ("进程中断：数据已写入分析库，客户主数据将在下次导入时同步 / interrupted after the analytical "
                         "store committed; the next import finishes the client master and the record"
                         if b.rows_loaded else "进程中断，未提交 / interrupted before commit; nothing was loaded")
    return out


def journal_batch(key: str) -> ImportBatch | None:
    return next((b for b in journal_batches() if b.key == key), None)
