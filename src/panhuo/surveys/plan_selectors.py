"""Reads for the service plan (服务计划书): the client's behaviour profile (客户行为分析), what a new plan is prefilled
with, the current plan and its versions, and the client 360 page's plan section (docs/service-plan.md).

The profile and the prefill come from the client's own data: the latest daily snapshot (asset tier, 仓位 position
level, 盈亏 P&L state, the inferred trading personality), the latest personality self-assessment (自评, which
replaces the inference), the latest needs survey (目的 and the rest), the regulatory risk level and whether its
assessment has expired, the holdings of the 360 page's series, and the day's market regime with its position
guidance (strong 75% / consolidating 50% / weak 25%, market/regime.py). A saved version keeps the profile as it
was, in keys; labels are given when it is shown, in the reader's language.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.analytics.segments import label as segment_label
from panhuo.clients import facts
from panhuo.clients.models import (
    MarketDay,
    PlanActionKind,
    ServicePlan,
    ServicePlanVersion,
)
from panhuo.clients.registry import ClientPanel
from panhuo.clients.selectors import can_edit_plan
from panhuo.clients.suitability import PRODUCT_RISKS, assessment_expires_on
from panhuo.formatting import cn_amount
from panhuo.market.vocabulary import regime_words
from panhuo.surveys.files import NEEDS, PERSONALITY, questionnaire_current, questionnaire_version
from panhuo.surveys.selectors import lang

HOLDINGS_SHOWN = 10
REVIEW_DAYS = 90          # a new plan is reviewed after a quarter unless the advisor sets another date
ACTION_ROWS = 6           # rows of the actions table on the form (filled ones, then blanks)
MAX_ROWS = 30             # the most rows a posted form is read for


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _date(text) -> date | None:
    return date.fromisoformat(text) if text else None


def profile_of(*, client, today: date | None = None) -> dict:
    """The client's profile as plain keys and numbers (what a plan version keeps)."""
    today = today or timezone.localdate()
    snap = facts.latest_snapshot(client)
    pers = facts.latest_answer(client, "personality")
    needs = facts.latest_answer(client, "needs")
    series = facts.series(client)
    # Only the day's regime: its charts and pools are the market page's (large JSON).
    day = MarketDay.objects.order_by("-date").only("date", "regime", "position").first()
    total = float(snap.total_assets) if snap else 0.0
    mv = float(snap.market_value) if snap else 0.0
    expires = assessment_expires_on(client.risk_assessed_on)
    holdings = sorted((series.positions if series else []), key=lambda p: -(p.get("market_value") or 0))
    return {
        "as_of": _iso(snap.as_of) if snap else None,
        "tier": snap.tier if snap else "",
        "total_assets": total,
        "position_band": snap.position_band if snap else "",
        "position_ratio": round(mv / total, 4) if total > 0 else None,
        "profit_state": snap.profit_state if snap else "",
        "personality": pers.band if pers else (snap.personality if snap else ""),
        "personality_self_assessed": pers is not None,
        "personality_on": _iso(pers.taken_on) if pers else None,
        "needs": ({"questionnaire": needs.questionnaire, "version": needs.version, "answers": needs.answers,
                   "on": _iso(needs.taken_on)} if needs else None),
        "risk_level": client.risk_level or "",
        "risk_assessed_on": _iso(client.risk_assessed_on),
        "risk_expires_on": _iso(expires),
        "risk_expired": bool(client.risk_level) and (expires is None or today >= expires),
        "holdings": [{k: p.get(k) for k in ("symbol", "name", "market_value", "pnl_pct")}
                     for p in holdings[:HOLDINGS_SHOWN]],
        "market": ({"date": _iso(day.date), "regime": day.regime, "position": day.position} if day else None),
    }


def _needs_rows(needs: dict | None) -> list[dict]:
    if not needs:
        return []
    qn = questionnaire_version(needs["questionnaire"], needs["version"])
    zh, rows = lang() == "zh", []
    for q in (qn.questions if qn else ()):
        value = needs["answers"].get(q.key)
        if q.type == "text":
            shown = value or ""
        else:
            keys = value if isinstance(value, list) else [value]
            shown = "、".join(o.zh if zh else o.en for o in q.options if o.key in keys)
        if shown:
            rows.append({"key": q.key, "question": q.zh if zh else q.en, "value": shown})
    return rows


def profile_shown(profile: dict) -> dict:
    """A kept profile in the reader's language: the 客户行为分析 (tier, 仓位, 盈亏, 交易个性, 目的), the needs, the
    risk level and its validity, the holdings and the market's position guidance."""
    lg = lang()
    needs = _needs_rows(profile.get("needs"))
    goal = next((r["value"] for r in needs if r["key"] == "goal"), "")
    pers = profile.get("personality") or ""
    pers_label = questionnaire_current(PERSONALITY).label(pers, lg) if pers else ""
    market = profile.get("market")
    ratio = profile.get("position_ratio")
    guidance = market["position"] if market else None
    return {
        "tier": segment_label("tier", profile.get("tier"), lg) if profile.get("tier") else "",
        "total_assets": cn_amount(profile.get("total_assets"), lang="zh-hans" if lg == "zh" else "en"),
        "position": segment_label("position", profile.get("position_band"), lg) if profile.get("position_band")
        else "",
        "position_ratio": f"{ratio * 100:.0f}%" if ratio is not None else "",
        "profit": segment_label("profit", profile.get("profit_state"), lg) if profile.get("profit_state") else "",
        "personality": pers_label,
        "personality_self_assessed": profile.get("personality_self_assessed"),
        "goal": goal,
        "needs": needs, "needs_on": _date((profile.get("needs") or {}).get("on")),
        "risk_level": profile.get("risk_level") or "",
        "risk_expires_on": _date(profile.get("risk_expires_on")),
        "risk_assessed_on": _date(profile.get("risk_assessed_on")),
        "risk_expired": profile.get("risk_expired"),
        "holdings": [{**h, "value": cn_amount(h.get("market_value"), lang="zh-hans" if lg == "zh" else "en"),
                      "pnl": f"{h['pnl_pct'] * 100:+.1f}%" if h.get("pnl_pct") is not None else ""}
                     for h in profile.get("holdings") or []],
        "regime": regime_words(market["regime"], lg) if market else "",
        "market_on": _date(market["date"]) if market else None,
        "guidance": f"{guidance * 100:.0f}%" if guidance is not None else "",
        # Heavier than the guidance by more than 10 points: the plan should talk about the position.
        "above_guidance": ratio is not None and guidance is not None and ratio > guidance + 0.10,
        "migrated": bool(profile.get("migrated")),
    }


def plan_suggestions(*, client, profile: dict, today: date) -> dict:
    """What a first plan proposes, from the profile: goals from the needs survey, the steps still missing (needs
    survey, risk assessment), a contact by the preferred channel, and a review date."""
    goals, actions = [], []
    shown = profile_shown(profile)
    if shown["goal"]:
        goals.append(shown["goal"])
    if profile["market"] and shown["above_guidance"]:
        goals.append(_("Bring the position toward the market's guidance of %(g)s") % {"g": shown["guidance"]})
    if not profile["needs"]:
        actions.append({"kind": PlanActionKind.CONTACT, "what": _("Needs survey with the client"),
                        "due": today + timedelta(days=7)})
    if not profile["risk_level"] or profile["risk_expired"]:
        actions.append({"kind": PlanActionKind.CONTACT, "what": _("Risk assessment (the current one is missing "
                                                                  "or expired)"), "due": today + timedelta(days=7)})
    channel = next((r["value"] for r in shown["needs"] if r["key"] == "channel"), "")
    actions.append({"kind": PlanActionKind.CONTACT, "what": (_("Regular contact by %(c)s") % {"c": channel}
                                                             if channel else _("Regular contact")),
                    "due": today + timedelta(days=30)})
    actions.append({"kind": PlanActionKind.REVIEW, "what": _("Account review with the client"),
                    "due": today + timedelta(days=REVIEW_DAYS)})
    return {"goals": goals, "actions": actions, "review_on": today + timedelta(days=REVIEW_DAYS)}


def plan_of(*, client) -> ServicePlan | None:
    return ServicePlan.objects.filter(client=client).select_related("updated_by").first()


def plan_versions(*, client) -> list[ServicePlanVersion]:
    return list(ServicePlanVersion.objects.filter(plan__client=client).select_related("by").order_by("-version"))


def plan_version_get(*, client, version: int) -> ServicePlanVersion | None:
    return ServicePlanVersion.objects.filter(plan__client=client, version=version).select_related("by").first()


def plan_is_current(version: ServicePlanVersion | None, *, today: date | None = None) -> bool:
    """A plan counts as current while its review date has not passed (the coverage figure's rule)."""
    today = today or timezone.localdate()
    return bool(version and version.review_on and version.review_on >= today)


def action_rows(version: ServicePlanVersion | None) -> list[dict]:
    """The actions in the reader's language: kind label, due date, product and the suitability result."""
    kinds = dict(PlanActionKind.choices)
    today = timezone.localdate()
    out = []
    for a in (version.actions if version else []):
        due = _date(a.get("due"))
        out.append({**a, "kind_label": kinds.get(a.get("kind"), ""), "due": due,
                    "overdue": bool(due and due < today)})
    return out


def plan_form_initial(*, client, today: date | None = None) -> dict:
    """The edit form: the current version's goals, actions and review date, or the suggestions for a first plan;
    and the profile to show beside it."""
    today = today or timezone.localdate()
    profile = profile_of(client=client, today=today)
    versions = plan_versions(client=client)
    current = versions[0] if versions else None
    if current:
        goals, actions = list(current.goals), action_rows(current)
        review_on, note = current.review_on, current.note
    else:
        sug = plan_suggestions(client=client, profile=profile, today=today)
        goals, actions, review_on, note = sug["goals"], sug["actions"], sug["review_on"], ""
    rows = [{"kind": a.get("kind", ""), "what": a.get("what", ""), "due": a.get("due"),
             "product": a.get("product", ""), "product_risk": a.get("product_risk", "")} for a in actions]
    rows += [{"kind": "", "what": "", "due": None, "product": "", "product_risk": ""}] * max(
        ACTION_ROWS - len(rows), 2)
    return {"profile": profile, "shown": profile_shown(profile), "goals": "\n".join(goals), "actions": rows,
            "review_on": review_on, "note": note, "current": current, "kinds": PlanActionKind.choices,
            "risks": PRODUCT_RISKS}


def plan_panel(*, client, user) -> ClientPanel:
    """The client 360 page's section: the behaviour profile (客户行为分析) now, and the current plan (goals,
    actions with due dates, review date, whether it is current) with its versions and PDF."""
    today = timezone.localdate()
    versions = plan_versions(client=client)
    current = versions[0] if versions else None
    return ClientPanel(name="plan", template="surveys/partials/plan_card.html", context={"plan": {
        "profile": profile_shown(profile_of(client=client, today=today)), "current": current,
        "is_current": plan_is_current(current, today=today), "actions": action_rows(current),
        "versions": versions[:5], "can_edit": can_edit_plan(user, client), "needs_key": NEEDS}})
