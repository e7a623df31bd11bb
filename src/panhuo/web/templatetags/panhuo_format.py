"""Template filters over panhuo.formatting: every page prints numbers through the same rules as exports and
charts (see that module's docstring)."""

from django import template
from django.utils.translation import get_language

from panhuo.formatting import cn_amount, cn_count, cn_date, cn_percent

register = template.Library()


def _lang() -> str:
    return get_language() or "zh-hans"


@register.filter
def amount(value, digits=2):
    """Money in 万/亿 for Chinese readers, K/M/B for English ones."""
    return cn_amount(value, lang=_lang(), digits=int(digits))


@register.filter
def count(value):
    """A count with thousands separators: 20,000."""
    return cn_count(value)


@register.filter
def pct(value, digits=1):
    """A fraction as a percentage (0.83 → 83.0%), never "-0.0%"."""
    return cn_percent(value, digits=int(digits))


@register.filter
def signed_pct(value, digits=1):
    """A change as a percentage with its sign: +3.4%, -1.2%, 0.0%."""
    return cn_percent(value, digits=int(digits), signed=True)


@register.filter
def day(value):
    """A date as YYYY-MM-DD in both languages."""
    return cn_date(value)


@register.filter
def channels(codes, sep="、"):
    """Contact channel codes as words: ["phone", "sms"] → 电话、短信 (Phone, SMS)."""
    from panhuo.clients.models import Channel

    labels = dict(Channel.choices)
    sep = sep if (get_language() or "zh").startswith("zh") else ", "
    return sep.join(str(labels.get(c, c)) for c in (codes or []))
