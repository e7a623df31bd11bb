"""Writes: a new version of a client's service plan (服务计划书; docs/service-plan.md).

Each save is a new, unchangeable version with who and when, the profile as prefilled then, the goals, the actions
(each with a due date) and the review date; the head (ServicePlan) carries the current review date that the
coverage figure reads. A product action is checked against the client's risk level (clients.suitability,
place `service_plan`): a product above the level, or any product while the assessment is missing or expired, is
refused unless the client confirmed that product through the written special-warning flow. The check is
recorded either way (a refusal is evidence too).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.audit.services import audit_record
from panhuo.clients.models import Client, PlanActionKind, ServicePlan, ServicePlanVersion
from panhuo.clients.selectors import can_edit_plan
from panhuo.clients.suitability import PRODUCT_RISKS, suitability_check
from panhuo.surveys.plan_selectors import profile_of

MAX_GOALS, MAX_ACTIONS = 12, 20


class Unsuitable(ValidationError):
    """One or more product actions the client's level does not allow (and no written override is on file)."""

    def __init__(self, refused: list[dict]):
        self.refused = refused
        super().__init__(_("A product above the client's risk level cannot be put in the plan."))


def _clean_actions(actions: list[dict]) -> list[dict]:
    out = []
    kinds = set(PlanActionKind.values)
    for a in actions:
        what = (a.get("what") or "").strip()[:200]
        product = (a.get("product") or "").strip()[:64]
        if not what and not product:
            continue                                  # an empty row of the form
        kind = a.get("kind") or PlanActionKind.CONTACT
        if kind not in kinds:
            raise ValidationError(_("Unknown kind of action."))
        due = a.get("due")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due) if due else None
            except ValueError:
                due = None
        if due is None:
            raise ValidationError(_("Every action needs a due date."))
        row = {"kind": kind, "what": what or product, "due": due.isoformat()}
        if kind == PlanActionKind.PRODUCT:
            risk = a.get("product_risk") or ""
            if not product or risk not in PRODUCT_RISKS:
                raise ValidationError(_("A product action names the product and its risk rating (R1–R5)."))
            row.update(product=product, product_risk=risk)
        out.append(row)
    if len(out) > MAX_ACTIONS:
        raise ValidationError(_("At most %(n)s actions.") % {"n": MAX_ACTIONS})
    return out


def service_plan_save(*, user, client: Client, goals: list[str], actions: list[dict], review_on: date | None,
                      note: str = "", today: date | None = None, request=None) -> ServicePlanVersion:
    """Save a new version of `client`'s plan. `client` was resolved through the access rule by the caller; the
    role needs EDIT_PLAN and an advisor edits only their own client's plan (clients.selectors.can_edit_plan)."""
    if not can_edit_plan(user, client):
        audit_record(user=user, action="plan.save", object_type="client", object_ids=[client.client_id],
                     outcome="denied", request=request)
        raise PermissionDenied
    today = today or timezone.localdate()
    goals = [g.strip()[:300] for g in goals if g and g.strip()][:MAX_GOALS]
    if review_on is None or review_on < today:
        raise ValidationError(_("Set a review date from today on."))
    rows = _clean_actions(actions)
    # Suitability first, outside the save's transaction: each check is recorded even when the plan is refused.
    refused = []
    for row in rows:
        if row["kind"] != PlanActionKind.PRODUCT:
            continue
        decision = suitability_check(client=client, product_risk=row["product_risk"], product=row["product"],
                                     place="service_plan", user=user, today=today)
        row["allowed"], row["reasons"] = decision.allowed, list(decision.reasons)
        if not decision.allowed:
            refused.append({"product": row["product"], "product_risk": row["product_risk"],
                            "reasons": decision.reason_labels(), "can_override": decision.can_override})
    if refused:
        raise Unsuitable(refused=refused)
    profile = profile_of(client=client, today=today)
    with transaction.atomic():
        plan, _created = ServicePlan.objects.select_for_update().get_or_create(client=client)
        number = (plan.versions.aggregate(n=Max("version"))["n"] or 0) + 1
        version = ServicePlanVersion.objects.create(plan=plan, version=number, profile=profile, goals=goals,
                                                    actions=rows, review_on=review_on, note=note.strip()[:4000],
                                                    by=user)
        plan.review_on, plan.updated_by = review_on, user
        plan.save(update_fields=["review_on", "updated_by", "updated_at"])
        audit_record(user=user, action="plan.save", object_type="client", object_ids=[client.client_id],
                     request=request, detail={"version": number, "review_on": review_on.isoformat(),
                                              "actions": len(rows), "goals": len(goals)})
    return version
