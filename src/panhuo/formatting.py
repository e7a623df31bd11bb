"""Number formatting the way branch staff read it: 万 and 亿 in Chinese, K/M/B in English. Pure Python."""

from __future__ import annotations

from decimal import Decimal


def cn_amount(value: float | Decimal | int | None, *, lang: str = "zh-hans", digits: int = 2) -> str:
    """12_345_678 → '1,234.57万' (zh) or '12.35M' (en). Amounts under 1万 are written in full."""
    if value is None:
        return "—"
    v = float(value)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if lang.startswith("zh"):
        if a >= 1e8:
            return f"{sign}{a / 1e8:,.{digits}f}亿"
        if a >= 1e4:
            return f"{sign}{a / 1e4:,.{digits}f}万"
        return f"{sign}{a:,.{digits}f}"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= limit:
            return f"{sign}{a / limit:,.{digits}f}{suffix}"
    return f"{sign}{a:,.{digits}f}"


# Cell text a spreadsheet would read as a formula (CSV / formula injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay numbers. Every
    export of staff- or client-written text goes through it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
