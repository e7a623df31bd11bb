"""A hand-made month (2026-10) for the appraisal tests: Alice's book with known snapshots, contacts and churn."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from panhuo.clients.models import ClientSnapshot, Contact

TZ = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 10, 1)
START_DAY, END_DAY = date(2026, 9, 30), date(2026, 10, 31)


def at(y, m, d, h=10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def snapshot(client, as_of, *, latest, assets=0, risk=None, lifecycle="active", tier="", **features):
    return ClientSnapshot.objects.create(client=client, as_of=as_of, is_latest=latest,
                                         total_assets=Decimal(assets), churn_risk=risk, lifecycle=lifecycle,
                                         tier=tier, features=features)


def contact(client, *, by, advisor, when, channel="phone"):
    return Contact.objects.create(client=client, advisor=advisor, by=by, channel=channel, outcome="reached", at=when)


def alices_book(cast):
    """CA001 (C1, VIP): lost by the month's end. CA002 (C3, core): moved 60% of its assets out. CA003 (C4, mass):
    money in. Each had a 30% churn risk at the start (the 30 Sep snapshot)."""
    c1, c2, c3 = (cast.clients[k] for k in ("CA001", "CA002", "CA003"))
    for c, lvl in ((c1, "C1"), (c2, "C3"), (c3, "C4")):
        c.risk_level = lvl
        c.save(update_fields=["risk_level"])
    snapshot(c1, START_DAY, latest=False, assets=500_000, risk=0.3, tier="vip")
    snapshot(c2, START_DAY, latest=False, assets=100_000, risk=0.3, tier="core")
    snapshot(c3, START_DAY, latest=False, assets=200_000, risk=0.3, tier="mass")
    snapshot(c1, END_DAY, latest=True, assets=1_000, lifecycle="lost", tier="vip", net_transfer_30d=0.0,
             commission_30d=1_000.0)
    snapshot(c2, END_DAY, latest=True, assets=40_000, tier="core", net_transfer_30d=-60_000.0, commission_30d=2_000.0)
    snapshot(c3, END_DAY, latest=True, assets=345_000, tier="mass", net_transfer_30d=145_000.0,
             commission_30d=30_000.0)
    # Coverage at the month's end: the VIP contacted on 15 Oct, the core client never.
    contact(c1, by=cast.users["alice"], advisor=cast.advisors["alice"], when=at(2026, 10, 15))


def substantiated_complaints(cast, n: int, *, advisor="alice", client="CA001"):
    """n complaints about the advisor received and resolved in October, found substantiated (the scorecard's
    complaints item deducts each, at most 3)."""
    from panhuo.clients.models import Complaint
    from panhuo.complaints import services

    for k in range(n):
        c = services.complaint_register(user=cast.users[advisor], client=cast.clients[client], channel="phone",
                                        category="attitude", description="态度不好", received_at=at(2026, 10, 2 + k))
        Complaint.objects.filter(pk=c.pk).update(status="resolved", substantiated=True, resolved_at=at(2026, 10, 12 + k))
