"""Reads for the imports pages."""

from __future__ import annotations

import duckdb
from django.http import Http404

from panhuo.accounts.permissions import Capability, can
from panhuo.config import panhuo_home, warehouse_path
from panhuo.imports.journal import journal_batches
from panhuo.imports.models import BatchStatus, ImportBatch
from panhuo.ingest.batch import unsynced_batches
from panhuo.ingest.lock import import_lock_held, store_busy

PENDING_MASTER = ("已写入分析库，客户主数据待补完：下次导入或每日运行会先补完 / in the warehouse, client master pending: "
                  "the next import or the daily run finishes it first")


def batches_for_user(*, user, limit: int = 200) -> list[ImportBatch]:
    """Loaded batches from the operational store and, merged in by start time, the journal's batches that
    wrote nothing (rejected, already loaded, failed, interrupted)."""
    if not can(user, Capability.READ_IMPORTS):     # the pages are hidden: 404
        raise Http404
    saved = list(ImportBatch.objects.defer("problems", "changes", "control_totals")[:limit])
    keys = set(ImportBatch.objects.values_list("key", flat=True))
    running = import_lock_held(panhuo_home())
    journal = _with_pending_master(journal_batches(recorded=keys, running_now=running), keys, running)
    return sorted([*saved, *journal], key=lambda b: b.started_at, reverse=True)[:limit]


def _with_pending_master(journal: list[ImportBatch], recorded: set[str], running: bool) -> list[ImportBatch]:
    """Mark the batches whose data the analytical store holds while the operational store has no record of them
    (a crash between the two commits): "in the warehouse, client master pending" (`pending_master`), with the
    rows the store committed, instead of the journal's last word, which a kill right after the commit leaves at
    "nothing loaded". The store is asked only when the journal lists an unfinished batch and no import runs
    (which would finish them itself), read-only and briefly; while another job holds it, the journal's words stand.
    """
    if running or not any(b.status == BatchStatus.INTERRUPTED for b in journal):
        return journal
    store = warehouse_path()
    try:
        committed = _committed_rows(store, unsynced_batches(store, recorded))
    except duckdb.Error as exc:
        if store_busy(exc):
            return journal
        raise
    for b in journal:
        if b.key in committed:
            b.pending_master, b.rows_loaded, b.message = True, committed[b.key], PENDING_MASTER
    return journal


def _committed_rows(store, keys: list[str]) -> dict[str, int]:
    """Rows each of `keys` loaded, from the store's ledger of files."""
    if not keys:
        return {}
    con = duckdb.connect(str(store), read_only=True)
    try:
        return dict(con.execute("SELECT batch_key, sum(rows_loaded)::BIGINT FROM import_files WHERE batch_key IN "
                                f"({', '.join('?' for _ in keys)}) GROUP BY batch_key", keys).fetchall())
    finally:
        con.close()


def batch_for_user(*, user, batch_id: int) -> ImportBatch:
    if not can(user, Capability.READ_IMPORTS):     # the pages are hidden: 404
        raise Http404
    try:
        return ImportBatch.objects.get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def batch_by_key_for_user(*, user, key: str) -> ImportBatch:
    """One batch by key, from the operational store or else from the journal."""
    if not can(user, Capability.READ_IMPORTS):     # the pages are hidden: 404
        raise Http404
    saved = ImportBatch.objects.filter(key=key).first()
    if saved is not None:
        return saved
    running = import_lock_held(panhuo_home())
    found = next((b for b in journal_batches(running_now=running) if b.key == key), None)
    if found is None:
        raise Http404
    recorded = set(ImportBatch.objects.values_list("key", flat=True))
    return _with_pending_master([found], recorded, running)[0]
