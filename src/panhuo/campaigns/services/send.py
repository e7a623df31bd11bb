"""Sending one campaign step to the treatment members on SMS / email, exactly once per client x step x channel.

Order of work for each message: read consent and do-not-contact NOW (an opt-out that arrived a second ago
wins), claim the attempt row by its idempotency key and commit, then call the provider, then record the result
and log the contact. A crash after the provider call leaves a pending row with tries > 0: a retry sends it
again only through a sender that dedupes on the key (the SMS gateway); an email is left for review.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from panhuo.campaigns.models import Campaign, CampaignMember, MemberGroup, SendAttempt, SendStatus
from panhuo.campaigns.selectors import market_regime_zh
from panhuo.clients.consent import consent_state, unsubscribe_token
from panhuo.clients.models import Client, ClientSeries, Contact, ContactPoint, HoldoutMember, Outcome
from panhuo.outreach.scripts import render_script
from panhuo.outreach.senders import Sender, SendError

MESSAGE_CHANNELS = ("sms", "email")


def idempotency_key(*, campaign_id: int, client_id: str, step: int, channel: str) -> str:
    return f"c{campaign_id}-{client_id}-s{step}-{channel}"


def in_quiet_hours(campaign: Campaign, now: datetime) -> bool:
    t = timezone.localtime(now).time()
    return not (campaign.quiet_start <= t < campaign.quiet_end)


def _address(client: Client, channel: str) -> str:
    point = ContactPoint.objects.filter(client=client, channel=channel).values_list("address", flat=True).first()
    return point or (client.phone if channel == "sms" else "")


def _text(campaign: Campaign, client: Client, channel: str, regime: str, script: str | None = None) -> str:
    series = ClientSeries.objects.filter(client=client).first()
    text = render_script(campaign.script if script is None else script, name=client.name, positions=series.positions if series else [],
                         regime=regime)
    if channel == "email":
        base = getattr(settings, "PANHUO_BASE_URL", "http://localhost:8000").rstrip("/")
        link = base + reverse("campaigns:unsubscribe", args=[unsubscribe_token(client=client, channel="email")])
        text += f"\n\n退订 / Unsubscribe: {link}"
    return text


def campaign_send_step(*, campaign_id: int, step: int, senders: dict[str, Sender], now: datetime | None = None,
                       regime: str = "") -> dict:
    """Send step `step` on every message channel the campaign uses. Returns counts by status. {regime} is the
    latest market day's regime unless given. Without `now` the clock is live: the contact hours are checked again
    before each message, so a long run that reaches their end defers the rest to the next run."""
    live = now is None
    now = now or timezone.now()
    campaign = Campaign.objects.get(pk=campaign_id)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "already": 0, "review": 0, "deferred": 0, "capped": 0}
    if campaign.launched_at is None:
        raise ValueError("campaign not launched")
    scripts = campaign.step_scripts(step)          # this step's channels and their own scripts
    channels = [c for c in campaign.channels if c in MESSAGE_CHANNELS and c in senders and c in scripts]
    members = list(CampaignMember.objects.filter(campaign=campaign, group=MemberGroup.TREATMENT)
                   .select_related("client").order_by("client__client_id"))
    if in_quiet_hours(campaign, now):
        counts["deferred"] = len(members) * len(channels)
        return counts
    regime = regime or market_regime_zh()
    for channel in channels:
        sender = senders[channel]
        for m in members:
            if live and in_quiet_hours(campaign, timezone.now()):
                counts["deferred"] += 1                # nothing claimed: the next run inside the hours sends it
                continue
            counts[_send_one(campaign, m, channel, step, sender, regime, now)] += 1
    return counts


def _over_cap(campaign: Campaign, m: CampaignMember, step: int, now: datetime) -> bool:
    """The client-contact cap (N contacts in M days) checked again at each send, since contacts made after the
    launch (earlier steps, advisors' calls) count too; this step's own messages on other channels do not."""
    this_step = SendAttempt.objects.filter(campaign=campaign, member=m, step=step, contact__isnull=False)
    recent = (Contact.objects.filter(client_id=m.client_id, at__gte=now - timedelta(days=campaign.client_cap_days))
              .exclude(pk__in=this_step.values("contact_id"))
              # a message the gateway never delivered did not reach the client (a missed call still counts)
              .exclude(channel__in=MESSAGE_CHANNELS, outcome=Outcome.NOT_REACHED).count())
    return recent >= campaign.client_cap_contacts


def _claim(campaign: Campaign, m: CampaignMember, channel: str, step: int) -> tuple[SendAttempt, bool]:
    key = idempotency_key(campaign_id=campaign.pk, client_id=m.client.client_id, step=step, channel=channel)
    try:
        with transaction.atomic():
            return SendAttempt.objects.create(idempotency_key=key, campaign=campaign, member=m, channel=channel,
                                              step=step), True
    except IntegrityError:
        return SendAttempt.objects.get(idempotency_key=key), False


def _send_one(campaign: Campaign, m: CampaignMember, channel: str, step: int, sender: Sender, regime: str,
              now: datetime) -> str:
    attempt, new = _claim(campaign, m, channel, step)
    if attempt.status in (SendStatus.SENT, SendStatus.SKIPPED):
        return "already"
    if attempt.status == SendStatus.FAILED and attempt.error.startswith("permanent"):
        return "already"
    if not new and attempt.status == SendStatus.PENDING and attempt.tries > 0 and not sender.dedupes:
        return "review"                                # it may have gone out; never send an email twice
    client = Client.objects.get(pk=m.client_id)        # fresh: do-not-contact may have changed since launch
    refused = consent_state(client_ids=[client.pk], channel=channel).get(client.pk) is False
    address = _address(client, channel)
    if client.do_not_contact or refused or not address:
        attempt.status = SendStatus.SKIPPED
        attempt.error = "do_not_contact" if client.do_not_contact else ("opted_out" if refused else "no_address")
        attempt.save(update_fields=["status", "error"])
        return "skipped"
    if HoldoutMember.objects.filter(client_id=client.pk, draw__start__lte=now.date(), draw__end__gt=now.date()).exists():
        # drawn into the branch's long-term holdout after this campaign launched: never invited from now on
        attempt.status, attempt.error = SendStatus.SKIPPED, "holdout"
        attempt.save(update_fields=["status", "error"])
        return "skipped"
    if _over_cap(campaign, m, step, now):
        attempt.status, attempt.error = SendStatus.SKIPPED, "contact_cap"
        attempt.save(update_fields=["status", "error"])
        return "capped"
    # Claim this try atomically, committed before the provider call: of two overlapping runs that both read
    # the same attempt, only one moves `tries` on and sends; the other leaves it alone.
    if not SendAttempt.objects.filter(pk=attempt.pk, tries=attempt.tries).update(tries=F("tries") + 1):
        return "already"
    attempt.tries += 1
    try:
        provider_id = sender.send(to=address, text=_text(campaign, client, channel, regime, campaign.step_scripts(step).get(channel)),
                                  key=attempt.idempotency_key, subject=campaign.name)
    except SendError as e:
        attempt.status = SendStatus.FAILED
        attempt.error = (f"permanent: {e}" if e.permanent else str(e))[:300]
        attempt.contact = Contact.objects.create(client=client, advisor_id=client.advisor_id, channel=channel,
                                                 outcome=Outcome.NOT_REACHED, note=f"campaign {campaign.pk}: {e}"[:4000],
                                                 at=timezone.now())
        attempt.save(update_fields=["status", "error", "contact"])
        return "failed"
    with transaction.atomic():
        attempt.status, attempt.provider_id, attempt.sent_at = SendStatus.SENT, provider_id[:80], timezone.now()
        attempt.error = ""
        attempt.contact = Contact.objects.create(client=client, advisor_id=client.advisor_id, channel=channel,
                                                 outcome=Outcome.REACHED, note=f"campaign {campaign.pk} step {step}",
                                                 at=attempt.sent_at)
        attempt.save(update_fields=["status", "provider_id", "sent_at", "error", "contact"])
    return "sent"
