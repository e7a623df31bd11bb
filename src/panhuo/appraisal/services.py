"""Writes: targets, and the scorecard's compute, comment and sign-off. A signed scorecard is locked: every
later attempt is refused and recorded in the audit trail."""

from __future__ import annotations

import functools
from datetime import date

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.permissions import Capability, require
from panhuo.appraisal import measures
from panhuo.appraisal.models import ActivityTarget, LockedError, Scorecard, ScorecardStatus
from panhuo.appraisal.scorecard import scorecard_items
from panhuo.appraisal.selectors import targets_for
from panhuo.audit.services import audit_record

TARGET_FIELDS = ("phone_per_week", "visit_per_week", "wechat_per_week", "other_per_week", "coverage_pct",
                 "on_time_pct", "follow_ups_pct")


def targets_set(*, user, advisor, values: dict, request=None) -> ActivityTarget:
    """Set an advisor's targets (the caller resolved the advisor within reach)."""
    require(user, Capability.SET_TARGETS)
    target, _ = ActivityTarget.objects.get_or_create(advisor=advisor)
    for f in TARGET_FIELDS:
        if f in values:
            setattr(target, f, values[f])
    target.set_by = user
    target.save()
    audit_record(user=user, action="appraisal.targets.set", object_type="advisor", object_ids=[advisor.advisor_id],
                 detail={f: getattr(target, f) for f in TARGET_FIELDS}, request=request)
    return target


def _refuse_if_locked(card: Scorecard) -> None:
    if card.locked:
        raise LockedError(card)


def _audited_lock(action: str):
    """Run the write in its own transaction; a refusal because the month is signed is recorded after the
    rollback (inside it the record would roll back too)."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*, user, request=None, **kw):
            try:
                with transaction.atomic():
                    return fn(user=user, request=request, **kw)
            except LockedError as e:
                card = e.args[0]
                audit_record(user=user, action=action, object_type="scorecard", object_ids=[str(card.pk)],
                             outcome="denied", detail={"reason": "signed", "month": f"{card.month:%Y-%m}"},
                             request=request)
                raise
        return inner
    return wrap


@_audited_lock("appraisal.scorecard.compute")
def scorecard_compute(*, user, advisor, month: date, request=None) -> Scorecard:
    """Compute (or recompute, while a draft) the advisor's scorecard for the month of `month`."""
    require(user, Capability.SIGN_SCORECARD)
    start, end = measures.month_of(month)
    card, _ = Scorecard.objects.select_for_update().get_or_create(advisor=advisor, month=start)
    _refuse_if_locked(card)
    target = targets_for(advisors=[advisor])[advisor.pk]
    card.items = scorecard_items(advisor=advisor, start=start, end=end, coverage_target=target.coverage_pct / 100)
    card.total = round(sum(i["points"] for i in card.items), 2)
    card.computed_at = timezone.now()
    card.save()
    audit_record(user=user, action="appraisal.scorecard.compute", object_type="scorecard", object_ids=[str(card.pk)],
                 detail={"advisor": advisor.advisor_id, "month": f"{start:%Y-%m}", "total": card.total},
                 request=request)
    return card


@_audited_lock("appraisal.scorecard.comment")
def scorecard_comment(*, user, card: Scorecard, comment: str, request=None) -> Scorecard:
    require(user, Capability.SIGN_SCORECARD)
    card = Scorecard.objects.select_for_update().get(pk=card.pk)
    _refuse_if_locked(card)
    card.comment = (comment or "").strip()[:4000]
    card.save()
    audit_record(user=user, action="appraisal.scorecard.comment", object_type="scorecard", object_ids=[str(card.pk)],
                 request=request)
    return card


@_audited_lock("appraisal.scorecard.sign")
def scorecard_sign(*, user, card: Scorecard, request=None) -> Scorecard:
    """The director's sign-off: the month is locked from here on."""
    require(user, Capability.SIGN_SCORECARD)
    card = Scorecard.objects.select_for_update().get(pk=card.pk)
    _refuse_if_locked(card)
    if card.computed_at is None:
        raise ValueError("compute the scorecard before signing it")
    card.status, card.signed_by, card.signed_at = ScorecardStatus.SIGNED, user, timezone.now()
    card.save()
    audit_record(user=user, action="appraisal.scorecard.sign", object_type="scorecard", object_ids=[str(card.pk)],
                 detail={"advisor": card.advisor.advisor_id, "month": f"{card.month:%Y-%m}", "total": card.total},
                 request=request)
    return card
