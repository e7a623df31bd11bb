"""Writing per-member outcomes: computed in the analytical store (panhuo.measure.outcomes), stored here in bulk."""

from __future__ import annotations

from datetime import date

from panhuo.bulk import bulk_update_rows
from panhuo.campaigns.models import Campaign, CampaignMember, MemberGroup
from panhuo.clients.models import ClientSnapshot
from panhuo.measure.outcomes import MemberRow, member_outcomes


def campaign_outcomes_refresh(*, wh, campaign_id: int, as_of: date) -> int:
    """Recompute every treatment and control member's outcome; safe to run daily (it overwrites)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.launched_at is None or campaign.start is None:
        return 0
    members = list(CampaignMember.objects.filter(campaign=campaign).exclude(group=MemberGroup.EXCLUDED)
                   .select_related("client"))
    styles = dict(ClientSnapshot.objects.filter(is_latest=True, client_id__in=[m.client_id for m in members])
                  .values_list("client_id", "trading_style"))
    rows = [MemberRow(m.client.client_id, styles.get(m.client_id) or "unknown", m.risk_level) for m in members]
    # A window that has not closed yet is measured up to as_of; the report says how far it got.
    window = max(1, min(campaign.window_days, (as_of - campaign.start).days))
    results = {r["client_id"]: r for r in member_outcomes(wh, members=rows, launch=campaign.start, window_days=window,
                                                          measure=campaign.measure, cap=campaign.measure_cap)}
    for m in members:
        r = results[m.client.client_id]
        m.outcome, m.before, m.turnover_flag = r["outcome"], r["before"], r["turnover_flag"]
    bulk_update_rows(members, ["outcome", "before", "turnover_flag"])
    campaign.outcomes_as_of = as_of
    campaign.save(update_fields=["outcomes_as_of"])
    return len(members)


def campaigns_outcomes_refresh(*, wh, as_of: date, on_campaign=None) -> dict[int, int]:
    """Recompute the outcomes of every launched campaign; {campaign id: members measured}.

    Called by the daily run and by `panhuo campaign outcomes`; `on_campaign()` is called after each one.
    """
    from panhuo.campaigns.models import CampaignStatus

    done = {}
    for pk in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).order_by("pk").values_list("pk", flat=True):
        done[pk] = campaign_outcomes_refresh(wh=wh, campaign_id=pk, as_of=as_of)
        if on_campaign is not None:
            on_campaign()
    return done
