"""Which message steps are due, and sending them: what `panhuo campaign run-due` runs from cron.

Step k of a campaign is due `step_days[k-1]` days after its start (the launch day when no start is set) and
is not sent after the campaign's end. Running it again is harmless: every message is claimed by its
idempotency key, so a step already sent is "already", and a step run outside the contact hours is deferred
(nothing is claimed) and goes out at the first run inside them. Consent, do-not-contact and the contact cap are
read at the moment of each send (services/send.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from panhuo.campaigns.models import Campaign, CampaignStatus
from panhuo.campaigns.senders import Sender
from panhuo.campaigns.services.send import MESSAGE_CHANNELS, campaign_send_step


def due_steps(campaign: Campaign, today: date) -> list[int]:
    """The steps (1-based) whose day has come and is not past the campaign's end."""
    if campaign.launched_at is None:
        return []
    start = campaign.start or timezone.localtime(campaign.launched_at).date()
    steps = []
    for k, days in enumerate(campaign.step_days or [0], start=1):
        day = start + timedelta(days=int(days))
        if day <= today and (campaign.end is None or day <= campaign.end):
            steps.append(k)
    return steps


def campaigns_run_due(*, senders: dict[str, Sender], now: datetime | None = None) -> list[dict]:
    """Send every due step of every launched campaign with a message channel; one row of counts per step."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rows = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).order_by("pk"):
        if not any(c in MESSAGE_CHANNELS and c in senders for c in campaign.channels):
            continue
        for step in due_steps(campaign, today):
            counts = campaign_send_step(campaign_id=campaign.pk, step=step, senders=senders, now=now)
            rows.append({"campaign": campaign.pk, "step": step, **counts})
    return rows
