"""The demo's scorecards (clients.registry demo seeder, run by `panhuo demo` after the daily run and the
workbench's contacts): last month's scorecard computed for every advisor of the branch by its service director,
and the first advisor's commented and signed (so the page shows a draft and a locked month)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.accounts.permissions import Capability, can
from panhuo.appraisal import measures
from panhuo.appraisal.models import Scorecard, ScorecardStatus
from panhuo.appraisal.services import scorecard_comment, scorecard_compute, scorecard_sign
from panhuo.clients.models import Advisor


def demo_scorecards(*, as_of: date, seed: int) -> str | None:
    director = next((u for u in User.objects.filter(is_active=True, branch__isnull=False).order_by("username")
                     if can(u, Capability.SIGN_SCORECARD)), None)
    if director is None:
        return None
    month = measures.month_of(timezone.localdate().replace(day=1) - timedelta(days=1))[0]
    advisors = list(Advisor.objects.filter(branch_id=director.branch_id).order_by("advisor_id"))
    cards = []
    for advisor in advisors:
        card = Scorecard.objects.filter(advisor=advisor, month=month).first()
        if card is None or card.status != ScorecardStatus.SIGNED:
            card = scorecard_compute(user=director, advisor=advisor, month=month)
        cards.append(card)
    if cards and cards[0].status != ScorecardStatus.SIGNED:
        card = scorecard_comment(user=director, card=cards[0], comment="本月回访按时完成，继续保持；下月重点跟进休眠客户。")
        scorecard_sign(user=director, card=card)
    return f"appraisal: {len(cards)} scorecards for {month:%Y-%m}, one signed" if cards else None
