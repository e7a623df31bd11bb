"""The branch's persistent holdout: drawing a period, reading who is held out, and the branch-level readout.

- `holdout_rotate` draws a new period for a branch (a share of its clients, split within each advisor's book so
  every advisor gives up the same share; the seed drawn by the server) and ends the current one the same day.
- `holdout_client_ids` is what campaigns read at targeting: the clients held out on a day. A held-out client is
  never a campaign member and never invited. Regular service (workbench tasks) does not read it: serving a
  client is a duty, not marketing.
- `holdout_readout` compares, over a period, the held-out clients with the rest of the branch: the share who
  traded in the period and, among those dormant when it began, the share who came back. The difference is the
  effect of all outreach together, with its 95% interval (measure.lift).

Settings: PANHUO_HOLDOUT_SHARE (default 0.05; 0 turns the holdout off) and PANHUO_HOLDOUT_MONTHS (default 6).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from panhuo.audit.services import audit_record
from panhuo.clients.models import Branch, Client, ClientSnapshot, HoldoutDraw, HoldoutMember

DEFAULT_SHARE = 0.05
DEFAULT_MONTHS = 6


def holdout_settings() -> tuple[float, int]:
    """(share, months) from the environment, with the defaults when unset or unreadable."""
    try:
        share = float(os.environ.get("PANHUO_HOLDOUT_SHARE", DEFAULT_SHARE))
    except ValueError:
        share = DEFAULT_SHARE
    try:
        months = int(os.environ.get("PANHUO_HOLDOUT_MONTHS", DEFAULT_MONTHS))
    except ValueError:
        months = DEFAULT_MONTHS
    return min(max(share, 0.0), 0.5), max(months, 1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def holdout_current(*, branch_id: int, on: date) -> HoldoutDraw | None:
    return (HoldoutDraw.objects.filter(branch_id=branch_id, start__lte=on, end__gt=on)
            .order_by("-start", "-pk").first())


def holdout_due(*, branch_id: int, on: date) -> bool:
    """A branch needs a draw when no period covers the day (none yet, or the last one has ended)."""
    return holdout_current(branch_id=branch_id, on=on) is None


def holdout_client_ids(*, on: date, branch_id: int | None = None) -> set[int]:
    """Client pks held out on `on` (one branch, or every branch when None)."""
    qs = HoldoutMember.objects.filter(draw__start__lte=on, draw__end__gt=on)
    if branch_id is not None:
        qs = qs.filter(draw__branch_id=branch_id)
    return set(qs.values_list("client_id", flat=True))


def holdout_rotate(*, branch: Branch, today: date, user=None, share: float | None = None,
                   months: int | None = None, seed: int | None = None) -> HoldoutDraw | None:
    """End the branch's current period today and draw the next: `share` of its clients for `months` months.

    The split is `measure.holdout.assign_holdout` within each advisor's book (clients without an advisor form
    one stratum), seeded by the server unless a test passes `seed`. None when the share is 0 (turned off)."""
    from panhuo.measure.holdout import assign_holdout

    default_share, default_months = holdout_settings()
    share = default_share if share is None else share
    months = default_months if months is None else months
    if share <= 0:
        return None
    with transaction.atomic():
        current = list(HoldoutDraw.objects.select_for_update().filter(branch=branch, end__gt=today))
        for d in current:
            d.end = max(today, d.start)
            d.save(update_fields=["end"])
        clients = list(Client.objects.filter(branch=branch).exclude(status="closed")
                       .values_list("pk", "client_id", "advisor_id"))
        seed = secrets.randbits(31) if seed is None else seed
        draw = HoldoutDraw.objects.create(branch=branch, start=today, end=_add_months(today, months), share=share,
                                          seed=seed, population=len(clients), drawn_by=user if getattr(
                                              user, "pk", None) else None)
        pk_of = {code: pk for pk, code, _a in clients}
        split = assign_holdout([(code, (adv or 0,)) for _pk, code, adv in clients], control_share=share,
                               seed=seed) if clients else []
        HoldoutMember.objects.bulk_create([HoldoutMember(draw=draw, client_id=pk_of[a.member_id])
                                           for a in split if a.is_control], batch_size=1000)
        audit_record(user=user, action="holdout.rotate", object_type="branch", object_ids=[str(branch.pk)],
                     detail={"draw": draw.pk, "start": str(draw.start), "end": str(draw.end), "share": share,
                             "held_out": sum(a.is_control for a in split), "population": len(clients),
                             "ended": [d.pk for d in current]})
    return draw


@dataclass
class HoldoutReadout:
    draw: HoldoutDraw
    as_of: date | None
    held_out: int
    rest: int
    active: object = None          # measure.lift.Lift: rest − holdout, share who traded in the period
    reactivated: object = None     # the same among the clients dormant when the period began
    dormant_held_out: int = 0
    dormant_rest: int = 0


def holdout_readout(*, draw: HoldoutDraw, as_of: date | None = None) -> HoldoutReadout:
    """Everyone else against the holdout over the period so far (to `as_of`, by default the latest snapshots).

    Traded in the period: the client's snapshot on the last day (≤ the period's end) shows a trade on or after
    the start. Came back: among clients whose snapshot at (or last before) the start says dormant, those who
    traded since. The branch's clients are those drawn from (the draw's branch, not closed at the draw): the
    rest is every such client not held out. Intervals: Newcombe's, as for a campaign (measure.lift)."""
    import warnings

    import numpy as np

    from panhuo.measure.lift import lift_binary

    held = set(draw.members.values_list("client_id", flat=True))
    clients = set(Client.objects.filter(branch_id=draw.branch_id).filter(
        Q(open_date__isnull=True) | Q(open_date__lt=draw.start)).values_list("pk", flat=True)) | held
    last_day = min(as_of or draw.end, draw.end)
    end_snap = {}
    for cid, d, since in (ClientSnapshot.objects.filter(client_id__in=clients, as_of__lte=last_day)
                          .order_by("client_id", "as_of").values_list("client_id", "as_of", "days_since_last_trade")):
        end_snap[cid] = (d, since)
    start_dormant = {}
    for cid, dormant in (ClientSnapshot.objects.filter(client_id__in=clients, as_of__lte=draw.start)
                         .order_by("client_id", "as_of").values_list("client_id", "is_dormant")):
        start_dormant[cid] = dormant
    measured_on = max((d for d, _s in end_snap.values()), default=None)

    def traded(cid) -> int:
        d, since = end_snap[cid]
        return int(since is not None and (d - draw.start).days >= since)

    measured = [c for c in clients if c in end_snap and end_snap[c][0] > draw.start]
    out = HoldoutReadout(draw=draw, as_of=measured_on, held_out=len(held), rest=len(clients - held))
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        h = [traded(c) for c in measured if c in held]
        r = [traded(c) for c in measured if c not in held]
        if h and r:
            out.active = lift_binary(np.array(r), np.array(h))
        dh = [traded(c) for c in measured if c in held and start_dormant.get(c)]
        dr = [traded(c) for c in measured if c not in held and start_dormant.get(c)]
        out.dormant_held_out, out.dormant_rest = len(dh), len(dr)
        if dh and dr:
            out.reactivated = lift_binary(np.array(dr), np.array(dh))
    return out


def holdout_demo_seed(*, as_of: date, seed: int) -> str | None:
    """`panhuo demo`: a period for every branch that began 60 days before the demo's day, so the director's page
    shows the holdout and a first readout. Deterministic for the seed; nothing when a period already covers it."""
    from datetime import timedelta

    start = as_of - timedelta(days=60)
    drawn = 0
    for branch in Branch.objects.order_by("branch_id"):
        if holdout_due(branch_id=branch.pk, on=start):
            holdout_rotate(branch=branch, today=start, seed=seed * 1000 + branch.pk)
            drawn += 1
    return f"holdout periods: {drawn}" if drawn else None
