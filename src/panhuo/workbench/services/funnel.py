"""The funnel A watching → B selecting → C trading → D deal (docs/workbench.md, "Funnel rules").

Contacts move a client into A and B; only trades (and money added) confirm C and D, never a hand.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from panhuo.clients.models import (
    Client,
    ClientFunnel,
    ClientSeries,
    ClientSnapshot,
    Contact,
    FunnelEvent,
    FunnelSource,
    Outcome,
    Stage,
    Track,
)

ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}
# D = a second distinct trading day, or net money moved in, within this many days after C.
D_WINDOW_DAYS = 30
_CONTACT_TARGET = {Outcome.REACHED: Stage.A, Outcome.INTERESTED: Stage.B}


def _track_for(client: Client) -> str:
    dormant = ClientSnapshot.objects.filter(client=client, is_latest=True).values_list("is_dormant", flat=True).first()
    return Track.DORMANT if dormant else Track.NORMAL


def funnel_apply_contact(*, contact: Contact) -> FunnelEvent | None:
    """Move the client to A (reached) or B (interested), never backwards; other outcomes leave it."""
    target = _CONTACT_TARGET.get(contact.outcome)
    if target is None:
        return None
    on = timezone.localdate(contact.at)
    funnel = ClientFunnel.objects.select_for_update().filter(client=contact.client).first()
    if funnel is None:
        funnel = ClientFunnel(client=contact.client, track=_track_for(contact.client), stage=target, since=on)
    elif ORDER[funnel.stage] >= ORDER[target]:
        return None
    funnel.stage, funnel.since = target, on
    if target == Stage.B:
        funnel.b_on = on
    funnel.save()
    return FunnelEvent.objects.create(client=contact.client, track=funnel.track, stage=target,
                                      source=FunnelSource.CONTACT, at=contact.at, on=on, contact=contact)


def _confirm(funnel: ClientFunnel, series: ClientSeries | None, as_of: date, window: int) -> list[tuple[str, date]]:
    """The stages the trades confirm for one client, with the day each was reached."""
    if series is None:
        return []
    days = sorted(date.fromisoformat(d) for d in series.trade_days)
    days = [d for d in days if d <= as_of]
    moves: list[tuple[str, date]] = []
    stage, c_on = funnel.stage, funnel.c_on
    if stage == Stage.B and funnel.b_on is not None:
        after_b = [d for d in days if d > funnel.b_on]
        if after_b:
            c_on = after_b[0]
            moves.append((Stage.C, c_on))
            stage = Stage.C
    if stage == Stage.C and c_on is not None:
        end = c_on + timedelta(days=window)
        second = next((d for d in days if c_on < d <= end), None)
        money_day, net = None, 0.0
        for day_s, direction, amount in sorted(series.transfers):
            day = date.fromisoformat(day_s)
            if c_on <= day <= min(end, as_of):
                net += amount if direction == "in" else -amount
                if net > 0 and money_day is None:
                    money_day = day
        candidates = [d for d in (second, money_day) if d is not None]
        if candidates:
            moves.append((Stage.D, min(candidates)))
    return moves


def funnel_confirm_from_trades(*, as_of: date, window_days: int = D_WINDOW_DAYS) -> dict[str, int]:
    """Confirm C and D for every client in B or C from ClientSeries (trade days and transfers). Idempotent.

    The daily pipeline calls this after series_refresh(); a second run on the same data changes nothing.
    """
    funnels = (ClientFunnel.objects.filter(stage__in=[Stage.B, Stage.C])
               .select_related("client__series"))
    events, changed = [], []
    counts = {"C": 0, "D": 0}
    for f in funnels.iterator(chunk_size=2000):
        series = getattr(f.client, "series", None)
        moves = _confirm(f, series, as_of, window_days)
        for stage, on in moves:
            at = timezone.make_aware(datetime.combine(on, time(15, 0)))
            events.append(FunnelEvent(client_id=f.client_id, track=f.track, stage=stage,
                                      source=FunnelSource.TRADE, at=at, on=on))
            f.stage, f.since = stage, on
            if stage == Stage.C:
                f.c_on = on
            counts[stage] += 1
        if moves:
            changed.append(f)
    with transaction.atomic():
        FunnelEvent.objects.bulk_create(events, batch_size=2000)
        ClientFunnel.objects.bulk_update(changed, ["stage", "since", "c_on"], batch_size=2000)
    return counts
