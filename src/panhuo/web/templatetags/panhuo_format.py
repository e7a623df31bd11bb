from django import template
from django.utils.translation import get_language

from panhuo.formatting import cn_amount

register = template.Library()


@register.filter
def amount(value, digits=2):
    """Money in 万/亿 for Chinese readers, K/M/B for English ones."""
    return cn_amount(value, lang=get_language() or "zh-hans", digits=int(digits))


@register.filter
def pct(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
