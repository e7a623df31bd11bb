"""Shared set-up for the complaints tests: a complaint on Alice's client, a call-back sample over the cast."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from panhuo.clients.models import Contact
from panhuo.complaints import services


def file_complaint(cast, *, who="alice", client="CA001", category="attitude", channel="phone", days_ago=0, text="态度不好"):
    return services.complaint_register(user=cast.users[who], client=cast.clients[client], channel=channel,
                                       category=category, description=text,
                                       received_at=timezone.now() - timedelta(days=days_ago))


def last_month() -> tuple[str, date]:
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}", first.replace(day=15)


def month_of_activity(cast, *, opened=("CA001", "CA002", "CB001", "CU001"), contacted=("CA003", "CB002", "CA001")):
    """Last month: some of branch A's clients opened their accounts, some were contacted."""
    label, mid = last_month()
    for cid in opened:
        c = cast.clients[cid]
        c.open_date = mid
        c.save(update_fields=["open_date"])
    for cid in contacted:
        c = cast.clients[cid]
        Contact.objects.create(client=c, advisor_id=c.advisor_id, by=cast.users["director_a"], channel="phone",
                               outcome="reached", at=timezone.make_aware(datetime.combine(mid, time(10))))
    return label
