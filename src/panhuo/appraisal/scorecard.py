"""The monthly scorecard (绩效考核表): its items, their weights and how each is scored (docs/appraisal.md).

Each item has a measured value and a target; attainment = value / target (complaints carry a negative weight; churn: 1 + (expected - churned) /
max(expected, 1); compliance: 1 - penalty x events), floored at 0 and capped, and points = weight x attainment.
Weights, targets and caps come from scorecard.toml, overridden per branch by ScorecardWeights. Commission-based
items reward trading, so (证券法 Art. 57, as the campaign incentive) they are capped at 1.0 whatever a branch sets
and never count C1-C2 clients.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from panhuo.appraisal import measures
from panhuo.appraisal.models import ScorecardWeights
from panhuo.clients.registry import attributions

DEFAULTS = tomllib.loads((Path(__file__).with_name("scorecard.toml")).read_text(encoding="utf-8"))["items"]
ITEMS = list(DEFAULTS)

LABELS = {
    "reactivation": _("Reactivations by campaign lift"),
    "campaign_trading": _("Campaign trading gains by lift (commission-based)"),
    "commission": _("Commission of the book, C1-C2 left out (commission-based)"),
    "net_inflow": _("Net asset inflow of the book"),
    "churn": _("Churn against risk-expected churn"),
    "coverage": _("Coverage of VIP and core clients"),
    "complaints": _("Substantiated complaints about the advisor"),
    "compliance": _("Compliance events"),
}
UNITS = {"reactivation": "clients", "campaign_trading": "clients", "commission": "cny", "net_inflow": "cny",
         "churn": "clients", "coverage": "share", "complaints": "count", "compliance": "count"}


def weights_for(branch_id: int) -> dict[str, dict]:
    """{item: {weight, target, cap, ...}}: the defaults with the branch's overrides; commission-based caps <= 1."""
    own = ScorecardWeights.objects.filter(branch_id=branch_id).values_list("items", flat=True).first() or {}
    out = {}
    for key, default in DEFAULTS.items():
        merged = {**default, **(own.get(key) or {})}
        if default.get("commission_based"):
            merged["commission_based"] = True
            merged["cap"] = min(float(merged.get("cap", 1.0)), 1.0)
        out[key] = merged
    return out


def _item(key: str, conf: dict, *, value, target, attainment: float | None, detail: dict,
          recorded: bool = True) -> dict:
    cap = float(conf.get("cap", 1.0))
    weight = float(conf.get("weight", 0)) if recorded else 0.0
    raw = max(attainment or 0.0, 0.0)
    scored = min(raw, cap)
    return {"key": key, "value": value, "target": target, "attainment": round(raw, 4), "cap": cap,
            "capped": raw > cap, "weight": weight, "points": round(weight * scored, 2) if recorded else 0.0,
            "commission_based": bool(conf.get("commission_based")), "recorded": recorded, "detail": detail}


def scorecard_items(*, advisor, start, end, coverage_target: float) -> list[dict]:
    """The month's items for one advisor, as stored on the Scorecard (plain JSON)."""
    conf = weights_for(advisor.branch_id)
    a = advisor.pk
    credited = [r for r in attributions(branch_id=advisor.branch_id, start=start, end=end) if r["advisor"] == a]
    book = measures.book_month(advisor_ids=[a], start=start, end=end)[a]
    cov = measures.coverage(advisor_ids=[a], as_of=end)[a]
    events = measures.compliance(advisor_ids=[a], start=start, end=end)[a]
    items = []
    for key, commission_based in (("reactivation", False), ("campaign_trading", True)):
        rows = [r for r in credited if bool(r.get("commission_based")) == commission_based]
        value = round(sum(r["incremental"] for r in rows), 2)
        t = float(conf[key]["target"])
        items.append(_item(key, conf[key], value=value, target=t, attainment=value / t if t else None,
                           detail={"campaigns": [{k: r[k] for k in ("source", "incremental", "treated", "lift_low")}
                                                 for r in rows]}))
    for key in ("commission", "net_inflow"):
        t = float(conf[key]["target"])
        items.append(_item(key, conf[key], value=book[key], target=t, attainment=book[key] / t if t else None,
                           detail={"clients": book["clients"], "as_of": str(book["end_day"] or "")}))
    expected, churned = book["expected_churn"], book["churned"]
    items.append(_item("churn", conf["churn"], value=churned, target=expected,
                       attainment=1 + (expected - churned) / max(expected, 1.0),
                       detail={"expected": expected, "churned": churned, "from": str(book["start_day"] or ""),
                               "to": str(book["end_day"] or "")}))
    items.append(_item("coverage", conf["coverage"], value=cov["share"], target=coverage_target,
                       attainment=(cov["share"] / coverage_target) if cov["share"] is not None and coverage_target
                       else (1.0 if cov["total"] == 0 else 0.0),
                       detail={"covered": cov["covered"], "total": cov["total"]}))
    # A negative weight: each substantiated complaint about the advisor resolved in the month costs points.
    comp = measures.complaints(advisor_ids=[a], start=start, end=end)[a]
    t = float(conf["complaints"]["target"])
    items.append(_item("complaints", conf["complaints"], value=comp["substantiated"], target=t,
                       attainment=comp["substantiated"] / t if t else None, detail=comp))
    allowance = int(conf["compliance"].get("unmask_allowance", 20))
    penalty = float(conf["compliance"].get("penalty", 0.25))
    counted = events["refused"] + max(0, events["unmasks"] - allowance)
    items.append(_item("compliance", conf["compliance"], value=counted, target=0, attainment=1 - penalty * counted,
                       detail={**events, "unmask_allowance": allowance}))
    return items
