"""Reads for the imports pages."""

from __future__ import annotations

from django.http import Http404

from panhuo.config import panhuo_home
from panhuo.imports.journal import journal_batches
from panhuo.imports.models import ImportBatch
from panhuo.ingest.lock import import_lock_held


def can_run_imports(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == "admin"))


def can_read_imports(user) -> bool:
    return can_run_imports(user) or bool(user.is_authenticated and getattr(user, "role", "") == "compliance")


def batches_for_user(*, user, limit: int = 200) -> list[ImportBatch]:
    """Loaded batches from the operational store and, merged in by start time, the journal's batches that
    wrote nothing (rejected, already loaded, failed, interrupted)."""
    if not can_read_imports(user):
        raise Http404
    saved = list(ImportBatch.objects.defer("problems", "changes", "control_totals")[:limit])
    keys = set(ImportBatch.objects.values_list("key", flat=True))
    journal = journal_batches(recorded=keys, running_now=import_lock_held(panhuo_home()))
    return sorted([*saved, *journal], key=lambda b: b.started_at, reverse=True)[:limit]


def batch_for_user(*, user, batch_id: int) -> ImportBatch:
    if not can_read_imports(user):
        raise Http404
    try:
        return ImportBatch.objects.get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def batch_by_key_for_user(*, user, key: str) -> ImportBatch:
    """One batch by key, from the operational store or else from the journal."""
    if not can_read_imports(user):
        raise Http404
    saved = ImportBatch.objects.filter(key=key).first()
    if saved is not None:
        return saved
    found = next((b for b in journal_batches(running_now=import_lock_held(panhuo_home())) if b.key == key), None)
    if found is None:
        raise Http404
    return found
