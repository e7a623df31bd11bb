"""The demo seeder: needs surveys, satisfaction answers through links about recent contacts, plans for VIPs;
the same for the same seed, and a second run adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from panhuo.clients.models import ClientSnapshot, Contact, QuestionnaireAnswer, ServicePlanVersion
from panhuo.clients.registry import demo_seeders


def _world(cast):
    today = timezone.localdate()
    for i, (_cid, c) in enumerate(sorted(cast.clients.items())):
        if c.advisor_id is None:
            continue
        c.risk_level, c.risk_assessed_on = "C3", today - timedelta(days=100)
        c.save()
        ClientSnapshot.objects.create(client=c, as_of=today, total_assets=1_000_000 - i, market_value=500_000,
                                      tier="vip" if i % 2 == 0 else "core", position_band="medium")
        Contact.objects.create(client=c, advisor=c.advisor, channel="phone", outcome="reached",
                               at=timezone.now() - timedelta(days=2))


def test_the_seeder_is_registered_and_fills_the_pages_once(cast):
    _world(cast)
    seeder = dict(demo_seeders())["questionnaires"]
    line = seeder(as_of=date.today(), seed=5)
    plans = ServicePlanVersion.objects.count()
    answers = sorted(QuestionnaireAnswer.objects.values_list("client__client_id", "kind", "total"))
    assert plans > 0 and "service plans" in line
    assert all(v.by.advisor_id == v.plan.client.advisor_id for v in ServicePlanVersion.objects.all())
    assert all(a.via == "link" and a.contact_id for a in QuestionnaireAnswer.objects.filter(kind="satisfaction"))
    # Every plan's product actions passed the suitability check (the plan refuses the rest).
    assert all(a.get("allowed", True) for v in ServicePlanVersion.objects.all() for a in v.actions)
    seeder(as_of=date.today(), seed=5)
    assert ServicePlanVersion.objects.count() == plans
    assert sorted(QuestionnaireAnswer.objects.values_list("client__client_id", "kind", "total")) == answers
