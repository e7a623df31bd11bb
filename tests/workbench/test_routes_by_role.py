"""(2) Every workbench route × every role against an explicit table of what each role may do.

The client is CA001 (alice's, branch A). Codes: 200 shown, 302 done and redirected, 403 seen but not
allowed, 404 out of reach. A write must happen exactly when the table allows it.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from panhuo.clients.models import AssignmentConflict, Client, Contact, ServicePlan, Task
from tests.workbench.access_table import ROLES

A, B, C, D, M, CO, AD = "alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"


def _expect(**codes):
    return [codes[r] for r in ROLES]


def _contact_written():
    return Contact.objects.filter(client__client_id="CA001", note="role-table").exists()


def _plan_written():
    return ServicePlan.objects.filter(client__client_id="CA001", text="role-table").exists()


def _task_done():
    return Task.objects.filter(client__client_id="CA001", status="done", kind="churn_risk").exists()


def _conflict_settled():
    return AssignmentConflict.objects.filter(client__client_id="CA001", status="kept").exists()


def _reassigned():
    return Client.objects.get(client_id="CA001").advisor.advisor_id == "A02"


# name, method, path, data, written?, {role: code}
TABLE = [
    ("today", "get", "/today/", None, None, _expect(alice=200, bob=200, charlie=200, director_a=200, manager_a=200,
                                                    compliance=200, admin=200)),
    ("clients", "get", "/clients/", None, None, _expect(alice=200, bob=200, charlie=200, director_a=200,
                                                        manager_a=200, compliance=200, admin=200)),
    ("clients_export", "get", "/clients/export/", None, None, _expect(alice=200, bob=200, charlie=200,
                                                                      director_a=200, manager_a=200, compliance=200,
                                                                      admin=200)),
    ("client", "get", "/clients/CA001/", None, None, _expect(alice=200, bob=404, charlie=404, director_a=200,
                                                             manager_a=200, compliance=200, admin=200)),
    ("client_contact", "get", "/clients/CA001/contact/", None, None,
     _expect(alice=200, bob=404, charlie=404, director_a=200, manager_a=200, compliance=200, admin=200)),
    ("client_contact", "post", "/clients/CA001/contact/",
     {"channel": "phone", "outcome": "reached", "note": "role-table"}, _contact_written,
     _expect(alice=302, bob=404, charlie=404, director_a=302, manager_a=302, compliance=403, admin=403)),
    ("client_unmask", "post", "/clients/CA001/unmask/", {"field": "phone", "reason": "call back"}, None,
     _expect(alice=200, bob=404, charlie=404, director_a=200, manager_a=200, compliance=200, admin=403)),
    ("client_plan", "post", "/clients/CA001/plan/", {"text": "role-table", "goals": ""}, _plan_written,
     _expect(alice=302, bob=404, charlie=404, director_a=302, manager_a=403, compliance=403, admin=403)),
    ("task_action", "post", "/tasks/{task}/", {"action": "done"}, _task_done,
     _expect(alice=302, bob=404, charlie=404, director_a=302, manager_a=302, compliance=403, admin=403)),
    ("funnel", "get", "/funnel/", None, None, _expect(alice=200, bob=200, charlie=200, director_a=200,
                                                      manager_a=200, compliance=200, admin=200)),
    ("branch", "get", "/branch/", None, None, _expect(alice=403, bob=403, charlie=403, director_a=200,
                                                      manager_a=200, compliance=200, admin=200)),
    ("reassign", "post", "/branch/reassign/", {"client_ids": ["CA001"], "advisor": "A02"}, _reassigned,
     _expect(alice=403, bob=403, charlie=403, director_a=302, manager_a=302, compliance=403, admin=403)),
    ("settle_conflict", "post", "/branch/conflicts/{conflict}/settle/", {"choice": "keep"}, _conflict_settled,
     _expect(alice=403, bob=403, charlie=403, director_a=302, manager_a=302, compliance=403, admin=403)),
]


def test_the_table_covers_every_workbench_route():
    resolver = next(r for r in get_resolver().url_patterns if getattr(r, "app_name", None) == "workbench")
    routes = {p.name for p in resolver.url_patterns}
    assert routes == {row[0] for row in TABLE}


CASES = [(row, role, code) for row in TABLE for role, code in zip(ROLES, row[5], strict=True)]


@pytest.mark.parametrize(("row", "role", "code"), CASES,
                         ids=[f"{r[0]}-{r[1]}-{role}" for r, role, _ in CASES])
def test_route_and_role(world, client, row, role, code):
    name, method, path, data, written, _ = row
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
