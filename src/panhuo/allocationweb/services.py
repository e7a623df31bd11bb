"""Writes: make a preview (changes no client), approve it (applies exactly its assignments through the one write
path, audited, with handover tasks), and an advisor's departure in one step.

Callers resolve the branch or the preview first (selectors.allocation_branch / preview_for_user check the
`allocate` capability and the branch); the services re-check the capability when the actor is a user.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, require
from panhuo.allocation import InfeasibleAllocation, allocate
from panhuo.allocationweb.models import AllocationPolicy, AllocationPreview, OverCapacity, PreviewStatus
from panhuo.allocationweb.reasons import reasons_text
from panhuo.allocationweb.selectors import (
    advisor_names,
    allocation_inputs,
    allocation_settings,
    settings_json,
)
from panhuo.audit.services import audit_record
from panhuo.clients.decisions import Source, assignment_apply
from panhuo.clients.models import (
    OPEN_STATUSES,
    Advisor,
    Branch,
    Client,
    Task,
    TaskKind,
    TaskStatus,
    protection_days_by_branch,
)

HANDOVER_PRIORITY = 460      # just above a new assignment's first contact (workbench PROTECTION_PRIORITY 450)


class PreviewStale(ValidationError):
    """The branch changed since the preview was made (a client moved, left or was reassigned): make a new one."""


def _check(actor) -> None:
    if isinstance(actor, User):
        require(actor, Capability.ALLOCATE)


def _clean(value):
    """JSON-safe: the engine's NaN (no figure) becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def preview_create(*, branch: Branch, actor, departing: Advisor | None = None, request=None) -> AllocationPreview:
    """Run the engine on the branch as it stands and save the answer. No client, advisor or task changes.

    `departing`: an advisor about to leave; the preview treats them as gone (their whole book is placed with the
    others by the same optimiser) and approval marks them inactive. Raises InfeasibleAllocation (with the rule
    broken) when the branch cannot be allocated under its settings."""
    _check(actor)
    if departing is not None and departing.branch_id != branch.pk:
        raise ValidationError({"advisor": "the advisor is not in this branch"})
    settings = allocation_settings(branch=branch)
    clients, advisors = allocation_inputs(branch=branch, departing=departing)
    try:
        result = allocate(clients, advisors, settings)
    except InfeasibleAllocation as exc:
        audit_record(user=actor, action="allocation.preview", object_type="branch", object_ids=[branch.branch_id],
                     outcome="failed", request=request,
                     detail={"constraint": exc.constraint, "figures": _clean(exc.figures),
                             "departing": departing.advisor_id if departing else ""})
        raise
    data = _clean(result.to_dict())
    preview = AllocationPreview.objects.create(
        branch=branch, created_by=getattr(actor, "username", str(actor)), departing=departing,
        settings=settings_json(settings), result=data, moved=len(data["assignments"]))
    audit_record(user=actor, action="allocation.preview", object_type="allocation_preview",
                 object_ids=[str(preview.pk)], request=request,
                 detail={"branch": branch.branch_id, "changes": preview.moved, "moved": result.moved,
                         "placed": result.placed, "objective": result.objective, "bound": result.bound,
                         "band_met": result.band_met, "departing": departing.advisor_id if departing else ""})
    return preview


def _stale(preview: AllocationPreview, clients: dict[str, Client]) -> list[str]:
    """Clients whose advisor is no longer what the preview started from (or who left the branch)."""
    out = []
    for a in preview.result["assignments"]:
        c = clients.get(a["client_id"])
        now = c.advisor.advisor_id if c is not None and c.advisor_id else None
        if c is None or c.branch_id != preview.branch_id or (now or None) != (a["from"] or None):
            out.append(a["client_id"])
    return out


def preview_approve(*, preview: AllocationPreview, actor, request=None) -> dict:
    """Apply exactly the preview's assignments, grouped by the advisor who gains them, through
    clients.decisions.assignment_apply (source allocation: audited with before and after, a new protection
    period, open tasks follow, the next import keeps them); the advisor leaving is marked inactive; each client
    who changes hands gets a handover task for the new advisor with the reason in words. All or nothing."""
    _check(actor)
    with transaction.atomic():
        preview = AllocationPreview.objects.select_for_update(of=("self",)).select_related("branch", "departing").get(
            pk=preview.pk)
        if preview.status != PreviewStatus.DRAFT:
            raise ValidationError({"preview": "this preview was already approved or replaced"})
        moves = preview.result["assignments"]
        clients = {c.client_id: c for c in Client.objects.select_related("advisor").filter(
            client_id__in=[m["client_id"] for m in moves])}
        stale = _stale(preview, clients)
        if preview.departing is not None:
            # A client given to the leaving advisor after the preview would be left with a departed advisor.
            stale += list(Client.objects.filter(advisor=preview.departing).exclude(client_id__in=list(clients))
                          .values_list("client_id", flat=True))
        if stale:
            raise PreviewStale({"preview": f"{len(stale)} clients changed since the preview; make a new preview"})
        advisors = {a.advisor_id: a for a in Advisor.objects.filter(branch=preview.branch)}
        targets = {m["advisor_id"] for m in moves}
        if any(a not in advisors or not advisors[a].active or (preview.departing and a == preview.departing.advisor_id)
               for a in targets):
            raise PreviewStale({"preview": "an advisor of the preview is no longer active; make a new preview"})
        if preview.departing is not None and preview.departing.active:
            Advisor.objects.filter(pk=preview.departing.pk).update(active=False)
            audit_record(user=actor, action="advisor.leave", object_type="advisor",
                         object_ids=[preview.departing.advisor_id], request=request,
                         detail={"preview": preview.pk, "clients": len(moves)})
        by_target: dict[str, list[Client]] = defaultdict(list)
        before = {}
        for m in moves:
            c = clients[m["client_id"]]
            before[c.client_id] = c.advisor
            by_target[m["advisor_id"]].append(c)
        reason = f"allocation preview {preview.pk}"
        today = timezone.localdate()
        moved = 0
        for code in sorted(by_target):
            moved += assignment_apply(clients=by_target[code], advisor=advisors[code], source=Source.ALLOCATION,
                                      actor=actor, reason=reason, on=today, request=request)
        tasks = handover_tasks_create(preview=preview, clients=clients, before=before, advisors=advisors, on=today)
        preview.status = PreviewStatus.APPROVED
        preview.approved_at = timezone.now()
        preview.approved_by = getattr(actor, "username", str(actor))
        preview.approved_by_user = actor if isinstance(actor, User) else None
        preview.save(update_fields=["status", "approved_at", "approved_by", "approved_by_user"])
        # Other drafts of the branch were made against the books just changed.
        AllocationPreview.objects.filter(branch=preview.branch, status=PreviewStatus.DRAFT).exclude(
            pk=preview.pk).update(status=PreviewStatus.SUPERSEDED)
        audit_record(user=actor, action="allocation.approve", object_type="allocation_preview",
                     object_ids=[str(preview.pk)], request=request,
                     detail={"branch": preview.branch.branch_id, "moved": moved, "handover_tasks": tasks,
                             "settings": preview.settings,
                             "departing": preview.departing.advisor_id if preview.departing else ""})
    return {"preview": preview.pk, "moved": moved, "handover_tasks": tasks, "advisors": len(by_target)}


def handover_tasks_create(*, preview: AllocationPreview, clients: dict[str, Client], before: dict,
                          advisors: dict[str, Advisor], on) -> int:
    """One open handover task per client who changed hands, for the new advisor: introduce yourself within the
    branch's protection period, and why the client came to you (the engine's reasons in words). A client already
    with an open handover task (handed over twice) has it rewritten. In bulk: a branch's approval moves
    thousands."""
    days = protection_days_by_branch().get(preview.branch_id, 7)
    due = on + timedelta(days=days)
    names = advisor_names(branch=preview.branch)
    wanted = {}
    for m in preview.result["assignments"]:
        c = clients[m["client_id"]]
        if c.do_not_contact:
            continue          # a client who refused contact gets no call, not even an introduction
        old = before.get(c.client_id)
        why_zh = reasons_text(m["reasons"], lang="zh", names=names)
        why_en = reasons_text(m["reasons"], lang="en", names=names)
        if old is not None:
            zh = f"从{old.name}处转来：{why_zh}。请在{due:%m月%d日}前主动联系客户介绍自己"
            en = f"Handed over from {old.name}: {why_en}. Introduce yourself by {due:%d %b}"
        else:
            zh = f"新分配给您：{why_zh}。请在{due:%m月%d日}前主动联系客户介绍自己"
            en = f"Newly given to you: {why_en}. Introduce yourself by {due:%d %b}"
        wanted[c.pk] = {"advisor": advisors[m["advisor_id"]], "priority": HANDOVER_PRIORITY, "due": due,
                        "reason_zh": _fit(zh), "reason_en": _fit(en), "script_key": TaskKind.HANDOVER,
                        "created_on": on}
    existing = list(Task.objects.filter(client_id__in=list(wanted), kind=TaskKind.HANDOVER,
                                        status__in=OPEN_STATUSES))
    for t in existing:
        for k, v in wanted.pop(t.client_id).items():
            setattr(t, k, v)
    fields = ["advisor", "priority", "due", "reason_zh", "reason_en", "script_key", "created_on"]
    Task.objects.bulk_update(existing, fields, batch_size=1000)
    Task.objects.bulk_create([Task(client_id=pk, kind=TaskKind.HANDOVER, status=TaskStatus.OPEN, **w)
                              for pk, w in wanted.items()], batch_size=1000)
    return len(existing) + len(wanted)


def _fit(text: str, n: int = 255) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def allocation_policy_save(*, branch: Branch, actor, band: float, over_capacity: str, request=None) -> AllocationPolicy:
    """The director sets the branch's fairness band and what to do with more clients than capacity (the costs
    stay as the admin site set them). Audited with before and after."""
    _check(actor)
    if not 0.01 <= band <= 0.5:
        raise ValidationError({"band": "the band must lie between 1% and 50%"})
    if over_capacity not in OverCapacity.values:
        raise ValidationError({"over_capacity": "refuse or share"})
    policy, _ = AllocationPolicy.objects.get_or_create(branch=branch)
    before = {"band": policy.band, "over_capacity": policy.over_capacity}
    policy.band, policy.over_capacity = band, over_capacity
    policy.save(update_fields=["band", "over_capacity"])
    audit_record(user=actor, action="allocation.settings", object_type="branch", object_ids=[branch.branch_id],
                 request=request, detail={"before": before, "after": {"band": band, "over_capacity": over_capacity}})
    return policy
