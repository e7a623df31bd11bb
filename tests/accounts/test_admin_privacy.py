"""The Django admin keeps client data private: no search or filter on ID number or phone, both masked, every
read of client data audited, and a client with service history cannot be deleted."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils import timezone

from panhuo.audit.models import AuditEvent
from panhuo.clients.models import Client

ID_NUMBER = "110101199001011234"
PHONE = "13856785678"


@pytest.fixture
def admin_client(cast, client):
    Client.objects.filter(client_id="CA001").update(id_number=ID_NUMBER, phone=PHONE)
    client.force_login(cast.users["admin"])
    return client


def _contact(client_code: str):
    from panhuo.clients.models import Contact

    return Contact.objects.create(client=Client.objects.get(client_id=client_code), channel="phone",
                                  outcome="reached", at=timezone.now())


def test_no_model_admin_searches_filters_or_lists_id_number_or_phone():
    def mentions(names) -> list[str]:
        found = []
        for name in names or ():
            name = name if isinstance(name, str) else str(name[0] if isinstance(name, (list, tuple)) else name)
            if any(part.lstrip("^=@") in ("id_number", "phone") for part in name.split("__")):
                found.append(name)
        return found

    offending = {}
    for model, model_admin in admin.site._registry.items():
        for attr in ("search_fields", "list_filter", "list_display", "list_display_links", "fields"):
            hits = mentions(getattr(model_admin, attr, None))
            if hits:
                offending[f"{model._meta.label}.{attr}"] = hits
    assert offending == {}


def test_a_url_cannot_filter_clients_by_phone_or_id_number(admin_client):
    for query in (f"phone={PHONE}", "phone__startswith=138", f"id_number={ID_NUMBER}", "id_number__contains=1990"):
        response = admin_client.get(f"/admin/clients/client/?{query}")
        # Refused (the admin answers a disallowed lookup with 400), never a list that confirms the number.
        assert response.status_code == 400, query
    assert admin_client.get("/admin/clients/contact/?client__phone=1").status_code == 400


def test_searching_the_client_list_for_a_phone_finds_nothing(admin_client):
    response = admin_client.get(f"/admin/clients/client/?q={PHONE}")
    assert response.status_code == 200
    assert "CA001" not in response.content.decode()


def test_id_number_and_phone_only_masked_in_the_admin(admin_client):
    pk = Client.objects.get(client_id="CA001").pk
    page = admin_client.get(f"/admin/clients/client/{pk}/change/").content.decode()
    assert "110***********1234" in page and "138****5678" in page
    assert ID_NUMBER not in page and PHONE not in page
    listing = admin_client.get("/admin/clients/client/").content.decode()
    assert ID_NUMBER not in listing and PHONE not in listing


def test_admin_reads_of_client_data_are_audited(admin_client):
    admin_client.get("/admin/clients/client/")
    listed = AuditEvent.objects.get(action="admin.view", detail__view="list")
    assert listed.username == "admin" and listed.object_type == "client"
    assert sorted(listed.object_ids) == sorted(Client.objects.values_list("client_id", flat=True))

    pk = Client.objects.get(client_id="CA001").pk
    admin_client.get(f"/admin/clients/client/{pk}/change/")
    opened = AuditEvent.objects.get(action="admin.view", detail__view="change")
    assert opened.object_ids == ["CA001"] and opened.detail["model"] == "clients.client"


def test_admin_reads_of_contacts_are_audited_with_the_clients_codes(admin_client):
    contact = _contact("CB001")
    admin_client.get("/admin/clients/contact/")
    admin_client.get(f"/admin/clients/contact/{contact.pk}/change/")
    events = AuditEvent.objects.filter(action="admin.view", detail__model="clients.contact").order_by("id")
    assert [(e.detail["view"], e.object_ids, e.detail["ids"]) for e in events] == [
        ("list", ["CB001"], [str(contact.pk)]), ("change", ["CB001"], [str(contact.pk)])]


def test_a_client_with_service_history_cannot_be_deleted(admin_client):
    _contact("CA001")
    pk = Client.objects.get(client_id="CA001").pk
    response = admin_client.post(f"/admin/clients/client/{pk}/delete/", {"post": "yes"}, follow=True)
    assert Client.objects.filter(client_id="CA001").exists()
    page = response.content.decode()
    assert "未删除" in page and "柜台系统中销户" in page and "联系记录" in page


def test_bulk_delete_is_refused_when_one_client_has_history(admin_client):
    _contact("CA001")
    ids = list(Client.objects.filter(client_id__in=["CA001", "CU001"]).values_list("pk", flat=True))
    response = admin_client.post("/admin/clients/client/",
                                 {"action": "delete_selected", "_selected_action": ids, "post": "yes"}, follow=True)
    assert Client.objects.filter(client_id__in=["CA001", "CU001"]).count() == 2
    assert "未删除" in response.content.decode()


def test_a_client_without_history_can_still_be_deleted(admin_client):
    pk = Client.objects.get(client_id="CU001").pk
    admin_client.post(f"/admin/clients/client/{pk}/delete/", {"post": "yes"})
    assert not Client.objects.filter(client_id="CU001").exists()
