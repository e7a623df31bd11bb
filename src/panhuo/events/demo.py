"""The demo's events (`panhuo demo`, clients.registry): an investor-education class held ten days before the data's
last day, with registrations, attendance and follow-up tasks, and a seminar (解套实战班) tomorrow, full, with a
waiting list and reminders on Today. Everything goes through the services, as the director and compliance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from panhuo.accounts.models import Role, User
from panhuo.clients.models import Branch, Client, ClientSnapshot, Event, EventKind
from panhuo.events import services

EDUCATION_MATERIALS = (
    "一、认识风险：股票价格为什么会波动\n二、仓位与止损：给自己定规矩\n三、识别非法荐股：凡是承诺收益的都要警惕\n"
    "四、适当性：风险测评结果与可投资产品的风险等级\n本课程为投资者教育，不推介任何具体产品。")
SEMINAR_MATERIALS = (
    "一、复盘：被套的原因（追高、满仓、不止损）\n二、处理被套持仓的几种思路及其风险\n三、制定自己的交易纪律\n"
    "提示：以上内容不构成投资建议，投资有风险。")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _staff(branch: Branch):
    """The demo's director and compliance officer: `panhuo demo` creates the demo staff before the seeders run,
    so they are looked up, never created here (creating them would reset the password the demo printed)."""
    director = User.objects.filter(role=Role.DIRECTOR, branch=branch, is_active=True).order_by("pk").first()
    compliance = User.objects.filter(role=Role.COMPLIANCE, is_active=True).order_by("pk").first()
    return director, compliance


def _pick(branch: Branch, n: int, rng, exclude: set[int]) -> list[Client]:
    """Clients with an advisor who may be contacted, dormant or declining ones first (the events' audience)."""
    dormant = set(ClientSnapshot.objects.filter(is_latest=True, client__branch=branch, is_dormant=True)
                  .values_list("client_id", flat=True))
    pool = list(Client.objects.filter(branch=branch, advisor__isnull=False, do_not_contact=False)
                .exclude(pk__in=exclude).order_by("client_id"))
    pool.sort(key=lambda c: (c.pk not in dormant, c.client_id))
    head = pool[: n * 3]
    idx = sorted(rng.choice(len(head), size=min(n, len(head)), replace=False)) if head else []
    return [head[i] for i in idx]


def seed_demo_events(*, as_of: date, seed: int) -> str | None:
    branch = Branch.objects.order_by("branch_id").first()
    if branch is None or Event.objects.filter(branch=branch).exists():
        return None
    rng = np.random.default_rng([seed, 16])
    director, compliance = _staff(branch)
    if director is None or compliance is None:
        return None          # no demo staff: nobody to plan or review an event
    # Held: an investor-education class ten days before the data's last day.
    held_day = as_of - timedelta(days=10)
    held = services.event_create(
        user=director, kind=EventKind.EDUCATION, title="投资者教育：认识风险与理性投资", topic="风险认识、仓位管理、识别非法荐股",
        starts_at=_at(held_day, 14), ends_at=_at(held_day, 16), venue="营业部客户体验中心", online_url="",
        capacity=30, speaker="服务总监", materials=EDUCATION_MATERIALS)
    services.materials_submit(user=director, event=held)
    services.materials_decide(user=compliance, event=held, approve=True)
    chosen = _pick(branch, 24, rng, set())
    regs = [services.event_register(user=director, event=held, client=c, now=_at(held_day - timedelta(days=5), 10))
            for c in chosen]
    came = [r for r, u in zip(regs, rng.random(len(regs)), strict=True) if u < 0.7]
    for i, r in enumerate(came):
        services.event_check_in(user=director, event=held, token_or_code=r.code,
                                now=_at(held_day, 13, 40) + timedelta(minutes=i))
    closed = services.event_close(user=director, event=held, today=timezone.localdate())
    # Upcoming: a seminar tomorrow (the real tomorrow, so the reminders are on today's lists), already full.
    tomorrow = timezone.localdate() + timedelta(days=1)
    seminar = services.event_create(
        user=director, kind=EventKind.SEMINAR, title="解套实战班（第一期）", topic="被套持仓的处理思路与交易纪律",
        starts_at=_at(tomorrow, 19), ends_at=_at(tomorrow, 21), venue="营业部三楼会议室",
        online_url="", capacity=12, speaker="投资顾问团队", materials=SEMINAR_MATERIALS)
    services.materials_submit(user=director, event=seminar)
    services.materials_decide(user=compliance, event=seminar, approve=True)
    for c in _pick(branch, 15, rng, {c.pk for c in chosen}):
        services.event_register(user=director, event=seminar, client=c)
    reminders = services.event_reminders(today=timezone.localdate())
    return (f"events: 1 held ({len(regs)} registered, {len(came)} came, {closed['tasks']} follow-up tasks), "
            f"1 tomorrow ({seminar.registrations.count()} registered or waiting, {reminders} reminders)")
