"""Suitability (适当性): is a product or service of risk R1–R5 suitable for this client, and the record of it.

One function answers for every place a recommendation reaches a client (campaign targets, switch suggestions,
pools shown for a client, scripts that name a product, the command line): `suitability_check`. It records
every answer (SuitabilityRecord, kept 20 years). The rules:

- the client's level is the latest dated risk assessment (in panhuo or from the back office's file);
- no level, or an assessment older than the firm's validity (setting PANHUO_RISK_ASSESSMENT_VALID_YEARS, default
  2), blocks every recommendation until the client is assessed again;
- the firm's C×R matrix (suitability.toml) says which product risks match each level; C1, the lowest category,
  gets R1 only;
- above the level, a client who insists on one named product may go through the written special-warning flow
  (`suitability_warning_give`, then `suitability_override_confirm`); the lowest category is refused even then.
  A confirmed override allows that product for that client while their level and assessment stay the same.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.clients.models import (
    Client,
    DecisionSource,
    RiskAssessment,
    RiskLevel,
    SuitabilityKind,
    SuitabilityRecord,
)

MATRIX_PATH = Path(__file__).with_name("suitability.toml")
PRODUCT_RISKS = ("R1", "R2", "R3", "R4", "R5")
DEFAULT_VALID_YEARS = 2

# Reason codes (stored, and answered by the command line); labels for the pages.
ABOVE_LEVEL = "above_level"
NOT_ASSESSED = "not_assessed"
EXPIRED = "assessment_expired"
LOWEST_CATEGORY = "lowest_category"
OVERRIDE = "override_confirmed"
MATCH = "match"
UNKNOWN_RISK = "unknown_product_risk"
REASON_LABELS = {
    MATCH: _("The product's risk matches the client's level"),
    ABOVE_LEVEL: _("Product risk above the client's level"),
    NOT_ASSESSED: _("Risk level not assessed"),
    EXPIRED: _("The risk assessment has expired: assess the client again"),
    LOWEST_CATEGORY: _("Lowest risk category: nothing above R1, even if the client insists"),
    OVERRIDE: _("Above the level, but the client insisted and confirmed the special risk warning in writing"),
    UNKNOWN_RISK: _("The product has no known risk rating"),
}
PLACES = ("campaign_target", "switch_send", "pool_for_client", "script", "service_plan", "cli", "warning_flow")


@cache
def matrix_load(path: Path | None = None) -> dict:
    with open(path or getattr(settings, "PANHUO_SUITABILITY_FILE", None) or MATRIX_PATH, "rb") as fh:
        cfg = tomllib.load(fh)
    for level in RiskLevel.values:
        if not set(cfg["matrix"].get(level, [])) <= set(PRODUCT_RISKS):
            raise ValueError(f"suitability.toml: {level} lists an unknown product risk")
    return cfg


def valid_years() -> int:
    return int(getattr(settings, "PANHUO_RISK_ASSESSMENT_VALID_YEARS", DEFAULT_VALID_YEARS))


def assessment_expires_on(assessed_on: date | None) -> date | None:
    """The first day an assessment made on `assessed_on` is no longer valid."""
    if assessed_on is None:
        return None
    years = valid_years()
    try:
        return assessed_on.replace(year=assessed_on.year + years)
    except ValueError:                      # 29 February
        return assessed_on.replace(year=assessed_on.year + years, day=28)


_BOARD = (("star", re.compile(r"^688\d{3}\.SH$|^689\d{3}\.SH$")), ("chinext", re.compile(r"^30[01]\d{3}\.SZ$")),
          ("bse", re.compile(r"^\d{6}\.BJ$")))


def board_of(symbol: str) -> str:
    """The board of an A-share code (600000.SH main, 300750.SZ chinext, 688981.SH star, 430047.BJ bse)."""
    for board, pattern in _BOARD:
        if pattern.match(symbol or ""):
            return board
    return "main"


def product_risk_of_stock(symbol: str, *, name: str = "", board: str = "", service: str = "") -> str:
    """A stock's risk by its board (ST names are the firm's `st` risk), raised to the service's when it comes
    through one (a pool, a switch suggestion)."""
    cfg = matrix_load()
    key = "st" if "ST" in (name or "").upper() else (board or board_of(symbol))
    risk = cfg["boards"].get(key, cfg["boards"]["main"])
    if service:
        risk = max(risk, cfg["services"][service])
    return risk


@dataclass(frozen=True)
class Decision:
    allowed: bool
    client_level: str                   # "" when never assessed
    product_risk: str
    reasons: list[str] = field(default_factory=list)
    assessed_on: date | None = None
    expires_on: date | None = None
    can_override: bool = False          # the written special-warning flow may follow

    def as_json(self) -> dict:
        return {"allowed": self.allowed, "client_level": self.client_level or None,
                "product_risk": self.product_risk, "reasons": list(self.reasons),
                "assessed_on": self.assessed_on.isoformat() if self.assessed_on else None,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None}

    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(r, r)) for r in self.reasons]


def suitability_decide(*, level: str | None, assessed_on: date | None, product_risk: str, today: date,
                       overridden: bool = False) -> Decision:
    """The rule itself, without the database: which it is and why."""
    cfg = matrix_load()
    level = level or ""
    expires = assessment_expires_on(assessed_on)
    d = {"client_level": level, "product_risk": product_risk, "assessed_on": assessed_on, "expires_on": expires}
    if product_risk not in PRODUCT_RISKS:
        return Decision(allowed=False, reasons=[UNKNOWN_RISK], **d)
    if not level:
        return Decision(allowed=False, reasons=[NOT_ASSESSED], **d)
    if assessed_on is None or today >= expires:
        return Decision(allowed=False, reasons=[EXPIRED], **d)
    if product_risk in cfg["matrix"].get(level, []):
        return Decision(allowed=True, reasons=[MATCH], **d)
    if level in cfg.get("no_override", ["C1"]):
        return Decision(allowed=False, reasons=[ABOVE_LEVEL, LOWEST_CATEGORY], **d)
    if overridden:
        return Decision(allowed=True, reasons=[ABOVE_LEVEL, OVERRIDE], **d)
    return Decision(allowed=False, reasons=[ABOVE_LEVEL], can_override=True, **d)


def _override_on_file(client: Client, product: str, product_risk: str) -> bool:
    """A written override for this product, given at the client's current level since their current assessment."""
    if not product or not client.risk_level:
        return False
    qs = SuitabilityRecord.objects.filter(client=client, kind=SuitabilityKind.OVERRIDE, product=product,
                                          product_risk=product_risk, client_level=client.risk_level, allowed=True)
    if client.risk_assessed_on:
        qs = qs.filter(assessed_on=client.risk_assessed_on)
    return qs.exists()


def _user(user):
    return user if getattr(user, "pk", None) else None


def suitability_check(*, client: Client, product_risk: str, product: str = "", place: str = "cli", user=None,
                      today: date | None = None, record: bool = True) -> Decision:
    """May `product` (risk `product_risk`) be recommended to `client` at `place`? Recorded unless record=False."""
    today = today or timezone.localdate()
    decision = suitability_decide(level=client.risk_level, assessed_on=client.risk_assessed_on,
                                  product_risk=product_risk, today=today,
                                  overridden=_override_on_file(client, product, product_risk))
    if record:
        _record(client, decision, kind=SuitabilityKind.CHECK, product=product, place=place, user=user)
    return decision


def suitability_check_many(*, clients, product_risk: str, place: str, product: str = "", user=None,
                           today: date | None = None) -> dict[int, Decision]:
    """{client pk: decision} for many clients at once (a campaign's target), recorded in one bulk insert."""
    today = today or timezone.localdate()
    out, rows = {}, []
    for c in clients:
        d = suitability_decide(level=c.risk_level, assessed_on=c.risk_assessed_on, product_risk=product_risk,
                               today=today)
        out[c.pk] = d
        rows.append(_row(c, d, kind=SuitabilityKind.CHECK, product=product, place=place, user=user))
    SuitabilityRecord.objects.bulk_create(rows, batch_size=1000)
    return out


def _row(client, d: Decision, *, kind, product, place, user, text="") -> SuitabilityRecord:
    return SuitabilityRecord(kind=kind, client=client, client_level=d.client_level, assessed_on=d.assessed_on,
                             product_risk=d.product_risk[:2], product=product[:64], place=place[:24],
                             allowed=d.allowed, reasons=list(d.reasons), text=text, by=_user(user))


def _record(client, d: Decision, **kw) -> SuitabilityRecord:
    row = _row(client, d, **kw)
    row.save()
    return row


class OverrideRefused(Exception):
    """The written special-warning flow cannot lead to this product for this client. `decision` says why."""

    def __init__(self, decision: Decision):
        super().__init__(",".join(decision.reasons))
        self.decision = decision


def special_warning_text(*, client: Client, product: str, product_risk: str, lang: str = "zh") -> str:
    """The written special risk warning (风险警示) the client reads before confirming."""
    level = client.risk_level or "—"
    if lang == "zh":
        return (f"特别风险警示：您的风险承受能力等级为{level}，您主动要求了解或购买的产品/服务“{product}”风险等级为"
                f"{product_risk}，高于您的风险承受能力。该产品可能出现较大亏损，甚至损失全部本金，过往表现不代表未来，"
                f"本公司不承诺或保证任何收益。如您坚持，请确认您已阅读并理解本警示，自愿承担相应风险。")
    return (f"Special risk warning: your risk-tolerance level is {level}; the product or service \"{product}\" you "
            f"asked for is rated {product_risk}, above your level. It may lose much or all of the money invested; "
            f"past results do not predict future ones, and the firm promises no return. If you insist, confirm that "
            f"you have read and understood this warning and accept the risk of your own will.")


def suitability_warning_give(*, client: Client, product: str, product_risk: str, user, request=None,
                             today: date | None = None) -> tuple[Decision, str]:
    """Step 1: the client insists on `product`; record the special warning shown to them (or refuse: the lowest
    category, or no valid assessment). Returns the decision and the warning text (zh)."""
    from panhuo.audit.services import audit_record

    d = suitability_check(client=client, product_risk=product_risk, product=product, place="warning_flow",
                          user=user, today=today, record=False)
    if d.allowed or not d.can_override:
        _record(client, d, kind=SuitabilityKind.CHECK, product=product, place="warning_flow", user=user)
        if not d.allowed:
            raise OverrideRefused(d)
        return d, ""
    text = special_warning_text(client=client, product=product, product_risk=product_risk)
    _record(client, d, kind=SuitabilityKind.WARNING, product=product, place="warning_flow", user=user, text=text)
    audit_record(user=user, action="suitability.warning", object_type="client", object_ids=[client.client_id],
                 request=request, detail={"product": product, "product_risk": product_risk,
                                          "client_level": d.client_level})
    return d, text


def suitability_override_confirm(*, client: Client, product: str, product_risk: str, user, confirmed: bool,
                                 request=None, today: date | None = None) -> Decision:
    """Step 2: the client confirmed in writing (or declined). Needs the warning given first, at the same level."""
    from panhuo.audit.services import audit_record

    d = suitability_check(client=client, product_risk=product_risk, product=product, place="warning_flow",
                          user=user, today=today, record=False)
    if not d.can_override and not (d.allowed and OVERRIDE in d.reasons):
        raise OverrideRefused(d)
    warned = SuitabilityRecord.objects.filter(client=client, kind=SuitabilityKind.WARNING, product=product,
                                              product_risk=product_risk, client_level=client.risk_level,
                                              assessed_on=client.risk_assessed_on)
    if not warned.exists():
        raise OverrideRefused(d)
    text = special_warning_text(client=client, product=product, product_risk=product_risk)
    outcome = Decision(allowed=confirmed, client_level=d.client_level, product_risk=product_risk,
                       reasons=[ABOVE_LEVEL, OVERRIDE] if confirmed else [ABOVE_LEVEL], assessed_on=d.assessed_on,
                       expires_on=d.expires_on)
    with transaction.atomic():
        _record(client, outcome, kind=SuitabilityKind.OVERRIDE, product=product, place="warning_flow", user=user,
                text=text)
        audit_record(user=user, action="suitability.override", object_type="client", object_ids=[client.client_id],
                     request=request, outcome="confirmed" if confirmed else "declined",
                     detail={"product": product, "product_risk": product_risk, "client_level": d.client_level})
    return outcome


def risk_assessment_record(*, client: Client, level: str, assessed_on: date, source: str = DecisionSource.PANHUO,
                           answer=None, user=None, request=None, batch_key: str = "") -> RiskAssessment:
    """Keep a dated assessment; it becomes the client's level when it is the latest dated one (on the same date,
    an assessment taken in panhuo wins over the file's, the rule clients.ownership applies at import)."""
    from panhuo.audit.services import audit_record

    if level not in RiskLevel.values:
        raise ValueError(f"unknown risk level {level!r}")
    with transaction.atomic():
        ra = RiskAssessment.objects.create(client=client, level=level, assessed_on=assessed_on, source=source,
                                           answer=answer, batch_key=batch_key)
        current = client.risk_assessed_on
        if current is None or assessed_on > current or (assessed_on == current and source == DecisionSource.PANHUO):
            before = client.risk_level
            client.risk_level, client.risk_assessed_on, client.risk_source = level, assessed_on, source
            Client.objects.filter(pk=client.pk).update(risk_level=level, risk_assessed_on=assessed_on,
                                                       risk_source=source)
            audit_record(user=user, action="client.risk_level", object_type="client", object_ids=[client.client_id],
                         request=request, detail={"before": before, "after": level, "assessed_on":
                                                  assessed_on.isoformat(), "source": source})
    return ra
