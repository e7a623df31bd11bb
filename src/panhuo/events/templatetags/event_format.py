from django import template
from django.utils import timezone

from panhuo.formatting import cn_date

register = template.Library()


@register.filter
def when(value):
    """A date and time as staff write them (2026-11-20 09:30), in local time."""
    if value is None:
        return "—"
    return cn_date(timezone.localtime(value), with_time=True)


@register.filter
def hhmm(value):
    return "—" if value is None else f"{timezone.localtime(value):%H:%M}"
