"""Writes of the market page: the daily step and the sending of a switch suggestion to the client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.models import AuditEvent
from panhuo.audit.services import audit_record
from panhuo.clients.models import ClientSeries, Contact, MarketDay, Outcome
from panhuo.clients.suitability import EXPIRED, NOT_ASSESSED, product_risk_of_stock, suitability_check
from panhuo.market import data
from panhuo.market.switch import Holding, NotRegisteredAdvisor
from panhuo.marketweb.models import SwitchDraft


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
    from panhuo.market import daily  # numba kernels: loaded by the daily step, not the web process

    bars = data.fetch(wh, start=as_of - timedelta(days=daily.HISTORY_DAYS), end=as_of)
    result = daily.market_day(bars, _instruments(wh), as_of, portfolios=_portfolios())
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


ADVICE_CHANNELS = ("sms", "email")     # message channels advice can go out on; calls and visits are logged by hand


class SendRefused(Exception):
    """Nothing was sent. `code`: not_registered_advisor, do_not_contact, no_channel, already_sent,
    risk_not_assessed, risk_assessment_expired, suitability (no candidate within the client's level); `channels`
    says, per message channel, why it could not be used (refused, no_address, no_sender)."""

    def __init__(self, code: str, *, channels: dict[str, str] | None = None, detail: dict | None = None):
        super().__init__(code)
        self.code, self.channels, self.detail = code, channels or {}, detail or {}


@dataclass
class SwitchSent:
    """What happened to one send: the channel, whether the provider took it, the contact and audit records."""

    channel: str
    delivered: bool
    error: str
    contact: Contact
    event: object            # the AuditEvent


def _delivery() -> SimpleNamespace:
    """The consent ledger, contact points and message senders, which live in the campaigns app for now.

    This is the one place the market page reaches into a sibling feature app: consent and contact points belong
    to the client-service core, and when they move there (see the layers contract) only this function changes.
    The models are read directly, not through campaigns' selectors or services, so the move stays mechanical.
    """
    from panhuo.clients.consent import unsubscribe_token
    from panhuo.clients.models import ConsentRecord, ContactPoint
    from panhuo.outreach.senders import SendError, senders_from_env

    return SimpleNamespace(ConsentRecord=ConsentRecord, ContactPoint=ContactPoint, SendError=SendError,
                           unsubscribe_token=unsubscribe_token, senders_from_env=senders_from_env)


def switch_channel(*, client, senders: dict) -> tuple[str | None, dict[str, str]]:
    """The message channel a switch suggestion goes out on, and why each other channel cannot be used.

    A channel needs a configured sender, an address (a contact point, or the client's phone for SMS) and the
    client's consent: the latest consent-ledger row for the channel decides, no row means not refused (the rule
    campaign sends follow). A channel the client has explicitly granted comes first, then SMS before email.
    """
    d = _delivery()
    latest: dict[str, bool] = {}
    for channel, granted in (d.ConsentRecord.objects.filter(client=client, channel__in=ADVICE_CHANNELS)
                             .order_by("-at", "-id").values_list("channel", "granted")):
        latest.setdefault(channel, granted)
    points = dict(d.ContactPoint.objects.filter(client=client, channel__in=ADVICE_CHANNELS)
                  .values_list("channel", "address"))
    usable, why = [], {}
    for channel in ADVICE_CHANNELS:
        address = points.get(channel) or (client.phone if channel == "sms" else "")
        if latest.get(channel) is False:
            why[channel] = "refused"
        elif not address:
            why[channel] = "no_address"
        elif channel not in senders:
            why[channel] = "no_sender"
        else:
            usable.append((not latest.get(channel, False), ADVICE_CHANNELS.index(channel), channel))
    return (min(usable)[2] if usable else None), why


def _address(client, channel: str) -> str:
    point = _delivery().ContactPoint.objects.filter(client=client, channel=channel).values_list("address", flat=True)
    return point.first() or (client.phone if channel == "sms" else "")


def switch_message(*, draft: SwitchDraft, client, user, channel: str) -> str:
    """The text the client receives, in Chinese: who advises (a registered investment advisor), the weak holdings,
    the candidates each with its model and date (an email also with the model's reason), the source and date of
    the models, and the risk warning. An SMS ends with the opt-out line every commercial SMS carries; an email
    with a signed unsubscribe link."""
    from panhuo.market.reasons import render

    day = MarketDay.objects.filter(date=draft.date).first()
    zh = {m: p.get("zh") or m for m, p in (day.pools if day else {}).items()}
    adviser = getattr(getattr(user, "advisor", None), "name", "") or user.get_full_name() or user.username
    weak = "、".join(w.get("name") or w["symbol"] for w in draft.weak)

    def candidate(c: dict) -> str:
        why = f"：{render(c['reason'], 'zh')}" if channel == "email" and c.get("reason") else ""
        return f"{c.get('name') or c['symbol']}（{c['symbol']}，{c.get('model_zh') or zh.get(c['model'], c['model'])}，{c['date']}{why}）"

    models = "、".join(zh.get(m, m) for m in draft.model_names)
    text = (f"{client.name}您好：您的证券投资顾问{adviser}提示，您持有的{weak}近期走势偏弱，可关注："
            f"{'；'.join(candidate(c) for c in draft.candidates)}。来源：盘活量化模型（{models}），"
            f"数据日期{draft.date:%Y-%m-%d}。{draft.disclosure}")
    if channel == "sms":
        return text + "回复TD退订"
    base = getattr(settings, "PANHUO_BASE_URL", "http://localhost:8000").rstrip("/")
    link = base + reverse("campaigns:unsubscribe", args=[_delivery().unsubscribe_token(client=client, channel=channel)])
    return f"{text}\n\n退订 / Unsubscribe: {link}"


def _already_sent(client, draft: SwitchDraft):
    return (AuditEvent.objects.filter(action="market.switch_send", outcome="ok", detail__client=client.client_id,
                                      detail__date=draft.date.isoformat()).order_by("-at").first())


def _detail(client, draft: SwitchDraft, **extra) -> dict:
    return {"client": client.client_id, "date": draft.date.isoformat(), "regime": draft.regime,
            "models": draft.model_names, "weak": [w["symbol"] for w in draft.weak],
            "candidates": [{"model": c["model"], "date": c["date"], "symbol": c["symbol"]} for c in draft.candidates],
            "disclosure": draft.disclosure, **extra}


def switch_send(*, user, client, request=None, senders: dict | None = None) -> SwitchSent:
    """Send the client's switch suggestion, reviewed by a registered investment advisor, to the client.

    Out of reach: 404 (before anything else, so nothing is revealed). Not a registered advisor, or a read-only
    role: PermissionDenied. Nothing to send: ValidationError. The client asked not to be contacted, no message
    channel is possible (refused, no address, no sender configured) or this day's suggestion already went out:
    SendRefused, nothing sent, the refusal audited. Otherwise one message on the channel `switch_channel` picks,
    through `senders` (default: from the environment, PANHUO_SMS_* / PANHUO_SMTP_*), logged as a contact with its
    channel and outcome (reached, or not reached when the provider refused it) and audited with the models,
    date, channel and outcome.
    """
    if not can(user, Capability.SEND_ADVICE):      # the role, and a current registration as an advisor
        raise PermissionDenied(str(NotRegisteredAdvisor("only registered investment advisors send switch advice")))
    draft = SwitchDraft.objects.filter(client=client).first()
    if draft is None or not draft.weak or not draft.candidates:
        raise ValidationError("no switch suggestion to send")
    senders = _delivery().senders_from_env() if senders is None else senders
    channel, why = switch_channel(client=client, senders=senders)
    sent = _already_sent(client, draft)
    refusal = ("do_not_contact" if client.do_not_contact else "already_sent" if sent else
               "no_channel" if channel is None else "")
    if refusal:
        audit_record(user=user, action="market.switch_send", object_type="client", object_ids=[client.client_id],
                     request=request, outcome="refused", detail=_detail(client, draft, reason=refusal, channels=why))
        raise SendRefused(refusal, channels=why,
                          detail={"at": sent.at, "by": sent.username} if refusal == "already_sent" else {})
    # Suitability (clients.suitability): each candidate, at the higher of its board's and the service's risk, is
    # checked against the client's level and the check kept; only suitable candidates go out, none when the
    # assessment is missing or expired.
    checks = [(c, suitability_check(client=client, place="switch_send", user=user, product=c["symbol"],
                                    product_risk=product_risk_of_stock(c["symbol"], name=c.get("name", ""),
                                                                       service="switch_suggestion")))
              for c in draft.candidates]
    suitable = [c for c, dec in checks if dec.allowed]
    unsuitable = [{"symbol": c["symbol"], "risk": dec.product_risk, "reasons": dec.reasons}
                  for c, dec in checks if not dec.allowed]
    if not suitable:
        reasons = {r for _, dec in checks for r in dec.reasons}
        code = ("risk_not_assessed" if NOT_ASSESSED in reasons else
                "risk_assessment_expired" if EXPIRED in reasons else "suitability")
        audit_record(user=user, action="market.switch_send", object_type="client", object_ids=[client.client_id],
                     request=request, outcome="refused", detail=_detail(client, draft, reason=code,
                                                                        unsuitable=unsuitable))
        raise SendRefused(code, detail={"level": client.risk_level or ""})
    draft.candidates = suitable          # in memory only: the message names the suitable candidates alone
    d = _delivery()
    text = switch_message(draft=draft, client=client, user=user, channel=channel)
    key = f"switch-{client.client_id}-{draft.date:%Y%m%d}-{channel}"     # a gateway retry never sends it twice
    try:
        provider_id, error = senders[channel].send(to=_address(client, channel), text=text, key=key,
                                                   subject="换股建议 / switch suggestion"), ""
    except d.SendError as exc:
        provider_id, error = "", str(exc)[:300]
    with transaction.atomic():
        contact = Contact.objects.create(
            client=client, advisor_id=client.advisor_id, by=user if getattr(user, "pk", None) else None,
            channel=channel, outcome=Outcome.NOT_REACHED if error else Outcome.REACHED, at=timezone.now(),
            note=f"换股建议 {draft.date:%Y-%m-%d}（{'、'.join(draft.model_names)}）"
                 + (f"：未送达 {error}" if error else "")[:4000])
        event = audit_record(
            user=user, action="market.switch_send", object_type="client", object_ids=[client.client_id],
            request=request, outcome="failed" if error else "ok",
            detail=_detail(client, draft, channel=channel, contact=contact.pk, provider_id=provider_id[:80],
                           error=error, unsuitable=unsuitable))
    return SwitchSent(channel=channel, delivered=not error, error=error, contact=contact, event=event)
