"""Branch B001 of the cast made allocatable: every client has a latest snapshot with assets, and a departed
advisor, Dora (A04), still holds two clients. Alice (A01) holds 3, Bob (A02) 2, CU001 has no advisor; so a
preview places three clients and moves no existing relationship of an active advisor."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def branch_a(cast):
    from panhuo.clients.models import Advisor, BranchPolicy, Client, ClientSnapshot

    a = cast.branches["A"]
    dora = Advisor.objects.create(advisor_id="A04", branch=a, name="Dora 多拉", active=False)
    for i in (1, 2):
        cast.clients[f"CD00{i}"] = Client.objects.create(client_id=f"CD00{i}", branch=a, advisor=dora,
                                                         name=f"客户CD00{i}")
    for c in Client.objects.filter(branch=a):
        ClientSnapshot.objects.create(client=c, as_of=date(2026, 11, 30), total_assets=100_000, tier="mass",
                                      trading_style="long_term")
    BranchPolicy.objects.create(branch=a, protection_days=5)
    cast.advisors["dora"] = dora
    return cast


def client_table() -> list[tuple]:
    """Everything an allocation could change on a client, an advisor or a task."""
    from panhuo.clients.models import Advisor, Client, Task

    return (list(Client.objects.order_by("client_id").values_list(
                "client_id", "advisor_id", "assigned_on", "assignment_source"))
            + list(Advisor.objects.order_by("advisor_id").values_list("advisor_id", "active"))
            + list(Task.objects.order_by("pk").values_list("pk", "advisor_id", "kind", "status")))
