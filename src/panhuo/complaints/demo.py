"""`panhuo demo`'s complaints and call-backs (clients.registry demo seeder): a handful of complaints in each state,
filed and handled through the services, and the last complete month's call-back sample with some call-backs made.
Deterministic for the seed (the sample's seed is derived from it)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.analytics.kpis import Month
from panhuo.clients.models import Client, Complaint
from panhuo.complaints import services
from panhuo.complaints.models import Callback, CallbackOutcome, FindingCategory

# (days ago received, channel, category, what the client said, how far it gets)
STORIES = [
    (40, "phone", "attitude", "客户反映投资顾问电话回访时态度生硬，多次打断客户。", "confirmed"),
    (30, "counter", "fees", "客户对上月佣金费率与开户时约定不一致提出异议。", "closed"),
    (20, "regulator", "misselling", "12386转办：客户称投顾推荐的产品风险高于其风险承受能力。", "investigating"),
    (18, "online", "system", "客户称开盘时App无法下单，错过卖出时机。", "received"),
    (6, "letter", "disclosure", "客户来信称未收到基金分红的信息披露。", "investigating"),
    (2, "phone", "other", "客户要求更换服务的投资顾问。", "received"),
]


def demo_seed(*, as_of, seed: int) -> str | None:
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    compliance = User.objects.filter(role=Role.COMPLIANCE, is_active=True).order_by("pk").first()
    if director is None or compliance is None or Complaint.objects.exists():
        return None
    rng = random.Random(seed)
    clients = list(Client.objects.filter(branch_id=director.branch_id, advisor__isnull=False).order_by("client_id"))
    if not clients:
        return None
    now = timezone.now()
    filed = 0
    for (days, channel, category, text, stage), client in zip(STORIES, rng.sample(clients, min(len(STORIES), len(clients))),
                                                              strict=False):
        c = services._create(user=director, client=client, channel=channel, category=category, description=text,
                             received_at=now - timedelta(days=days))
        filed += 1
        if stage == "received":
            continue
        services.complaint_investigate(user=director, complaint=c, note="已联系客户了解情况。")
        if stage in ("confirmed", "closed"):
            services.complaint_resolve(user=director, complaint=c, substantiated=stage == "confirmed",
                                       resolution="核实后向客户说明并致歉，已对相关人员进行提醒。")
            if stage == "confirmed":
                services.complaint_confirm(user=director, complaint=c, confirmed_on=timezone.localdate(),
                                           satisfied=True, note="客户电话确认满意。")
            else:
                services.complaint_close(user=director, complaint=c, note="多次联系客户未接通，按规定办结。")
    if manager is not None:    # a second handler, so the owner list shows a choice
        waiting = Complaint.objects.filter(status="received").order_by("received_at").first()
        if waiting is not None and services.may_own(manager, waiting):
            services.complaint_assign(user=director, complaint=waiting, owner=manager)
    escalated = services.complaints_escalate_due()["escalated"]

    month = Month.parse(f"{as_of:%Y-%m}").previous().label
    sample, _ = services.callbacks_sample(branch_id=director.branch_id, month=month, user=compliance,
                                          seed=f"demo-{seed}")
    todo = list(Callback.objects.filter(sample=sample).select_related("client", "sample").order_by("pk"))
    done = 0
    for i, cb in enumerate(todo[: max(0, len(todo) * 2 // 3)]):
        if not services.is_independent(compliance, cb):
            continue
        if i % 5 == 3:
            services.callback_record(user=compliance, callback=cb, outcome=CallbackOutcome.NOT_REACHED)
        elif i % 7 == 5:
            finding = (FindingCategory.RETURN_PROMISED if cb.kind == "advised" else FindingCategory.RISK_NOT_EXPLAINED)
            services.callback_record(user=compliance, callback=cb, outcome=CallbackOutcome.FINDING,
                                     finding_category=finding, note="客户称工作人员说过“保证赚钱”。"
                                     if cb.kind == "advised" else "客户称开户时没人讲解风险。",
                                     answers={}, open_complaint=i % 2 == 1, compliance_note=True)
        else:
            services.callback_record(user=compliance, callback=cb, outcome=CallbackOutcome.CONFIRMED,
                                     answers={q["key"]: q["expected"]
                                              for q in services.callbacks_config()["script"][cb.kind]})
        done += 1
    return (f"complaints: {filed} filed ({len(escalated)} escalated past their deadline); call-backs {month}: "
            f"{done} of {len(todo)} made")
