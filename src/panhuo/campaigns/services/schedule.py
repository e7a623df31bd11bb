"""Which message steps are due, and sending them: what `panhuo campaign run-due` runs from cron.

Step k of a campaign is due `step_days[k-1]` days after its start (the launch day when no start is set) and
nothing is sent after the campaign's end. Only the latest step whose day has come is sent: a run after a gap
(cron down, a late launch) never sends two steps to a client at once. Running it again is harmless: every message is claimed by its
idempotency key, so a step already sent is "already", and a step run outside the contact hours is deferred
(nothing is claimed) and goes out at the first run inside them. Consent, do-not-contact and the contact cap are
read at the moment of each send (services/send.py).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.utils import timezone

from panhuo.campaigns.models import Campaign, CampaignStatus
from panhuo.campaigns.services.send import MESSAGE_CHANNELS, campaign_send_step
from panhuo.outreach.senders import Sender

logger = logging.getLogger(__name__)


def due_steps(campaign: Campaign, today: date) -> list[int]:
    """The step (1-based) to send today: the latest one whose day has come, none after the campaign's end."""
    if campaign.launched_at is None or (campaign.end is not None and today > campaign.end):
        return []
    start = campaign.start or timezone.localtime(campaign.launched_at).date()
    steps = [k for k, days in enumerate(campaign.step_days or [0], start=1)
             if start + timedelta(days=int(days)) <= today]
    return steps[-1:]


def campaigns_run_due(*, senders: dict[str, Sender], now: datetime | None = None) -> list[dict]:
    """Send every due step of every launched campaign with a message channel; one row of counts per step."""
    fixed, now = now, now or timezone.now()      # a given time is used throughout; else each send reads the clock
    today = timezone.localtime(now).date()
    rows = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).order_by("pk"):
        if not any(c in MESSAGE_CHANNELS and c in senders for c in campaign.channels):
            continue
        for step in due_steps(campaign, today):
            try:
                counts = campaign_send_step(campaign_id=campaign.pk, step=step, senders=senders, now=fixed)
            except Exception as exc:     # one broken campaign must not stop the others' messages
                logger.exception("campaign %s step %s: run-due failed", campaign.pk, step)
                counts = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            rows.append({"campaign": campaign.pk, "step": step, **counts})
    return rows
