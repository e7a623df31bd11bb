"""A campaign world: the foundation's cast plus 30 clients of Alice and Bob with snapshots and risk levels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

AS_OF = date(2026, 11, 20)
RECENT = date.today() - timedelta(days=100)    # a risk assessment still valid (clients.suitability)
SMS_SCRIPT = "【盘活证券】{name}您好，本周营业部有投资者教育活动，欢迎参加。投资有风险。回复TD退订"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _scripts_approved_by_compliance(request, monkeypatch):
    """Launching waits for compliance's approval of every script (services/review.py). The tests of other
    behaviours launch as if compliance had approved; test_review.py runs the real gate."""
    if request.module.__name__.rsplit(".", 1)[-1] != "test_review":
        monkeypatch.setattr("panhuo.campaigns.services.launch.unapproved_scripts", lambda campaign: [])


@pytest.fixture
def branch_world(cast):
    from panhuo.clients.models import Client, ClientSnapshot

    levels = ["C1", "C2", "C3", "C4", "C5"]
    for n in range(30):
        adv = cast.advisors["alice"] if n % 2 == 0 else cast.advisors["bob"]
        c = Client.objects.create(client_id=f"W{n:03d}", branch=cast.branches["A"], advisor=adv, name=f"客户W{n}",
                                  phone=f"1390000{n:04d}", risk_level=levels[n % 5],
                                  risk_assessed_on=RECENT)
        cast.clients[c.client_id] = c
        ClientSnapshot.objects.create(client=c, as_of=AS_OF, total_assets=10_000 * (n + 1),
                                      tier="vip" if n % 3 == 0 else "mass", lifecycle="dormant",
                                      is_dormant=True, days_since_last_trade=100 + n,
                                      churn_risk=n / 30, features={"max_drawdown": -n / 100})
    return cast
