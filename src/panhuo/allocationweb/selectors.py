"""Reads: the engine's inputs from the operational store, the branch's current books, a preview as the page and
the CLI show it. Nothing here writes."""

from __future__ import annotations

from datetime import date

import polars as pl
from django.http import Http404
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.allocation import Settings
from panhuo.allocation.inputs import ramp_share
from panhuo.allocationweb.models import AllocationPolicy, AllocationPreview, PreviewStatus
from panhuo.allocationweb.reasons import level_label, reasons_text
from panhuo.analytics.segments import label as segment_label
from panhuo.clients.models import Advisor, Branch, Client, ClientSnapshot, ClientStatus
from panhuo.clients.selectors import branches_for_user

# What the JSON shows of an advisor and of an assignment (panhuo allocate --preview --json).
ADVISOR_KEYS = ("advisor_id", "level", "capacity", "active", "clients", "assets", "dormant")
ASSIGNMENT_KEYS = ("client_id", "advisor_id", "from", "moved", "tier", "assets", "is_dormant", "reasons")
DIFF_ROWS = 300           # moves listed on the page; the CLI and the saved file carry them all


def allocation_branch(*, user: User | None, branch_id: str | None = None) -> Branch:
    """The branch a user allocates: their own (a director or manager), or the one named. The operator (no
    user, the CLI without --as) may name any branch, and needs none when there is only one."""
    if user is not None:
        require(user, Capability.ALLOCATE)
        reach = branches_for_user(user=user)
    else:
        reach = Branch.objects.all()
    if branch_id:
        branch = reach.filter(branch_id=branch_id).first()
    else:
        branch = reach.first() if reach.count() == 1 else None
    if branch is None:
        raise Http404("branch")
    return branch


def allocation_settings(*, branch: Branch, as_of: date | None = None) -> Settings:
    """The branch's weights and band (AllocationPolicy), or the engine's defaults."""
    as_of = as_of or timezone.localdate()
    p = AllocationPolicy.objects.filter(branch=branch).first()
    if p is None:
        return Settings(as_of=as_of)
    return Settings(band=p.band, move_cost=p.move_cost, region_cost=p.region_cost, style_cost=p.style_cost,
                    risk_cost=p.risk_cost, preference_cost=p.preference_cost, ramp_days=p.ramp_days,
                    over_capacity=p.over_capacity, as_of=as_of)


def settings_json(settings: Settings) -> dict:
    """The settings a preview was made with, as saved beside it (the specialty tables are the engine's)."""
    return {"band": settings.band, "balance": list(settings.balance), "move_cost": settings.move_cost,
            "region_cost": settings.region_cost, "style_cost": settings.style_cost, "risk_cost": settings.risk_cost,
            "preference_cost": settings.preference_cost, "vip_tiers": list(settings.vip_tiers),
            "vip_levels": list(settings.vip_levels), "ramp_days": settings.ramp_days,
            "ramp_start": settings.ramp_start, "over_capacity": settings.over_capacity,
            "as_of": settings.as_of.isoformat() if settings.as_of else None}


def allocation_inputs(*, branch: Branch, departing: Advisor | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clients, advisors) of a branch as the engine reads them: each open account with its latest snapshot's
    assets, dormancy, tier and trading style, its risk level, region and current advisor; each advisor with level,
    capacity, region, specialties, hire date and whether active (`departing` counts as gone already)."""
    snaps = {r["client_id"]: r for r in ClientSnapshot.objects.filter(is_latest=True, client__branch=branch).values(
        "client_id", "total_assets", "is_dormant", "tier", "trading_style")}
    rows = []
    for c in (Client.objects.filter(branch=branch).exclude(status=ClientStatus.CLOSED)
              .values("pk", "client_id", "advisor__advisor_id", "region", "risk_level").order_by("client_id")):
        s = snaps.get(c["pk"], {})
        rows.append({"client_id": c["client_id"], "assets": float(s.get("total_assets") or 0),
                     "tier": s.get("tier") or "mass", "is_dormant": bool(s.get("is_dormant")),
                     "advisor_id": c["advisor__advisor_id"], "region": c["region"] or None,
                     "style": s.get("trading_style") or None, "risk_level": c["risk_level"] or None,
                     "preference": None, "branch_id": branch.branch_id})
    clients = pl.DataFrame(rows, schema={"client_id": pl.String, "assets": pl.Float64, "tier": pl.String,
                                         "is_dormant": pl.Boolean, "advisor_id": pl.String, "region": pl.String,
                                         "style": pl.String, "risk_level": pl.String, "preference": pl.String,
                                         "branch_id": pl.String})
    advisors = pl.DataFrame([
        {"advisor_id": a.advisor_id, "level": a.level, "capacity": a.capacity, "region": a.region or None,
         "specialties": a.specialties, "hire_date": a.hire_date,
         "active": a.active and (departing is None or a.pk != departing.pk), "branch_id": branch.branch_id}
        for a in Advisor.objects.filter(branch=branch).order_by("advisor_id")],
        schema={"advisor_id": pl.String, "level": pl.String, "capacity": pl.Int64, "region": pl.String,
                "specialties": pl.String, "hire_date": pl.Date, "active": pl.Boolean, "branch_id": pl.String})
    return clients, advisors


def advisor_names(*, branch: Branch) -> dict[str, str]:
    return dict(Advisor.objects.filter(branch=branch).values_list("advisor_id", "name"))


def branch_books(*, branch: Branch, lang: str) -> dict:
    """The branch as it stands: each advisor's load against capacity, the fairness picture per level (assets
    and dormant clients per unit of capacity against the band), departed advisors' books, unassigned clients."""
    clients, advisors = allocation_inputs(branch=branch)
    settings = allocation_settings(branch=branch)
    names = advisor_names(branch=branch)
    known = set(advisors["advisor_id"].to_list())
    held = (clients.filter(pl.col("advisor_id").is_in(list(known)))
            .group_by("advisor_id").agg(pl.len().alias("clients"), pl.col("assets").sum(),
                                        pl.col("is_dormant").sum().alias("dormant")))
    held = {r["advisor_id"]: r for r in held.to_dicts()}
    rows = []
    for a in advisors.to_dicts():
        h = held.get(a["advisor_id"], {"clients": 0, "assets": 0.0, "dormant": 0})
        effective = a["capacity"] * ramp_share(a["hire_date"], settings.as_of, settings) if a["active"] else 0.0
        rows.append({"advisor_id": a["advisor_id"], "name": names.get(a["advisor_id"], ""), "level": a["level"],
                     "level_label": level_label(a["level"], lang=lang), "active": a["active"],
                     "capacity": a["capacity"], "effective": effective, "clients": h["clients"],
                     "assets": h["assets"], "dormant": h["dormant"],
                     "load": h["clients"] / effective if effective else None})
    levels = []
    for level in ("principal", "senior", "junior"):
        members = [r for r in rows if r["level"] == level and r["active"] and r["effective"] > 0]
        if not members:
            continue
        cap = sum(r["effective"] for r in members)
        means = {m: sum(r[m] for r in members) / cap for m in ("clients", "assets", "dormant")}
        for r in members:
            for m in ("clients", "assets", "dormant"):
                r[f"dev_{m}"] = (r[m] / r["effective"] / means[m] - 1) if means[m] else 0.0
                r[f"out_{m}"] = abs(r[f"dev_{m}"]) > settings.band
        levels.append({"level": level, "label": level_label(level, lang=lang), "advisors": members,
                       "assets_per_capacity": means["assets"], "dormant_per_capacity": means["dormant"],
                       "out": sum(1 for r in members if r["out_assets"] or r["out_dormant"] or r["out_clients"])})
    departed = [r for r in rows if not r["active"] and r["clients"]]
    unassigned = clients.filter(pl.col("advisor_id").is_null() | ~pl.col("advisor_id").is_in(list(known)))
    over = [r for r in rows if r["active"] and r["effective"] and r["clients"] > r["effective"]]
    return {"advisors": rows, "levels": levels, "departed": departed, "band": settings.band,
            "unassigned": unassigned.height, "unassigned_assets": float(unassigned["assets"].sum() or 0),
            "unassigned_sample": _client_rows(unassigned.sort("assets", descending=True).head(20)),
            "over": len(over), "clients": clients.height,
            "chart": [{"name": r["name"] or r["advisor_id"], "clients": r["clients"],
                       "capacity": round(r["effective"]), "active": r["active"]} for r in rows]}


def _client_rows(frame: pl.DataFrame) -> list[dict]:
    ids = frame["client_id"].to_list()
    names = dict(Client.objects.filter(client_id__in=ids).values_list("client_id", "name"))
    return [{**r, "name": names.get(r["client_id"], "")} for r in frame.to_dicts()]


def preview_latest(*, branch: Branch) -> AllocationPreview | None:
    return AllocationPreview.objects.filter(branch=branch, status=PreviewStatus.DRAFT).first()


def preview_get(*, branch: Branch, preview_id: int) -> AllocationPreview:
    p = AllocationPreview.objects.filter(branch=branch, pk=preview_id).select_related("departing").first()
    if p is None:
        raise Http404("preview")
    return p


def preview_for_user(*, user: User | None, preview_id: int) -> AllocationPreview:
    """A preview of a branch the user allocates (404 otherwise; 403 for a role that allocates nothing)."""
    if user is not None:
        require(user, Capability.ALLOCATE)
    p = AllocationPreview.objects.select_related("branch", "departing").filter(pk=preview_id).first()
    if p is None:
        raise Http404("preview")
    if user is not None and not branches_for_user(user=user).filter(pk=p.branch_id).exists():
        raise Http404("preview")
    return p


def preview_json(preview: AllocationPreview) -> dict:
    """The issue's JSON shape, figures after the move; each reason carries its words in both languages."""
    r = preview.result
    names = advisor_names(branch=preview.branch)
    out = {"preview": preview.pk, "branch": preview.branch.branch_id, "status": preview.status,
           "objective": r["objective"], "bound": r["bound"],
           "advisors": [{k: a.get(k) for k in ADVISOR_KEYS} for a in r["advisors"]],
           "assignments": []}
    for a in r["assignments"]:
        row = {k: a.get(k) for k in ASSIGNMENT_KEYS if k != "reasons"}
        row["reasons"] = [{**x, "zh": reasons_text([x], lang="zh", names=names),
                           "en": reasons_text([x], lang="en", names=names)} for x in a.get("reasons") or ()]
        out["assignments"].append(row)
    return out


def preview_page(*, preview: AllocationPreview, lang: str) -> dict:
    """A preview as the page shows it: the summary, who moves from whom to whom and why, each book's change."""
    r = preview.result
    names = advisor_names(branch=preview.branch)
    moves = r["assignments"]
    client_names = dict(Client.objects.filter(client_id__in=[m["client_id"] for m in moves[:DIFF_ROWS]])
                        .values_list("client_id", "name"))
    rows = [{"client_id": m["client_id"], "name": client_names.get(m["client_id"], ""),
             "from": names.get(m["from"] or "", ""), "to": names.get(m["advisor_id"], ""),
             "tier": segment_label("tier", m["tier"], lang) if m["tier"] else "—", "assets": m["assets"], "is_dormant": m["is_dormant"],
             "why": reasons_text(m["reasons"], lang=lang, names=names)} for m in moves[:DIFF_ROWS]]
    books = [{**a, "name": names.get(a["advisor_id"], ""), "level_label": level_label(a["level"], lang=lang)}
             for a in r["advisors"] if a.get("gained") or a.get("lost") or a.get("clients_before") != a.get("clients")]
    return {"preview": preview, "moves": rows, "more": max(len(moves) - DIFF_ROWS, 0), "total": len(moves),
            "placed": r.get("placed", 0), "books": books, "band_met": r.get("band_met"), "gap": r.get("gap"),
            "advisors_affected": len(books), "departing_name": preview.departing.name if preview.departing else ""}

