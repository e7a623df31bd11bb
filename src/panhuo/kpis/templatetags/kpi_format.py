"""A figure as staff write it, by its kind (analytics.kpis.FIGURES): 万/亿 amounts, counts with separators, %."""

from django import template
from django.utils.translation import get_language

from panhuo.formatting import cn_amount

register = template.Library()


@register.filter
def figure(value, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if kind == "amount":
        return cn_amount(value, lang=get_language() or "zh-hans")
    if kind == "number":
        return f"{float(value):.2f}"
    return f"{int(value):,}"


@register.filter
def change(value) -> str:
    return "—" if value is None else f"{float(value) * 100:+.1f}%"
