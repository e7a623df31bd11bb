"""Compliance review of a campaign's scripts: submitted → approved, or rejected with a reason; launch waits.

A version of a script is its text, identified by SHA-256: an approval holds the hash of the text approved, so an
edit (a new text, a new hash) needs approval again. The designer submits; compliance (`approve_script`) decides,
never on a campaign they created or a version they submitted. Every submission, approval, rejection and later
edit of an approved script is an audit event.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.audit.services import audit_record
from panhuo.campaigns.models import Campaign, CampaignStatus, ReviewState, ScriptReview


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def campaign_script_versions(campaign: Campaign) -> dict[str, dict]:
    """hash → {"text", "channels"} of every distinct script the campaign would use (its schedule, else its one
    script on every channel)."""
    steps = campaign.schedule or [{"channel": c, "script": campaign.script} for c in campaign.channels or [""]]
    out: dict[str, dict] = {}
    for s in steps:
        if not s["script"].strip():
            continue
        v = out.setdefault(text_hash(s["script"]), {"text": s["script"].strip(), "channels": []})
        if s["channel"] and s["channel"] not in v["channels"]:
            v["channels"].append(s["channel"])
    return out


def campaign_review_status(campaign: Campaign) -> list[dict]:
    """One row per current script: its text, channels and the latest review of exactly that text (or None)."""
    versions = campaign_script_versions(campaign)
    latest: dict[str, ScriptReview] = {}
    for r in ScriptReview.objects.filter(campaign=campaign, text_hash__in=list(versions)).order_by("submitted_at",
                                                                                                   "pk"):
        latest[r.text_hash] = r
    return [{"hash": h, **v, "review": latest.get(h)} for h, v in versions.items()]


def unapproved_scripts(campaign: Campaign) -> list[str]:
    """Problems that block a launch: each current script whose text compliance has not approved."""
    problems = []
    for row in campaign_review_status(campaign):
        r = row["review"]
        where = "、".join(row["channels"]) or "script"
        if r is None:
            problems.append(f"{where}: 话术未提交合规审核 / script not submitted to compliance")
        elif r.state == ReviewState.SUBMITTED:
            problems.append(f"{where}: 话术待合规审核 / script awaiting compliance approval")
        elif r.state == ReviewState.REJECTED:
            problems.append(f"{where}: 话术被合规退回（{r.reason}）/ script rejected by compliance: {r.reason}")
    return problems


def scripts_submit(*, user: User, campaign: Campaign, request=None) -> list[ScriptReview]:
    """Submit every current script not yet approved or awaiting review (a rejected one may be resubmitted after
    an edit, or as it is with the designer's answer in a later version)."""
    require(user, Capability.DESIGN_CAMPAIGN)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("only a draft's scripts are submitted")
    created = []
    for row in campaign_review_status(campaign):
        r = row["review"]
        if r is not None and r.state in (ReviewState.SUBMITTED, ReviewState.APPROVED):
            continue
        created.append(ScriptReview.objects.create(campaign=campaign, text=row["text"], text_hash=row["hash"],
                                                   channels=row["channels"], submitted_by=user))
    if created:
        audit_record(user=user, action="script.submit", object_type="campaign", object_ids=[str(campaign.pk)],
                     detail={"hashes": [r.text_hash[:12] for r in created]}, request=request)
    return created


def _decide(*, user: User, review_id: int, state: str, reason: str, request=None) -> ScriptReview:
    require(user, Capability.APPROVE_SCRIPT)
    review = ScriptReview.objects.select_related("campaign").get(pk=review_id)
    if user.pk in (review.campaign.created_by_id, review.submitted_by_id):     # recorded outside any transaction
        audit_record(user=user, action=f"script.{state}", object_type="campaign",
                     object_ids=[str(review.campaign_id)], outcome="refused",
                     detail={"why": "own campaign", "hash": review.text_hash[:12]}, request=request)
        raise PermissionDenied("the designer cannot approve their own campaign's scripts")
    with transaction.atomic():
        review = ScriptReview.objects.select_for_update().select_related("campaign").get(pk=review_id)
        campaign = review.campaign
        if review.state != ReviewState.SUBMITTED:
            raise ValidationError("this version was already decided")
        if review.text_hash not in campaign_script_versions(campaign):
            raise ValidationError("the script was edited since it was submitted: review the new version")
        review.state, review.reason = state, reason
        review.reviewed_by, review.reviewed_at = user, timezone.now()
        review.save(update_fields=["state", "reason", "reviewed_by", "reviewed_at"])
        audit_record(user=user, action=f"script.{state}", object_type="campaign", object_ids=[str(campaign.pk)],
                     detail={"hash": review.text_hash[:12], "channels": review.channels, "reason": reason},
                     request=request)
    return review


def script_approve(*, user: User, review_id: int, request=None) -> ScriptReview:
    return _decide(user=user, review_id=review_id, state=ReviewState.APPROVED, reason="", request=request)


def script_reject(*, user: User, review_id: int, reason: str, request=None) -> ScriptReview:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a rejection states its reason")
    return _decide(user=user, review_id=review_id, state=ReviewState.REJECTED, reason=reason[:2000],
                   request=request)


def scripts_edit_audit(*, user: User, campaign: Campaign, before: dict[str, dict], request=None) -> None:
    """After a draft's edit: record which script versions changed; an approved version that is gone needs a new
    approval (the new text has no approval) and the trail says so."""
    after = campaign_script_versions(campaign)
    gone, new = set(before) - set(after), set(after) - set(before)
    if not gone and not new:
        return
    approved = set(ScriptReview.objects.filter(campaign=campaign, text_hash__in=list(gone),
                                               state=ReviewState.APPROVED).values_list("text_hash", flat=True))
    audit_record(user=user, action="script.edit", object_type="campaign", object_ids=[str(campaign.pk)],
                 detail={"removed": sorted(h[:12] for h in gone), "added": sorted(h[:12] for h in new),
                         "approval_lost": sorted(h[:12] for h in approved)}, request=request)
