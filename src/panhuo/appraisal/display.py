"""How a scorecard row reads where it is not a percentage of a target: the one decision the page and both
exports (export.py) share, so the three never word a row differently.

The complaints item is a deduction per substantiated complaint (scorecard.toml: weight -5, target 1, cap 3): its
stored attainment (2.0) and cap (3.0) are counts of complaints, not shares, and "200%" of a target of one complaint
reads as nonsense to a branch. Its row says instead what the scoring does: how many were counted, at most how many,
how much each costs. The numbers are the stored item's (scorecard.py scores it; nothing is recomputed here).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Items scored per event at a negative weight: points = weight x min(events / target, cap).
PER_EVENT_DEDUCTIONS = frozenset({"complaints"})


def _number(v: float) -> str:
    """3.0 -> '3', -2.5 -> '-2.5' (as the exports print counts)."""
    return f"{float(v):,.2f}".rstrip("0").rstrip(".")


def deduction_cells(item: dict) -> dict | None:
    """The row's Measured, Target, Attainment, Cap and Weight cells as words in the active language, and the
    "capped" tag ('' when not capped), for a recorded per-event deduction; None for every other row, which
    reads as before. Points are shown as for any row."""
    target = item.get("target")
    if item["key"] not in PER_EVENT_DEDUCTIONS or not item.get("recorded") or not target or item["value"] is None:
        return None
    # With a target of t events per unit of attainment, at most cap x t events count and each costs weight / t.
    most = item["cap"] * target
    counted = min(item["value"], most)
    return {
        "value": pgettext("complaints measured", "%(n)s") % {"n": _number(item["value"])},
        "target": "—",     # a deduction has no target to reach
        "attainment": _("%(n)s counted") % {"n": _number(counted)},
        "capped": _("capped") if item["capped"] else "",
        "cap": _("at most %(n)s") % {"n": _number(most)},
        "weight": _("%(w)s each") % {"w": _number(item["weight"] / target)},
    }


def weight_total(items: list[dict]) -> float:
    """The points a month can earn at 100% of every target (100 on the defaults): a per-event deduction's
    negative weight is a cost per complaint, not a share of the total, so it is left out, on the page and in
    both exports alike."""
    return sum(max(float(i["weight"]), 0.0) for i in items)


def points_text(points: float) -> str:
    """Points with two decimals, never '-0.00' (a deduction of nothing is 0.00)."""
    return f"{float(points) + 0.0:.2f}"
