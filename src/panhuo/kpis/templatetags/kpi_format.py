"""A figure as staff write it, by its kind (analytics.kpis.FIGURES): 万/亿 amounts, counts with separators, %."""

from django import template
from django.utils.translation import get_language

from panhuo.kpis.format import figure_text

register = template.Library()


@register.filter
def figure(value, kind: str) -> str:
    return figure_text(value, kind, lang=get_language() or "zh-hans")


@register.filter
def change(value) -> str:
    return "—" if value is None else f"{float(value) * 100:+.1f}%"
