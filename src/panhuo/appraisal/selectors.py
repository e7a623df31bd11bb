"""Reads: advisors within reach, their targets, progress against them, history and scorecards."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panhuo.accounts.models import Role
from panhuo.appraisal import measures
from panhuo.appraisal.models import ActivityTarget, Scorecard
from panhuo.clients.models import Advisor
from panhuo.clients.registry import ClientPanel
from panhuo.clients.selectors import advisors_for_user, out_of_reach

GROUP_LABELS = {"phone": pgettext_lazy("contact channel", "Phone"), "visit": _("Visit"), "wechat": _("WeChat"),
                "other": _("SMS, email, events")}
CONTACT_FIELDS = {"phone": "phone_per_week", "visit": "visit_per_week", "wechat": "wechat_per_week",
                  "other": "other_per_week"}


def advisor_get_for_user(*, user, advisor_code: str) -> Advisor:
    """One advisor by code within the user's reach (an advisor: themself), else the access rule's 404."""
    try:
        return advisors_for_user(user=user).select_related("branch").get(advisor_id=advisor_code)
    except Advisor.DoesNotExist:
        raise out_of_reach(user=user, object_type="advisor", object_ids=[advisor_code]) from None


def targets_for(*, advisors) -> dict[int, ActivityTarget]:
    """{advisor pk: their targets}; an advisor without a row gets the defaults (unsaved)."""
    advisors = list(advisors)
    rows = {t.advisor_id: t for t in ActivityTarget.objects.filter(advisor__in=advisors)}
    return {a.pk: rows.get(a.pk) or ActivityTarget(advisor=a) for a in advisors}


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


def progress(*, advisors, start: date, end: date, today: date | None = None, cov: dict | None = None,
             targets: dict | None = None) -> list[dict]:
    """One row per advisor over [start, end]: contacts by channel against the weekly targets (scaled to the
    period's length), coverage at the period's end (or today), tasks on time and follow-ups done against theirs.
    `cov` and `targets` may come precomputed (the history computes them once for all its periods)."""
    today = today or timezone.localdate()
    advisors = list(advisors)
    ids = [a.pk for a in advisors]
    weeks = ((end - start).days + 1) / 7
    act = measures.activity(advisor_ids=ids, start=start, end=end, today=today)
    cov = cov if cov is not None else measures.coverage(advisor_ids=ids, as_of=min(end, today))
    targets = targets if targets is not None else targets_for(advisors=advisors)
    rows = []
    for a in advisors:
        t, m = targets[a.pk], act[a.pk]
        contacts = [{"group": g, "label": GROUP_LABELS[g], "done": m["contacts"][g],
                     "target": round(getattr(t, f) * weeks)}
                    for g, f in CONTACT_FIELDS.items()]
        rows.append({
            "advisor": a, "contacts": contacts, "contacts_total": m["contacts_total"],
            "contacts_target": sum(c["target"] for c in contacts),
            "coverage": cov[a.pk]["share"], "covered": cov[a.pk]["covered"], "coverable": cov[a.pk]["total"],
            "coverage_target": t.coverage_pct / 100,
            "on_time": _share(m["on_time"], m["tasks_due"]), "tasks_due": m["tasks_due"],
            "on_time_target": t.on_time_pct / 100,
            "follow_ups": _share(m["follow_ups_done"], m["follow_ups_due"]), "follow_ups_due": m["follow_ups_due"],
            "follow_ups_target": t.follow_ups_pct / 100,
        })
    return rows


def team_total(rows: list[dict]) -> dict:
    """The team's row: sums of contacts and targets; coverage, on-time and follow-ups pooled over the team."""
    def pooled(share: str, base: str):
        n = sum((r[share] or 0) * r[base] for r in rows)
        d = sum(r[base] for r in rows)
        return n / d if d else None
    return {"contacts_total": sum(r["contacts_total"] for r in rows),
            "contacts_target": sum(r["contacts_target"] for r in rows),
            "coverage": pooled("coverage", "coverable"), "on_time": pooled("on_time", "tasks_due"),
            "follow_ups": pooled("follow_ups", "follow_ups_due")}


def history(*, advisors, by: str, periods: int, today: date | None = None) -> list[dict]:
    """The last `periods` weeks or months, newest first: {start, end, rows, team}, computed from the contact and
    task rows (the KPI snapshots keep their own history)."""
    today = today or timezone.localdate()
    advisors = list(advisors)
    spans, day = [], today
    for _period in range(periods):
        start, end = measures.week_of(day) if by == "week" else measures.month_of(day)
        spans.append((start, end))
        day = start - timedelta(days=1)
    covs = measures.coverage_at(advisor_ids=[a.pk for a in advisors], dates=[min(e, today) for _, e in spans])
    targets = targets_for(advisors=advisors)
    out = []
    for start, end in spans:
        rows = progress(advisors=advisors, start=start, end=end, today=today, cov=covs[min(end, today)],
                        targets=targets)
        out.append({"start": start, "end": end, "rows": rows, "team": team_total(rows)})
    return out


def today_targets_panel(*, user) -> ClientPanel | None:
    """Today's small panel for an advisor: a placeholder that loads this week's progress (contacts against the
    targets, coverage, tasks on time) in its own request, so Today's queue costs no query more."""
    if user.role != Role.ADVISOR or user.advisor_id is None:
        return None
    return ClientPanel(name="appraisal", template="appraisal/today_panel_lazy.html",
                       context={"url": reverse("appraisal:today_panel")})


def week_progress(*, advisor) -> dict:
    """The advisor's row for this week (Today's panel)."""
    start, end = measures.week_of(timezone.localdate())
    return progress(advisors=[advisor], start=start, end=end)[0]


def scorecards_for(*, advisor) -> list[Scorecard]:
    return list(Scorecard.objects.filter(advisor=advisor).select_related("signed_by"))


def scorecard_get(*, advisor, month: date) -> Scorecard | None:
    return Scorecard.objects.filter(advisor=advisor, month=month).select_related("signed_by").first()
