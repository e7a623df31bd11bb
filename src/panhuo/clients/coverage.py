"""Regular-service coverage now: the share of VIP and core clients contacted within their branch's cadence, per
advisor, and who is past it. The monthly figure (analytics.kpis `coverage`) applies the same rule at month end;
a contact counts when staff made it (workbench.services.tasks.staff_contacts: `by` set)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.clients.models import ClientSnapshot, Contact, service_policy_by_branch
from panhuo.clients.selectors import clients_for_user

COVERED_TIERS = ("vip", "core")


def _overdue_clients(*, user: User, as_of: date, tiers=COVERED_TIERS):
    """(client, tier, last contact date or None, cadence days, covered?) for the user's reachable VIP and core
    clients that have an advisor."""
    policy = service_policy_by_branch()
    last = (Contact.objects.filter(client=OuterRef("pk"), by__isnull=False).order_by()
            .values("client").annotate(m=Max("at")).values("m"))
    tier = ClientSnapshot.objects.filter(client=OuterRef("pk"), is_latest=True).values("tier")[:1]
    assets = ClientSnapshot.objects.filter(client=OuterRef("pk"), is_latest=True).values("total_assets")[:1]
    qs = (clients_for_user(user=user).filter(advisor__isnull=False)
          .annotate(tier=Subquery(tier), last_contact=Subquery(last), assets=Subquery(assets))
          .filter(tier__in=tiers).select_related("advisor"))
    for c in qs:
        days = policy.get(c.branch_id, {}).get("cadence", {}).get(c.tier, 30)
        seen = timezone.localdate(c.last_contact) if c.last_contact else None
        yield c, seen, days, seen is not None and seen > as_of - timedelta(days=days)


def coverage_by_advisor(*, user: User, as_of: date | None = None) -> dict:
    """{"rows": [{advisor, name, vip, vip_covered, core, core_covered, share}], "total": {...}, "vip_overdue": n}."""
    as_of = as_of or timezone.localdate()
    rows: dict[str, dict] = {}
    for c, _seen, _days, covered in _overdue_clients(user=user, as_of=as_of):
        r = rows.setdefault(c.advisor.advisor_id, {"advisor": c.advisor.advisor_id, "name": c.advisor.name,
                                                   "vip": 0, "vip_covered": 0, "core": 0, "core_covered": 0})
        r[c.tier] += 1
        r[f"{c.tier}_covered"] += int(covered)
    total = {"vip": 0, "vip_covered": 0, "core": 0, "core_covered": 0}
    for r in rows.values():
        n = r["vip"] + r["core"]
        r["share"] = (r["vip_covered"] + r["core_covered"]) / n if n else None
        r["vip_overdue"] = r["vip"] - r["vip_covered"]
        for k in total:
            total[k] += r[k]
    n = total["vip"] + total["core"]
    total["share"] = (total["vip_covered"] + total["core_covered"]) / n if n else None
    total["vip_overdue"] = total["vip"] - total["vip_covered"]
    return {"rows": sorted(rows.values(), key=lambda r: (r["share"] is None, r["share"] or 0)), "total": total,
            "as_of": as_of}


def uncontacted(*, user: User, advisor: str | None = None, tier: str | None = None,
                as_of: date | None = None) -> list[dict]:
    """The VIP and core clients past their cadence (the drill-down), longest-uncontacted first."""
    as_of = as_of or timezone.localdate()
    tiers = (tier,) if tier in COVERED_TIERS else COVERED_TIERS
    out = []
    for c, seen, days, covered in _overdue_clients(user=user, as_of=as_of, tiers=tiers):
        if covered or (advisor and c.advisor.advisor_id != advisor):
            continue
        out.append({"client": c, "tier": c.tier, "last_contact": seen, "cadence": days, "assets": c.assets,
                    "days": (as_of - seen).days if seen else None})
    out.sort(key=lambda r: (r["days"] is not None, -(r["days"] or 0), -(r["assets"] or 0)))
    return out



def vip_overdue_count(*, user: User, as_of: date | None = None) -> int:
    """How many of the user's reachable VIP clients are past their branch's cadence (the branch dashboard's flag):
    counted in the database, one query per branch."""
    as_of = as_of or timezone.localdate()
    policy = service_policy_by_branch()
    recent = Contact.objects.filter(client=OuterRef("pk"), by__isnull=False)
    vip = (clients_for_user(user=user).filter(advisor__isnull=False, snapshots__is_latest=True,
                                              snapshots__tier="vip"))
    n = 0
    for branch_id in vip.values_list("branch_id", flat=True).distinct().order_by():
        days = policy.get(branch_id, {}).get("cadence", {}).get("vip", 30)
        since = timezone.make_aware(datetime.combine(as_of - timedelta(days=days - 1), time.min))
        n += vip.filter(branch_id=branch_id).exclude(Exists(recent.filter(at__gte=since))).count()
    return n
