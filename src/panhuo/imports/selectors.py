"""Reads for the imports pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from panhuo.imports.models import ImportBatch


def can_run_imports(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == "admin"))


def can_read_imports(user) -> bool:
    return can_run_imports(user) or bool(user.is_authenticated and getattr(user, "role", "") == "compliance")


def batches_for_user(*, user, limit: int = 200) -> QuerySet[ImportBatch]:
    if not can_read_imports(user):
        raise Http404
    return ImportBatch.objects.defer("problems", "changes", "control_totals")[:limit]


def batch_for_user(*, user, batch_id: int) -> ImportBatch:
    if not can_read_imports(user):
        raise Http404
    try:
        return ImportBatch.objects.get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None
