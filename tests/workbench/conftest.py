"""A workbench world on top of the foundation's cast: every client has personal data, scores, a series, a
contact, a task, a funnel place and a plan, and two clients have changed hands (reassignments).

After the reassignments: alice owns CA001, CA002, CB002; bob owns CB001, CA003; charlie CC001, CC002;
CU001 (branch A) is unassigned.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

AS_OF = date(2026, 11, 20)
OWNERS = {"alice": ["CA001", "CA002", "CB002"], "bob": ["CB001", "CA003"], "charlie": ["CC001", "CC002"]}


def phone_of(n: int) -> str:
    return f"139{n:04d}{7000 + n:04d}"


def id_of(n: int) -> str:
    return f"11010119800101{5000 + n:04d}"


@pytest.fixture
def world(cast):
    from django.utils import timezone

    from panhuo.clients.models import ClientSeries, ClientSnapshot, Contact, ServicePlan
    from panhuo.clients.selectors import client_get_for_user
    from panhuo.workbench.services.clients import client_reassign
    from panhuo.workbench.services.contacts import contact_log
    from panhuo.workbench.services.tasks import tasks_generate

    for n, (cid, client) in enumerate(sorted(cast.clients.items()), start=1):
        client.phone, client.id_number, client.risk_level = phone_of(n), id_of(n), "C3"
        client.save()
        ClientSnapshot.objects.create(
            client=client, as_of=AS_OF, total_assets=100_000 * n, tier="vip" if n % 2 else "mass",
            lifecycle="dormant" if n % 3 == 0 else "active", is_dormant=n % 3 == 0, p_alive=0.6,
            churn_risk=0.8 if n % 3 else 0.1, days_since_last_trade=200 if n % 3 == 0 else 10,
            churn_reasons=[{"zh": f"理由{cid}", "en": f"reason {cid}"}], features={"value_tier": "high"})
        ClientSeries.objects.create(client=client, as_of=AS_OF,
                                    weeks=[["2026-11-15", 100_000.0 * n, 0.0]], transfers=[],
                                    trade_days=["2026-11-10"], positions=[])
        ServicePlan.objects.create(client=client)
    director = cast.users["director_a"]
    client_reassign(user=director, client_ids=["CB002"], advisor_id="A01", on=AS_OF - timedelta(days=20))
    client_reassign(user=director, client_ids=["CA003"], advisor_id="A02", on=AS_OF - timedelta(days=20))
    at = timezone.now() - timedelta(days=1)
    for username, cids in OWNERS.items():
        for cid in cids:
            contact_log(user=cast.users[username], client=client_get_for_user(user=cast.users[username], client_id=cid), channel="phone", outcome="reached",
                        note=f"备注{cid}", next_follow_up=timezone.localdate() + timedelta(days=3), at=at)
    tasks_generate(as_of=timezone.localdate())
    cast.owners = OWNERS
    cast.contacts = Contact.objects
    return cast
