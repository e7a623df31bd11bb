"""Reads of the market page: only the rows market_daily wrote, never the warehouse."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import MarketDay
from panhuo.clients.registry import ClientPanel
from panhuo.clients.suitability import product_risk_of_stock, suitability_check
from panhuo.market.reasons import lang_of, render
from panhuo.market.vocabulary import REGIMES, regime_words
from panhuo.marketweb.models import SwitchDraft

PHASE_LABELS = {"A": _("A bottoming"), "B": _("B rising"), "C": _("C topping"), "D": _("D falling")}
MODEL_LABELS = {"high_sell_low_buy": _("High-sell-low-buy"), "rebound": _("Rebound"),
                "chip_concentration": _("Chip concentration"), "sector_leader": _("Sector leader"),
                "dark_horse": _("Dark horse")}
INDEX_LABELS = {"000001.SH": _("SSE Composite"), "000300.SH": _("CSI 300")}


def market_day_latest() -> MarketDay | None:
    return MarketDay.objects.order_by("-date").first()


def _model(name: str) -> str:
    return str(MODEL_LABELS.get(name, name))


def _with_reason(entry: dict, lang: str) -> dict:
    """A stored pool entry with its reason rendered in the page's language (market.reasons)."""
    return {**entry, "reason_text": render(entry.get("reason", ""), lang)}


def market_page(*, day: MarketDay) -> dict:
    """Labelled pools and report rows, and the chart's data for json_script."""
    lang = lang_of(get_language())
    pools = [{"name": n, "label": _model(n), "zh": p["zh"], "regime": p["regime"],
              "regime_label": regime_words(p["regime"], lang),
              "entries": [_with_reason(e, lang) for e in p["entries"]],
              "for_today": p["regime"] == day.regime}
             for n, p in day.pools.items()]
    pools.sort(key=lambda p: not p["for_today"])          # the models for today's regime first
    rows = [{**r, "label": _model(r["model"]), "regime_label": regime_words(r["regime"], lang)}
            for r in day.report.get("rows", [])]
    chart = {"symbols": [{"symbol": s, "label": str(INDEX_LABELS.get(s, s))} for s in day.charts],
             "series": day.charts, "regimes": {k: regime_words(k, lang) for k in REGIMES}}
    return {"day": day, "regime_label": regime_words(day.regime, lang),
            "regime_labels": {k: regime_words(k, lang) for k in REGIMES},
            "phase_label": PHASE_LABELS.get(day.phase, day.phase), "pools": pools, "report_rows": rows,
            "claims": day.report.get("claims", []), "chart": chart,
            "index_label": INDEX_LABELS.get(day.index_symbol, day.index_symbol)}


def _suitability(client, candidate: dict) -> dict:
    """A pool entry shown for this client: its risk and whether it suits the client (the check is kept)."""
    risk = product_risk_of_stock(candidate["symbol"], name=candidate.get("name", ""), service="switch_suggestion")
    decision = suitability_check(client=client, product_risk=risk, product=candidate["symbol"],
                                 place="pool_for_client")
    return {"risk": risk, "suitable": decision.allowed, "unsuitable_why": "; ".join(decision.reason_labels())}


def switch_for_client(*, client) -> dict | None:
    """The client's switch draft, labelled, and when it was last sent; the caller has checked access."""
    draft = SwitchDraft.objects.filter(client=client).first()
    if draft is None:
        return None
    sent = (AuditEvent.objects.filter(action="market.switch_send", outcome="ok", detail__client=client.client_id)
            .order_by("-at").first()) if draft.weak else None
    lang = lang_of(get_language())
    sep = "; " if lang == "en" else "；"
    weak = [{**w, "reason_text": sep.join(render(r, lang) for r in w.get("reasons", []))} for w in draft.weak]
    return {"draft": draft, "regime_label": regime_words(draft.regime, lang),
            "model_labels": [_model(m) for m in draft.model_names], "weak": weak,
            "candidates": [{**_with_reason(c, lang), "label": _model(c["model"]), **_suitability(client, c)}
                           for c in draft.candidates],
            "last_sent": sent}



REFUSALS = {
    "not_registered_advisor": _("Not sent: only a registered investment advisor may send specific advice (stock "
                                "pools, switch suggestions) to a client."),
    "do_not_contact": _("Not sent: the client asked not to be contacted."),
    "no_channel": _("Not sent: no message channel can reach the client."),
    "already_sent": _("Not sent again: this suggestion has already gone out."),
    "risk_not_assessed": _("Not sent: the client's risk tolerance has not been assessed."),
    "risk_assessment_expired": _("Not sent: the client's risk assessment has expired; assess the client again."),
    "suitability": _("Not sent: every candidate is above the client's risk level."),
}
CHANNEL_REASONS = {
    "refused": _("the client refused messages on this channel"),
    "no_address": _("no address on file"),
    "no_sender": _("the branch has not configured this channel"),
}


def switch_refusal(*, code: str, channels: dict[str, str] | None = None, detail: dict | None = None) -> dict:
    """Why a switch suggestion was not sent, in words: the reason and, per message channel, why it was closed."""
    from panhuo.clients.models import Channel

    return {"code": code, "text": REFUSALS.get(code, code), "detail": detail or {},
            "channels": [{"label": Channel(ch).label, "reason": CHANNEL_REASONS.get(why, why)}
                         for ch, why in (channels or {}).items()]}


def switch_panel(*, client, user) -> ClientPanel:
    """The switch suggestion (换股) section of the client 360 page: drafts from the daily market step; who may
    send them is `send_advice` in the permissions table, which the card asks (`can.send_advice`)."""
    return ClientPanel(name="switch", template="marketweb/partials/switch_card.html",
                       context={"switch": switch_for_client(client=client)})
