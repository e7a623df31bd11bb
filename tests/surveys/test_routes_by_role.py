"""Every surveys route × every role: out of reach 404, without `serve` 403 (computed from the permissions table),
else the page; nothing is written unless the page is shown to a role that may serve."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.models import AuditEvent

ROLES = ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"]
REACH_CA001 = {"alice", "director_a", "manager_a", "compliance", "admin"}     # the cast: CA001 is alice's, branch A
ROUTES = [("GET", "surveys:take", ["CA001", "personality"]), ("GET", "surveys:take", ["CA001", "risk"]),
          ("POST", "surveys:link", ["CA001", "personality"]), ("GET", "surveys:warning", ["CA001"]),
          ("GET", "surveys:take", ["CA001", "needs"]), ("POST", "surveys:link", ["CA001", "needs"])]


@pytest.mark.parametrize(("method", "name", "args"), ROUTES, ids=[f"{m} {n} {a[-1]}" for m, n, a in ROUTES])
@pytest.mark.parametrize("username", ROLES)
def test_route_by_role(client, cast, username, method, name, args):
    user = cast.users[username]
    expected = 404 if username not in REACH_CA001 else 200 if can(user, Capability.SERVE) else 403
    client.force_login(user)
    url = reverse(name, args=args)
    r = client.get(url) if method == "GET" else client.post(url)
    assert r.status_code == expected
    assert AuditEvent.objects.filter(action="questionnaire.link").exists() == (name == "surveys:link" and
                                                                              expected == 200)
