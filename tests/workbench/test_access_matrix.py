"""(1) A generated matrix: every scoped user asks for every client out of their reach on every client-scoped
route and in every form — path, query string, POST body, bulk id lists, search, export. Always a 404 (or, for
lists and searches, nothing), none of the other clients' personal data anywhere, and no write; every 404 is an
access.denied event on the audit trail naming the user and the client (or task) asked for."""

from __future__ import annotations

import pytest
from django.db.models import Max

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Client, Task
from tests.workbench.access_table import ALL, REACH
from tests.workbench.helpers import personal_strings, state_fingerprint, xlsx_rows

SCOPED = ["alice", "bob", "charlie", "director_a", "manager_a"]


def _requests(cid: str, task_id: int | None, own: str, phone_last4: str):
    """(method, path, data, expect) for one foreign client; expect 404 or 'hidden' (200 without the client)."""
    contact = {"channel": "phone", "outcome": "interested", "note": "x"}
    yield "get", f"/clients/{cid}/", None, 404
    yield "get", f"/clients/{cid}/contact/", None, 404
    yield "post", f"/clients/{cid}/contact/", contact, 404
    yield "post", f"/clients/{cid}/contact/", {"channel": "bogus"}, 404          # invalid form: still 404
    yield "post", f"/clients/{cid}/unmask/", {"field": "phone", "reason": "review"}, 404
    yield "post", f"/clients/{cid}/unmask/", {"field": "id_number", "reason": ""}, 404
    yield "post", f"/clients/{cid}/plan/", {"text": "hijack", "goals": "g"}, 404
    yield "get", f"/clients/export/?ids={cid}", None, 404
    yield "get", f"/clients/export/?ids={own}&ids={cid}", None, 404                # a bulk list never half-succeeds
    if task_id is not None:
        yield "post", f"/tasks/{task_id}/", {"action": "done"}, 404
        yield "post", f"/tasks/{task_id}/", {"action": "snooze", "days": "3"}, 404
        # The foreign task id smuggled in the POST body of a contact on one's own client is ignored.
        yield "post", f"/clients/{own}/contact/", {**contact, "task_id": str(task_id)}, "own-write"
    yield "get", f"/clients/?q={cid}", None, "hidden"
    yield "get", f"/clients/?q={phone_last4}", None, "hidden"
    yield "get", f"/clients/?q=客户{cid}", None, "hidden"
    yield "get", f"/clients/export/?q={cid}", None, "hidden-xlsx"
    yield "get", "/clients/export/", None, "hidden-xlsx"
    yield "get", "/clients/", None, "hidden"
    yield "get", "/today/", None, "hidden"
    yield "get", "/funnel/", None, "hidden"


def _cases():
    for username in SCOPED:
        for cid in ALL:
            if cid not in REACH[username]:
                yield username, cid


@pytest.mark.parametrize(("username", "cid"), list(_cases()), ids=[f"{u}-{c}" for u, c in _cases()])
def test_out_of_reach_client_is_invisible_everywhere(world, client, username, cid):
    user = world.users[username]
    client.force_login(user)
    foreign = Client.objects.get(client_id=cid)
    secrets = personal_strings(foreign)
    own = REACH[username][0]
    task = Task.objects.filter(client=foreign).order_by("pk").first()
    for method, path, data, expect in _requests(cid, task.pk if task else None, own, foreign.phone[-4:]):
        before = state_fingerprint()
        seen = AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0
        foreign_task_status = task.status if task else None
        response = getattr(client, method)(path, data or {})
        body = response.content.decode("utf-8", "replace") if expect != "hidden-xlsx" else \
            repr(xlsx_rows(response.content))
        if expect == 404:
            assert response.status_code == 404, (method, path, response.status_code)
            assert state_fingerprint() == before, (method, path, "wrote")
            # ...and the refusal is on the audit trail, with the user and what they asked for.
            target = [str(task.pk)] if path.startswith("/tasks/") else [cid]
            denied = list(AuditEvent.objects.filter(action="access.denied", seq__gt=seen)
                          .values_list("username", "object_ids"))
            assert denied == [(username, target)], (method, path, denied)
        elif expect == "own-write":
            assert response.status_code == 302, (method, path, response.status_code)
            task.refresh_from_db()
            assert task.status == foreign_task_status, "a foreign task changed through a smuggled id"
        else:
            assert response.status_code == 200, (method, path, response.status_code)
            assert state_fingerprint() == before, (method, path, "wrote")
        if "?q=" in path:   # the search box echoes what the user typed; that is not a leak
            body = body.replace(f'value="{path.split("?q=")[1]}"', "")
        leaked = [s for s in secrets if s in body]
        assert leaked == [], (method, path, leaked)


@pytest.mark.parametrize("username", ["alice", "bob", "charlie", "director_a"])
def test_naming_an_advisor_out_of_reach_is_a_404(world, client, username):
    client.force_login(world.users[username])
    others = {"alice": "A02", "bob": "A01", "charlie": "A01", "director_a": "A03"}[username]
    for path in (f"/clients/?advisor={others}", f"/funnel/?advisor={others}", f"/clients/export/?advisor={others}"):
        assert client.get(path).status_code == 404, path


def test_a_director_cannot_reassign_another_branchs_clients_or_to_its_advisors(world, client):
    client.force_login(world.users["director_a"])
    before = state_fingerprint()
    assert client.post("/branch/reassign/", {"client_ids": ["CC001"], "advisor": "A01"}).status_code == 404
    assert client.post("/branch/reassign/", {"client_ids": ["CA001", "CC001"], "advisor": "A01"}).status_code == 404
    assert client.post("/branch/reassign/", {"client_ids": ["CA001"], "advisor": "A03"}).status_code == 404
    assert state_fingerprint() == before


def test_reassignment_takes_access_away_on_the_next_request(world, client):
    bob = world.users["bob"]
    client.force_login(bob)
    assert client.get("/clients/CB001/").status_code == 200
    from django.test import Client as HttpClient
    director = HttpClient()
    director.force_login(world.users["director_a"])
    response = director.post("/branch/reassign/", {"client_ids": ["CB001"], "advisor": "A01"})
    assert response.status_code == 302
    assert client.get("/clients/CB001/").status_code == 404                       # same session, next request
    assert "CB001" not in client.get("/today/").content.decode()
    assert Task.objects.filter(client__client_id="CB001", status="open").exclude(advisor__advisor_id="A01").count() == 0
    alice = HttpClient()
    alice.force_login(world.users["alice"])
    assert alice.get("/clients/CB001/").status_code == 200
