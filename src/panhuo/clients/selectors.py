"""Reads of client-scoped data. Every view reaches a client through these functions and nothing else.

An advisor reaches only the clients assigned to them; a service director or branch manager their branch;
compliance and administrators every branch (compliance read-only, enforced by the write services).
A client out of reach is a 404, never a 403 that would reveal that it exists.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import get_language

from panhuo.accounts.models import Role, User
from panhuo.accounts.permissions import Capability, can
from panhuo.analytics.segments import label as segment_label
from panhuo.analytics.segments import order as segment_order
from panhuo.audit.services import audit_record
from panhuo.clients.models import Advisor, Branch, Client, ClientSnapshot


def within_reach(qs: QuerySet, *, user: User, branch: str = "branch_id", advisor: str) -> QuerySet:
    """The one access rule, applied to any queryset: the whole firm for the roles that see it, the user's branch
    for directors and managers (`branch` names the rows' branch field), and for an advisor the rows whose
    `advisor` lookup is theirs; nothing for anyone else, an inactive user, or a user not linked as the role needs."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_whole_firm:
        return qs
    if user.role in (Role.DIRECTOR, Role.MANAGER):
        return qs.filter(**{branch: user.branch_id}) if user.branch_id else qs.none()
    if user.role == Role.ADVISOR:
        return qs.filter(**{advisor: user.advisor_id}) if user.advisor_id else qs.none()
    return qs.none()


def clients_for_user(*, user: User) -> QuerySet[Client]:
    """The clients `user` may see. Evaluated per request, so a reassignment takes effect on the next one."""
    return within_reach(Client.objects.all(), user=user, advisor="advisor_id")


def client_get_for_user(*, user: User, client_id: str) -> Client:
    """One client by its code, or Http404 (audited, see out_of_reach) when it does not exist or is out of the
    user's reach."""
    try:
        return clients_for_user(user=user).select_related("advisor", "branch").get(client_id=client_id)
    except Client.DoesNotExist:
        raise out_of_reach(user=user, object_type="client", object_ids=[client_id]) from None


def can_edit_plan(user: User, client: Client) -> bool:
    """May `user` write `client`'s service plan? The role needs EDIT_PLAN, and an advisor edits only their own
    client's plan (others with the capability reach the branch's clients anyway; the check stays so the rule
    reads in one place)."""
    if not can(user, Capability.EDIT_PLAN):
        return False
    return user.role != Role.ADVISOR or client.advisor_id == user.advisor_id


def out_of_reach(*, user: User, object_type: str, object_ids) -> Http404:
    """The access rule's 404, recorded in the audit trail as a denied access with the user and the codes asked
    for (one insert, on the refused path only). Raise what it returns."""
    audit_record(user=user, action="access.denied", object_type=object_type, outcome="denied",
                 object_ids=[str(i)[:64] for i in object_ids][:100])
    return Http404(object_type)


def snapshots_for_user(*, user: User) -> QuerySet[ClientSnapshot]:
    """Latest per-client results within the user's reach."""
    return ClientSnapshot.objects.filter(is_latest=True, client__in=clients_for_user(user=user))


def advisors_for_user(*, user: User) -> QuerySet[Advisor]:
    return within_reach(Advisor.objects.all(), user=user, advisor="pk")


def branches_for_user(*, user: User) -> QuerySet[Branch]:
    if user.sees_whole_firm:
        return Branch.objects.all()
    return Branch.objects.filter(pk=user.branch_id)


CHURN_LIST_SIZE = 10


def branch_overview(*, user: User) -> dict:
    """The at-a-glance figures of the home page, over the clients the user may see."""
    clients = clients_for_user(user=user)
    snaps = snapshots_for_user(user=user)
    totals = snaps.aggregate(
        assets=Sum("total_assets"),
        dormant=Count("id", filter=Q(is_dormant=True)),
        dormant_assets=Sum("total_assets", filter=Q(is_dormant=True)),
        active=Count("id", filter=Q(lifecycle__in=["new", "active"])),
    )
    by_lifecycle = list(
        snaps.values("lifecycle").annotate(n=Count("id"), assets=Sum("total_assets")).order_by("lifecycle")
    )
    latest = snaps.order_by("-as_of").values_list("as_of", flat=True).first()
    by_tier = list(snaps.values("tier").annotate(n=Count("id"), assets=Sum("total_assets")).order_by("tier"))
    vip_assets = next((r["assets"] for r in by_tier if r["tier"] == "vip"), 0) or 0
    lang = "zh" if (get_language() or "zh").startswith("zh") else "en"
    for row in by_tier:   # segment labels come from the one segments config, in both languages
        row["label"] = segment_label("tier", row["tier"], lang) if row["tier"] else "—"
    by_tier.sort(key=_config_order("tier", "tier"))          # VIP first, as the config lists the tiers
    by_lifecycle.sort(key=_config_order("lifecycle", "lifecycle"))
    churn_list = list(snaps.filter(churn_risk__isnull=False).select_related("client", "client__advisor")
                      .order_by("-churn_risk", "client__client_id")[:CHURN_LIST_SIZE])
    for snap in churn_list:
        snap.reason_texts = [r.get(lang, "") for r in snap.churn_reasons if isinstance(r, dict)]
    return {
        "clients": clients.count(),
        "assets": totals["assets"] or 0,
        "active": totals["active"],
        "dormant": totals["dormant"],
        "dormant_assets": totals["dormant_assets"] or 0,
        "by_lifecycle": by_lifecycle,
        "as_of": latest,
        "scored": snaps.count(),
        "by_tier": by_tier,
        "vip_share": (vip_assets / totals["assets"]) if totals["assets"] else None,
        "churn_list": churn_list,
    }


def _config_order(segment: str, field: str):
    """Sort key: a row's segment value in the config's order; unknown or missing values last."""
    rank = {key: i for i, key in enumerate(segment_order(segment))}
    return lambda row: rank.get(row[field], len(rank))
