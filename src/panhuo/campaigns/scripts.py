"""Script (话术) variables: {name}, {holdings}, {pnl}, {regime}. Pure; unknown or missing variables render
as empty text rather than failing a send, and braces in the client's data cannot inject new variables."""

from __future__ import annotations

import string

VARIABLES = ("name", "holdings", "pnl", "regime")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def script_variables(template: str) -> list[str]:
    """The variables a template uses, in order, e.g. ["name", "pnl"]; unknown ones are included."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def render_script(template: str, *, name: str = "", positions: list[dict] | None = None,
                  regime: str = "") -> str:
    """Fill a template with one client's data (positions as in ClientSeries.positions)."""
    positions = positions or []
    top = sorted(positions, key=lambda p: -(p.get("market_value") or 0))[:3]
    holdings = "、".join(p.get("name") or p.get("symbol", "") for p in top)
    pnl_total = sum(p.get("pnl") or 0 for p in positions)
    values = _Blank(name=name, holdings=holdings, pnl=f"{pnl_total:+,.0f}元" if positions else "", regime=regime)
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError, KeyError):
        # A malformed template (a lone brace, {0}, {name.attr}) is sent as written, not half-filled.
        return template
