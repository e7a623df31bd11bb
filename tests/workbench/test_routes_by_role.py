"""(2) Every workbench route × every role, the expected answer computed from the permissions table.

The client is CA001 (alice's, branch A). Each route names the capability it needs (accounts.permissions) and the
client it touches; the answer is 404 when the client is out of the user's reach (tests/workbench/access_table.py,
written by hand), else 403 when the user's role lacks the capability, else the route's own answer (200 shown,
302 done and redirected). A write must happen exactly when the answer is 302. Changing ROLE_CAPABILITIES changes
what this test expects.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.urls import get_resolver

from panhuo.accounts.permissions import Capability, can
from panhuo.clients.models import AssignmentConflict, Client, Contact, Task
from tests.workbench.access_table import REACH, ROLES


def _contact_written():
    return Contact.objects.filter(client__client_id="CA001", note="role-table").exists()


def _task_snoozed():
    return Task.objects.filter(client__client_id="CA001", status="snoozed", kind="churn_risk").exists()


def _conflict_settled():
    return AssignmentConflict.objects.filter(client__client_id="CA001", status="kept").exists()


def _reassigned():
    return Client.objects.get(client_id="CA001").advisor.advisor_id == "A02"


class Route(NamedTuple):
    name: str
    method: str
    path: str
    data: dict | None = None
    written: object = None            # () -> bool: did the write happen?
    needs: Capability | None = None   # None: any logged-in user
    client: str | None = None         # the client the route touches (its reach is checked first)
    ok: int = 200

    def expect(self, user, username: str) -> int:
        if self.client is not None and self.client not in REACH[username]:
            return 404
        if self.needs is not None and not can(user, self.needs):
            return 403
        return self.ok


TABLE = [
    Route("today", "get", "/today/"),
    Route("clients", "get", "/clients/"),
    Route("clients_export", "get", "/clients/export/"),
    Route("client", "get", "/clients/CA001/", client="CA001"),
    Route("client_contact", "get", "/clients/CA001/contact/", client="CA001"),
    Route("client_contact", "post", "/clients/CA001/contact/",
          {"channel": "phone", "outcome": "reached", "note": "role-table"}, _contact_written, Capability.SERVE,
          "CA001", 302),
    Route("client_unmask", "post", "/clients/CA001/unmask/", {"field": "phone", "reason": "call back"},
          needs=Capability.UNMASK, client="CA001"),
    # (done asks for the outcome on the client's page and writes nothing: tests/workbench/test_today_rows.py)
    Route("task_action", "post", "/tasks/{task}/", {"action": "snooze", "days": "3"}, _task_snoozed, Capability.SERVE,
          "CA001", 302),
    Route("funnel", "get", "/funnel/"),
    Route("branch", "get", "/branch/", needs=Capability.SEE_BRANCH),
    Route("reassign", "post", "/branch/reassign/", {"client_ids": ["CA001"], "advisor": "A02"}, _reassigned,
          Capability.REASSIGN, ok=302),
    Route("settle_conflict", "post", "/branch/conflicts/{conflict}/settle/", {"choice": "keep"}, _conflict_settled,
          Capability.REASSIGN, ok=302),
]


def test_the_table_covers_every_workbench_route():
    resolver = next(r for r in get_resolver().url_patterns if getattr(r, "app_name", None) == "workbench")
    routes = {p.name for p in resolver.url_patterns}
    assert routes == {row[0] for row in TABLE}


CASES = [(row, role) for row in TABLE for role in ROLES]


@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{r.name}-{r.method}-{role}" for r, role in CASES])
def test_route_and_role(world, client, row, role):
    name, method, path, data, written = row.name, row.method, row.path, row.data, row.written
    code = row.expect(world.users[role], role)
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk", status="open")
    conflict = AssignmentConflict.objects.create(client=Client.objects.get(client_id="CA001"),
                                                 kept_advisor_code="A01", backoffice_advisor_code="A02")
    client.force_login(world.users[role])
    response = getattr(client, method)(path.format(task=task.pk, conflict=conflict.pk), data or {})
    assert response.status_code == code, (name, role, response.status_code)
    if written is not None:
        assert written() == (code == 302), (name, role, "write did not match the table")
    if name == "client_unmask" and code == 200:
        assert response.content.decode().count(Client.objects.get(client_id="CA001").phone) == 1


def _flipped(row, role) -> bool:
    """Cases for the same route with `role`'s answer to `row.needs` turned around: every view must follow the
    table, not a copy of it. Left out: an advisor given reassignment still reaches only their own advisor record,
    so those answers are 404s by reach."""
    if row.needs is None or (row.client is not None and row.client not in REACH[role]):
        return False
    return not (row.needs == Capability.REASSIGN and role in ("alice", "bob", "charlie"))


FLIPS = [(row, role) for row in TABLE for role in ROLES if _flipped(row, role)]


@pytest.mark.parametrize(("row", "role"), FLIPS, ids=[f"{r.name}-{r.method}-{role}" for r, role in FLIPS])
def test_route_follows_a_changed_table(world, client, monkeypatch, row, role):
    from panhuo.accounts import permissions

    user = world.users[role]
    held = permissions.ROLE_CAPABILITIES[user.role]
    monkeypatch.setitem(permissions.ROLE_CAPABILITIES, user.role, held ^ {row.needs})
    code = row.expect(user, role)
    assert code == (403 if row.needs in held else row.ok)
    task = Task.objects.get(client__client_id="CA001", kind="churn_risk", status="open")
    conflict = AssignmentConflict.objects.create(client=Client.objects.get(client_id="CA001"),
                                                 kept_advisor_code="A01", backoffice_advisor_code="A02")
    client.force_login(user)
    response = getattr(client, row.method)(row.path.format(task=task.pk, conflict=conflict.pk), row.data or {})
    assert response.status_code == code, (row.name, role, response.status_code)
    if row.written is not None:
        assert row.written() == (code == 302), (row.name, role, "write did not match the changed table")
