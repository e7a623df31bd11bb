"""The demo's months of advisor work (clients.registry demo seeder, run by `panhuo demo` after the daily run).

Each advisor with a log-in works part of their book over the ~6 months before the data date and on to today,
through `contact_log` (the record, the funnel move, the follow-up, the audit), in time order:

- a client who traded in that period is called a few days before a trading day and is interested (funnel B);
  some were reached earlier (A). The day's trades then confirm C and D (`funnel_confirm_from_trades`), so the
  funnel moves A → B → C → D as it would have;
- a client who did not trade is reached, not reached or declines;
- the open campaign tasks (the campaigns seeder runs first) are worked on their due day, most of them; the rest
  of a campaign long over are handed back, those of the running one stay on Today;
- the last weeks' contacts agree a follow-up for some clients, so Today shows follow-ups.

Finally the contacts are copied into the warehouse (as the daily run does), so the branch figures count them.
Deterministic for the seed; a second run adds nothing (a branch that has contacts is left alone).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can
from panhuo.clients.models import OPEN_STATUSES, Channel, Client, Contact, Outcome, Task, TaskKind
from panhuo.workbench.services.contacts import contact_log
from panhuo.workbench.services.contacts_export import contacts_export
from panhuo.workbench.services.funnel import funnel_confirm_from_trades
from panhuo.workbench.services.tasks import task_act

MONTHS_BACK = 6
CLIENTS_PER_ADVISOR = 45        # clients each advisor worked in the period (a few contacts each)
NOTES_INTERESTED = ["客户对近期行情感兴趣，约好下周再聊", "看了持仓，客户打算调整仓位", "客户想了解新股申购"]
NOTES_REACHED = ["例行回访，客户暂无操作打算", "提醒客户关注风险等级测评有效期", "客户在外地，月底再联系"]
NOTES_DECLINED = ["客户表示暂不考虑", "客户资金另有安排"]


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 15, 30, 45)))))


def _plan(client: Client, start: date, end: date, rng: random.Random) -> list[tuple[date, str, str]]:
    """(day, outcome, note) for one client, in time order."""
    series = getattr(client, "series", None)
    trades = sorted(d for d in (date.fromisoformat(s) for s in (series.trade_days if series else []))
                    if start + timedelta(days=14) <= d <= end)
    if trades and rng.random() < 0.7:
        trade = trades[rng.randrange(len(trades))]
        called = trade - timedelta(days=rng.randint(2, 9))
        out = [(called, Outcome.INTERESTED, rng.choice(NOTES_INTERESTED))]
        if rng.random() < 0.6:
            out.insert(0, (called - timedelta(days=rng.randint(10, 40)), Outcome.REACHED, rng.choice(NOTES_REACHED)))
        return [o for o in out if o[0] >= start]
    days = sorted(start + timedelta(days=rng.randint(0, (end - start).days)) for _ in range(rng.randint(1, 3)))
    out = []
    for d in days:
        r = rng.random()
        outcome = (Outcome.REACHED if r < 0.55 else Outcome.NOT_REACHED if r < 0.85 else
                   Outcome.INTERESTED if r < 0.93 else Outcome.DECLINED)
        note = {Outcome.INTERESTED: NOTES_INTERESTED, Outcome.DECLINED: NOTES_DECLINED}.get(outcome, NOTES_REACHED)
        out.append((d, outcome, rng.choice(note) if outcome != Outcome.NOT_REACHED else ""))
    return out


def demo_contacts(*, as_of: date, seed: int) -> str | None:
    today = timezone.localdate()
    users = [u for u in User.objects.filter(is_active=True, advisor__isnull=False).select_related("advisor")
             .order_by("username") if can(u, Capability.SERVE)]
    if not users or Contact.objects.filter(advisor__in=[u.advisor for u in users]).exists():
        return None
    rng = random.Random(seed)
    start = as_of - timedelta(days=30 * MONTHS_BACK)
    end = max(as_of, today)
    logged = 0
    for user in users:
        # Campaign tasks first, on their due day (most are worked; an advisor misses some).
        for task in (Task.objects.filter(advisor=user.advisor, kind=TaskKind.CAMPAIGN, status__in=OPEN_STATUSES,
                                         due__lte=end).select_related("client").order_by("due", "pk")):
            if rng.random() < 0.75:
                r = rng.random()
                outcome = Outcome.INTERESTED if r < 0.3 else Outcome.REACHED if r < 0.7 else Outcome.NOT_REACHED
                contact_log(user=user, client=task.client, channel=Channel.PHONE, outcome=outcome,
                            note=rng.choice(NOTES_INTERESTED if outcome == Outcome.INTERESTED else NOTES_REACHED)
                            if outcome != Outcome.NOT_REACHED else "", task_id=task.pk,
                            at=_at(task.due, rng))
                logged += 1
            elif task.due < as_of - timedelta(days=30):     # a campaign long over: the rest were handed back
                task_act(user=user, task_id=task.pk, action="hand_back")
        book = list(Client.objects.filter(advisor=user.advisor, do_not_contact=False).select_related("series")
                    .order_by("client_id"))
        for client in rng.sample(book, min(len(book), CLIENTS_PER_ADVISOR)):
            plan = _plan(client, start, end, rng)
            for i, (day, outcome, note) in enumerate(plan):
                follow = None
                if i == len(plan) - 1 and outcome in (Outcome.REACHED, Outcome.INTERESTED) and day >= today - timedelta(days=21):
                    follow = day + timedelta(days=rng.randint(3, 14))
                channel = rng.choice((Channel.PHONE, Channel.PHONE, Channel.WECHAT, Channel.VISIT))
                contact_log(user=user, client=client, channel=channel, outcome=outcome, note=note,
                            next_follow_up=follow, at=_at(day, rng))
                logged += 1
    moved = funnel_confirm_from_trades(as_of=as_of)
    from panhuo.warehouse import open_warehouse

    with open_warehouse() as wh:
        contacts_export(wh=wh)
    return (f"workbench: {logged:,} contacts by {len(users)} advisors over {MONTHS_BACK} months; "
            f"funnel confirmed by trades: C {moved['C']}, D {moved['D']}")
