"""Writes of the market page: the daily step and the sending of a switch suggestion."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from panhuo.audit.services import audit_record
from panhuo.clients.selectors import client_get_for_user
from panhuo.market import data
from panhuo.market.switch import Holding, NotRegisteredAdvisor
from panhuo.marketweb.models import MarketDay, SwitchDraft
from panhuo.workbench.models import ClientSeries


def _instruments(wh) -> pl.DataFrame:
    # A cursor of its own, as data.fetch does: another caller may hold a result on the shared connection.
    return wh.con.cursor().sql("SELECT * FROM instruments ORDER BY symbol").pl()


def _portfolios() -> dict[str, list[Holding]]:
    """Each client's holdings from the workbench's series (written earlier in the daily run)."""
    out = {}
    for cid, positions in ClientSeries.objects.exclude(positions=[]).values_list("client_id", "positions").iterator():
        hs = [Holding(p["symbol"], int(p.get("quantity") or 0), p.get("cost_price")) for p in positions if p.get("symbol")]
        if hs:
            out[cid] = hs
    return out


def market_daily(*, wh, as_of: date) -> dict:
    """Regime, index charts, pools, model report and switch drafts for `as_of` from the warehouse `wh`.

    Run after workbench_daily (it reads ClientSeries positions). Idempotent: the day's MarketDay row is
    replaced and every client's SwitchDraft is the latest run's.
    """
    from panhuo.marketweb import compute  # numba kernels: loaded by the daily step, not the web process

    bars = data.fetch(wh, start=as_of - timedelta(days=compute.HISTORY_DAYS), end=as_of)
    result = compute.market_day(bars, _instruments(wh), as_of, portfolios=_portfolios())
    with transaction.atomic():
        MarketDay.objects.update_or_create(date=result.date, defaults={
            "index_symbol": result.index_symbol, "regime": result.gauge["regime"], "phase": result.gauge["phase"],
            "position": result.gauge["position"], "gauge": result.gauge, "charts": result.charts,
            "pools": result.pools, "report": result.report})
        SwitchDraft.objects.all().delete()
        SwitchDraft.objects.bulk_create(
            [SwitchDraft(client_id=cid, date=result.date, regime=result.gauge["regime"], weak=s["weak"],
                         candidates=s["candidates"], model_names=s["models"], notes=s["notes"],
                         disclosure=s["disclosure"]) for cid, s in result.switches.items()], batch_size=1000)
    return {"date": result.date, "regime": result.gauge["regime"], "phase": result.gauge["phase"],
            "pools": {m: len(p["entries"]) for m, p in result.pools.items()},
            "switch_drafts": len(result.switches),
            "clients_with_weak_holdings": sum(1 for s in result.switches.values() if s["weak"])}


def switch_send(*, user, client_id: str, request=None):
    """Record that a registered investment advisor sent the client's switch suggestion, with models and date.

    Out of reach: 404 (before anything else, so nothing is revealed). Not a registered advisor, or a
    read-only role: PermissionDenied. Nothing to send: ValidationError. Only a send writes (one audit event).
    """
    client = client_get_for_user(user=user, client_id=client_id)
    if not getattr(user, "is_registered_advisor", False) or getattr(user, "is_read_only", True):
        raise PermissionDenied(str(NotRegisteredAdvisor("only registered investment advisors send switch advice")))
    draft = SwitchDraft.objects.filter(client=client).first()
    if draft is None or not draft.weak or not draft.candidates:
        raise ValidationError("no switch suggestion to send")
    return audit_record(
        user=user, action="market.switch_send", object_type="client", object_ids=[client.client_id], request=request,
        detail={"client": client.client_id, "date": draft.date.isoformat(), "regime": draft.regime, "models": draft.model_names,
                "weak": [w["symbol"] for w in draft.weak],
                "candidates": [{"model": c["model"], "date": c["date"], "symbol": c["symbol"]} for c in draft.candidates],
                "disclosure": draft.disclosure})
