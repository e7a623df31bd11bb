"""(3) List, search and export counts equal the assignment table; export masks and neutralises formulas;
every view and export is audited; unmasking needs a reason."""

from __future__ import annotations

import pytest

from panhuo.audit.models import AuditEvent
from panhuo.clients.masking import mask_phone
from panhuo.clients.models import Client
from panhuo.formatting import safe_cell
from tests.workbench.access_table import REACH, ROLES
from tests.workbench.helpers import xlsx_rows


@pytest.mark.parametrize("role", ROLES)
def test_list_and_export_hold_exactly_the_assigned_clients(world, client, role):
    client.force_login(world.users[role])
    response = client.get("/clients/")
    assert response.context["page"].paginator.count == len(REACH[role])
    assert sorted(r["client_id"] for r in response.context["rows"]) == sorted(REACH[role])
    rows = xlsx_rows(client.get("/clients/export/").content)
    assert sorted(r[0] for r in rows[1:]) == sorted(REACH[role])
    ev = AuditEvent.objects.filter(action="clients.export").first()
    assert (ev.username, ev.role, sorted(ev.object_ids)) == (role, world.users[role].role, sorted(REACH[role]))


@pytest.mark.parametrize("role", ["alice", "director_a", "compliance"])
def test_search_by_name_code_and_last_four_phone_digits(world, client, role):
    client.force_login(world.users[role])
    for cid in REACH[role]:
        c = Client.objects.get(client_id=cid)
        for q in (c.phone[-4:], cid, c.name, cid.lower()):
            found = client.get("/clients/", {"q": q}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-results")
            ids = [r["client_id"] for r in found.context["rows"]]
            assert ids == [cid], (q, ids)


def test_filters_and_sorting(world, client):
    client.force_login(world.users["director_a"])
    vip = [r["client_id"] for r in client.get("/clients/", {"tier": "vip", "sort": "client"}).context["rows"]]
    assert vip == ["CA001", "CA003", "CB002"]                          # odd-numbered clients of branch A
    dormant = [r["client_id"] for r in client.get("/clients/", {"lifecycle": "dormant"}).context["rows"]]
    assert dormant == ["CA003"]
    assert sorted(r["client_id"] for r in client.get("/clients/", {"advisor": "A02"}).context["rows"]) == ["CA003", "CB001"]
    assert [r["client_id"] for r in client.get("/clients/", {"advisor": "none"}).context["rows"]] == ["CU001"]
    assert [r["client_id"] for r in client.get("/clients/", {"stage": "none"}).context["rows"]] == ["CU001"]
    by_assets = [r["client_id"] for r in client.get("/clients/", {"sort": "-assets"}).context["rows"]]
    assert by_assets == ["CU001", "CB002", "CB001", "CA003", "CA002", "CA001"]
    partial = client.get("/clients/", {"tier": "vip"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="client-results")
    assert b"<html" not in partial.content and b"CA003" in partial.content


def test_lists_show_phones_masked(world, client):
    client.force_login(world.users["alice"])
    body = client.get("/clients/").content.decode()
    ca001 = Client.objects.get(client_id="CA001")
    assert ca001.phone not in body and mask_phone(ca001.phone) in body


def test_export_neutralises_formulas_and_masks_phones(world, client):
    Client.objects.filter(client_id="CA001").update(name='=HYPERLINK("http://evil","x")')
    Client.objects.filter(client_id="CA002").update(name="@SUM(1+1)")
    client.force_login(world.users["alice"])
    rows = {r[0]: r for r in xlsx_rows(client.get("/clients/export/").content)[1:]}
    assert rows["CA001"][1] == '\'=HYPERLINK("http://evil","x")'
    assert rows["CA002"][1] == "'@SUM(1+1)"
    assert rows["CA001"][2] == mask_phone(Client.objects.get(client_id="CA001").phone)
    assert rows["CA001"][7] == 100_000                                   # numbers stay numbers
    assert [safe_cell(v) for v in ("-1", "+1", "\t=x", -5.0, "ok")] == ["'-1", "'+1", "'\t=x", -5.0, "ok"]


def test_export_reads_like_the_page_codes_as_words_numbers_formatted(world, client):
    """Tier and lifecycle as the page writes them (VIP客户, 休眠), never `vip` or `dormant`; amounts and risk with
    number formats; a frozen, filterable header and set column widths."""
    import io

    from openpyxl import load_workbook

    client.force_login(world.users["director_a"])
    ws = load_workbook(io.BytesIO(client.get("/clients/export/").content)).active
    cells = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert not {"vip", "mass", "active", "dormant"} & set(cells)
    assert {"VIP客户", "休眠", "活跃"} <= set(cells)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:K1"
    assert ws["H2"].number_format == "#,##0.00" and ws["J2"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width >= 12


def test_every_client_page_view_is_audited(world, client):
    client.force_login(world.users["compliance"])
    client.get("/clients/CB001/")
    ev = AuditEvent.objects.filter(action="client.view").first()
    assert (ev.username, ev.role, ev.object_ids, ev.outcome) == ("compliance", "compliance", ["CB001"], "ok")
    client.get("/clients/")
    assert AuditEvent.objects.filter(action="clients.list").first().object_ids  # the clients on the page
    client.force_login(world.users["alice"])
    client.get("/today/")
    assert set(AuditEvent.objects.filter(action="today.view").first().object_ids) <= set(REACH["alice"])


def test_the_360_page_masks_and_unmasking_needs_a_reason_and_is_audited(world, client):
    c = Client.objects.get(client_id="CA001")
    client.force_login(world.users["alice"])
    page = client.get("/clients/CA001/").content.decode()
    assert c.phone not in page and c.id_number not in page
    assert f"{c.id_number[:3]}{'*' * 11}{c.id_number[-4:]}" in page
    assert client.post("/clients/CA001/unmask/", {"field": "id_number", "reason": ""}).status_code == 400
    assert client.get("/clients/CA001/unmask/").status_code == 405          # never by GET
    r = client.post("/clients/CA001/unmask/", {"field": "id_number", "reason": "开户资料核对"})
    assert c.id_number in r.content.decode()
    ev = AuditEvent.objects.filter(action="client.unmask").first()
    assert (ev.username, ev.object_ids, ev.detail) == ("alice", ["CA001"],
                                                       {"field": "id_number", "reason": "开户资料核对"})
    client.force_login(world.users["admin"])
    assert client.post("/clients/CA001/unmask/", {"field": "phone", "reason": "curious"}).status_code == 403
    assert AuditEvent.objects.filter(action="client.unmask").first().outcome == "denied"
