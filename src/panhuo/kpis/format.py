"""A figure as staff write it, by its kind (analytics.kpis.FIGURES): 万/亿 amounts, counts with separators, %,
NPS as a whole score. One place for the page and the Excel/PDF exports."""

from __future__ import annotations

from panhuo.formatting import cn_amount


def figure_text(value, kind: str, *, lang: str = "zh-hans") -> str:
    if value is None or value == "":
        return "—"
    if kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if kind == "amount":
        return cn_amount(value, lang=lang)
    if kind == "score":                   # NPS runs from −100 to 100 and is written as a whole number
        return f"{round(float(value)):d}"
    if kind == "number":
        return f"{float(value):.2f}"
    return f"{int(value):,}"
