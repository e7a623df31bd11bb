"""The REST API: tokens (a digest kept, revocable, expiring), the same access rule and permissions as the pages,
the audit trail, and the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panhuo.api.models import ApiToken
from panhuo.api.services import api_token_issue, api_tokens_revoke
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Contact, Task, TaskKind

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def keys(cast):
    return {name: api_token_issue(user=cast.users[name], name="crm")[1]
            for name in ("alice", "bob", "director_a", "compliance")}


def test_a_token_is_kept_as_a_digest_and_no_token_is_a_401_not_the_login_page(client, cast, keys):
    token = ApiToken.objects.get(user=cast.users["alice"])
    assert keys["alice"] not in (token.digest, token.prefix) and keys["alice"].startswith(token.prefix)
    assert client.get("/api/v1/clients/").status_code == 401                  # not a redirect to the log-in page
    assert client.get("/api/v1/clients/", **bearer("ph_wrong")).status_code == 401
    assert client.get("/api/v1/clients/", **bearer(keys["alice"])).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/clients/", **bearer(keys["alice"])).status_code == 401
    assert api_tokens_revoke(user=cast.users["bob"]) == 1
    assert client.get("/api/v1/clients/", **bearer(keys["bob"])).status_code == 401
    assert AuditEvent.objects.filter(action="api.token.issue").count() == 4
    client.force_login(cast.users["alice"])                                   # a browser session is not a token
    assert client.get("/api/v1/clients/").status_code == 401


def test_an_advisor_reaches_only_their_clients_masked_and_every_read_is_audited(client, cast, keys):
    data = client.get("/api/v1/clients/", **bearer(keys["alice"])).json()
    assert [c["client_id"] for c in data["results"]] == ["CA001", "CA002", "CA003"] and data["count"] == 3
    assert data["results"][0]["phone"] == "138****0001"
    assert client.get("/api/v1/clients/CA001/", **bearer(keys["alice"])).json()["advisor"] == "A01"
    assert client.get("/api/v1/clients/CB001/", **bearer(keys["alice"])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_ids=["CB001"]).exists()
    listed = AuditEvent.objects.get(action="api.clients.list")
    assert listed.object_ids == ["CA001", "CA002", "CA003"] and listed.detail == {"via": "api"}
    director = client.get("/api/v1/clients/", **bearer(keys["director_a"])).json()
    assert {c["client_id"] for c in director["results"]} == {"CA001", "CA002", "CA003", "CB001", "CB002", "CU001"}
    assert client.get("/api/v1/clients/?advisor=A02", **bearer(keys["alice"])).json()["count"] == 0


def test_tasks_are_the_callers_queue(client, cast, keys):
    Task.objects.create(client=cast.clients["CA001"], advisor=cast.advisors["alice"], kind=TaskKind.CHURN_RISK,
                        priority=80, reason_zh="流失风险高", created_on=timezone.localdate())
    Task.objects.create(client=cast.clients["CB001"], advisor=cast.advisors["bob"], kind=TaskKind.CHURN_RISK,
                        priority=80, reason_zh="流失风险高", created_on=timezone.localdate())
    rows = client.get("/api/v1/tasks/", **bearer(keys["alice"])).json()["results"]
    assert [(t["client_id"], t["kind"]) for t in rows] == [("CA001", "churn_risk")]


def test_logging_a_contact_goes_through_the_pages_service(client, cast, keys):
    body = {"client_id": "CA002", "channel": "phone", "outcome": "reached", "note": "API 记录",
            "next_follow_up": str(timezone.localdate() + timedelta(days=3))}
    made = client.post("/api/v1/contacts/", body, content_type="application/json", **bearer(keys["alice"]))
    assert made.status_code == 201 and made.json()["client_id"] == "CA002"
    contact = Contact.objects.get(client=cast.clients["CA002"])
    assert contact.by == cast.users["alice"] and contact.note == "API 记录"
    assert Task.objects.filter(client=cast.clients["CA002"], kind=TaskKind.FOLLOW_UP).exists()   # as on the page
    other = client.post("/api/v1/contacts/", {**body, "client_id": "CB001"}, content_type="application/json",
                        **bearer(keys["alice"]))
    assert other.status_code == 404 and not Contact.objects.filter(client=cast.clients["CB001"]).exists()
    readonly = client.post("/api/v1/contacts/", body, content_type="application/json", **bearer(keys["compliance"]))
    assert readonly.status_code == 403                                        # compliance serves no client
    bad = client.post("/api/v1/contacts/", {**body, "channel": "pigeon"}, content_type="application/json",
                      **bearer(keys["alice"]))
    assert bad.status_code == 400 and "channel" in bad.json()
    listed = client.get("/api/v1/contacts/?client=CA002", **bearer(keys["alice"])).json()["results"]
    assert [c["note"] for c in listed] == ["API 记录"]
    assert client.get("/api/v1/contacts/", **bearer(keys["bob"])).json()["count"] == 0


def test_the_schema_is_openapi_3_and_names_every_endpoint(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.") and schema["info"]["version"] == "1.0.0"
    assert {"/api/v1/clients/", "/api/v1/clients/{client_id}/", "/api/v1/tasks/", "/api/v1/contacts/",
            "/api/v1/campaigns/", "/api/v1/campaigns/{campaign_id}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
