"""Numbers and dates the way branch staff read them, one set of rules for pages, charts and exports. Pure Python.

- counts: thousands separators (20,000);
- amounts: 万 and 亿 in Chinese (23.41万, 1.63亿), K/M/B in English; an amount under 1万 sits in a column of
  万 amounts, so it is written in 万 too (0.52万); only sums under 100 元 are written in 元;
- percentages: 83%, never "-0.0%" (a value that rounds to zero has no sign);
- dates: YYYY-MM-DD everywhere (DATE_FMT, also used by the Django format modules in panhuo/formats/).
charts.js applies the same rules on chart axes (its copy is short and tested against this one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DATE_FMT = "%Y-%m-%d"
DATETIME_FMT = "%Y-%m-%d %H:%M"
Number = float | Decimal | int


def _zh(lang: str | None) -> bool:
    return (lang or "zh-hans").lower().startswith("zh")


def _fixed(v: float, digits: int) -> str:
    """Fixed digits with separators and no negative zero."""
    text = f"{v:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def cn_amount(value: Number | None, *, lang: str = "zh-hans", digits: int = 2) -> str:
    """12_345_678 → '1,234.57万' (zh) or '12.35M' (en); 163_141_000 → '1.63亿'; 5_200 → '0.52万'."""
    if value is None:
        return "—"
    v = float(value)
    a = abs(v)
    if a == 0:
        return "0"
    if _zh(lang):
        if a >= 1e8:
            return _fixed(v / 1e8, digits) + "亿"
        if a >= 100:
            return _fixed(v / 1e4, digits) + "万"
        return _fixed(v, 0) + "元"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= limit:
            return _fixed(v / limit, digits) + suffix
    return _fixed(v, 0)


def cn_count(value: Number | None) -> str:
    """20000 → '20,000' (both languages)."""
    if value is None:
        return "—"
    return _fixed(round(float(value)), 0)


def cn_percent(value: Number | None, *, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.8312 → '83.1%' (digits=1) or '83%' (digits=0); -0.0004 → '0.0%'."""
    if value is None:
        return "—"
    text = _fixed(float(value) * 100, digits)
    if signed and not text.startswith("-") and float(text.replace(",", "")) != 0:
        text = "+" + text
    return text + "%"


def cn_date(value: dt.date | dt.datetime | str | None, *, with_time: bool = False) -> str:
    """One date format everywhere: 2026-11-20 (and 2026-11-20 09:30 with with_time)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if with_time and isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FMT)
    return value.strftime(DATE_FMT)


# Cell text a spreadsheet would read as a formula (CSV / formula injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay numbers. Every
    export of staff- or client-written text goes through it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Excel number formats for exports, so a spreadsheet shows the numbers as the pages do.
XLSX_AMOUNT = '#,##0.00'
XLSX_COUNT = '#,##0'
XLSX_PERCENT = '0.0%'
XLSX_DATE = 'yyyy-mm-dd'


def xlsx_sheet(wb, *, title: str, headers: list[str], widths: list[int], formats: dict[int, str] | None = None):
    """A sheet of a write-only openpyxl workbook laid out like every export: column widths, frozen header row,
    an autofilter over the columns; returns `append(values)` that writes a row with the columns' number formats
    (formats: column index → XLSX_* format) and neutralised text (safe_cell)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    ws.append(headers)
    formats = formats or {}

    def append(values) -> None:
        row = []
        for i, v in enumerate(values):
            cell = WriteOnlyCell(ws, value=safe_cell(v))
            if i in formats and isinstance(v, (int, float, Decimal, dt.date)):
                cell.number_format = formats[i]
            row.append(cell)
        ws.append(row)

    return append


_UNITS = {"亿": 1e8, "万": 1e4, "千": 1e3, "元": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


def parse_amount(text: str | Number, *, default_unit: str = "元") -> float:
    """An amount as staff type it, in 元: '50万' → 500000, '1.5亿' → 150000000, '500,000元' → 500000,
    '2.5M' → 2500000. A bare number is read in `default_unit` (a field labelled 万元 passes default_unit='万').
    ValueError on anything else (no guessing: '5O万' is refused, not read as 5)."""
    if isinstance(text, (int, float, Decimal)):
        return float(text) * _UNITS[default_unit]
    raw = str(text).strip().replace(",", "").replace("，", "").replace(" ", "").lower()
    raw = raw.removesuffix("元") if raw not in ("元",) and raw[:-1] and raw[-2:-1] in "万亿千" else raw
    unit = default_unit
    if raw and raw[-1] in _UNITS and raw[:-1]:
        unit, raw = raw[-1], raw[:-1]
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"not an amount: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not an amount: {text!r}")
    return value * _UNITS[unit]
