"""The audit page and its export: compliance and administrators only, filtered by user, client, action and date,
paginated, in words rather than codes; reading and exporting the trail are audit events themselves."""

from __future__ import annotations

import io
import re
from datetime import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from panhuo.accounts.permissions import Capability, can
from panhuo.audit import services
from panhuo.audit.models import AuditEvent
from panhuo.audit.services import audit_record
from panhuo.audit.verify import audit_verify

# Who may open the audit page is the permissions table's read_audit (compliance and administrators today; no one
# serving clients, tests/accounts/test_permissions.py); the answers below are computed from it.
USERS = ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"]


def _code(user) -> int:
    return 200 if can(user, Capability.READ_AUDIT) else 403


def _text(html: str) -> str:
    """What a reader sees: the page without tags (attribute values such as <option value> are not text)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def trail(cast):
    u = cast.users
    audit_record(user=u["alice"], action="client.view", object_type="client", object_ids=["CA001"])
    audit_record(user=u["alice"], action="access.denied", object_type="client", object_ids=["CC001"],
                 outcome="denied")
    audit_record(user=u["bob"], action="client.unmask", object_type="client", object_ids=["CB001"],
                 detail={"field": "phone", "reason": "回访核对身份"})
    audit_record(user=u["director_a"], action="client.reassign", object_type="client",
                 object_ids=["CA001", "CB001"], detail={"source": "page", "to": "A02", "changes": [{}, {}]})
    audit_record(user=u["compliance"], action="campaign.view", object_type="campaign", object_ids=["CA001"])
    return cast


@pytest.mark.parametrize("username", USERS)
def test_only_readers_of_the_trail_open_the_page_and_the_export(client, trail, username):
    code = _code(trail.users[username])
    client.force_login(trail.users[username])
    before = AuditEvent.objects.count()
    assert client.get("/audit/").status_code == code
    assert client.get("/audit/export/").status_code == code
    actions = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", "outcome"))
    if code == 200:
        assert actions == [("audit.view", "ok"), ("audit.export", "ok")]
    else:     # refused, and the attempt to read the trail is itself on the trail
        assert actions == [("access.denied", "denied")] * 2
        assert AuditEvent.objects.filter(action="access.denied", object_type="audit",
                                         username=username).count() == 2


@pytest.mark.parametrize("username", USERS)
def test_the_nav_links_the_page_for_the_roles_that_may_read_it(client, trail, username):
    client.force_login(trail.users[username])
    html = client.get("/funnel/").content.decode()
    assert ('href="/audit/"' in html) == (_code(trail.users[username]) == 200)


def test_the_page_follows_the_table_not_the_role(client, trail, monkeypatch):
    from panhuo.accounts import permissions
    from panhuo.accounts.models import Role

    caps = permissions.ROLE_CAPABILITIES
    monkeypatch.setitem(caps, Role.MANAGER, caps[Role.MANAGER] | {Capability.READ_AUDIT})
    monkeypatch.setitem(caps, Role.COMPLIANCE, caps[Role.COMPLIANCE] - {Capability.READ_AUDIT})
    client.force_login(trail.users["manager_a"])
    assert client.get("/audit/").status_code == 200
    client.force_login(trail.users["compliance"])
    assert client.get("/audit/").status_code == 403


def _rows(client, query: str = "") -> list[str]:
    html = client.get(f"/audit/{query}").content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_text(r) for r in body.split("<tr>")[1:]]


def test_the_page_shows_every_event_before_its_own_reading(client, trail):
    client.force_login(trail.users["compliance"])
    first = _rows(client)          # the page's own audit.view is written while it is shown, not counted in it
    assert [int(r.split()[0]) for r in first] == [5, 4, 3, 2, 1]
    assert [int(r.split()[0]) for r in _rows(client)] == [6, 5, 4, 3, 2, 1]


def test_filters_by_user_client_action_and_date(client, trail):
    client.force_login(trail.users["compliance"])
    assert all(" alice " in r for r in _rows(client, "?user=alice")) and len(_rows(client, "?user=alice")) == 2
    by_client = _rows(client, "?client=CB001")
    assert len(by_client) == 2 and all("CB001" in r for r in by_client)         # bob's unmask, the reassignment
    assert len(_rows(client, "?client=CA001")) == 2                              # a campaign with that id is not it
    assert len(_rows(client, "?client=CA00")) == 0                               # whole codes only
    (unmask,) = _rows(client, "?action=client.unmask")
    assert "查看敏感信息" in unmask and "回访核对身份" in unmask and "手机" in unmask
    today = timezone.localdate().isoformat()
    assert len(_rows(client, f"?since={today}&until={today}&user=bob")) == 1
    assert _rows(client, "?until=2020-01-01&user=bob") == []


def test_dates_are_the_branch_s_calendar_days(client, trail, monkeypatch):
    # 23:30 in Shanghai on 1 March is 15:30 UTC: the event belongs to 1 March, not 2 March.
    late = timezone.make_aware(datetime(2026, 3, 1, 23, 30))
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: late))
    audit_record(user=trail.users["bob"], action="contact.log", object_type="client", object_ids=["CB002"])
    monkeypatch.undo()
    client.force_login(trail.users["compliance"])
    assert len(_rows(client, "?since=2026-03-01&until=2026-03-01")) == 1
    assert _rows(client, "?since=2026-03-02&until=2026-03-02") == []


def test_the_page_speaks_chinese_not_codes(client, trail):
    client.force_login(trail.users["compliance"])
    text = _text(client.get("/audit/").content.decode())
    for label in ("查看敏感信息", "越权访问被拒绝", "调整服务顾问", "查看客户详情", "已拒绝", "合规", "投资顾问"):
        assert label in text, label
    for code in ("client.unmask", "access.denied", "client.reassign", "denied", "advisor", "compliance.",
                 "id_number", "\"field\""):
        assert code not in text, code


def test_the_page_is_paginated_newest_first(client, trail):
    for i in range(60):
        audit_record(user=trail.users["alice"], action="today.view", detail={"i": i})
    client.force_login(trail.users["compliance"])
    html = client.get("/audit/?action=today.view").content.decode()
    assert "60" in _text(html.split("<table", 1)[0])
    first = _rows(client, "?action=today.view")
    second = _rows(client, "?action=today.view&page=2")
    assert len(first) == 50 and len(second) == 10
    seqs = [int(r.split()[0]) for r in first + second]
    assert seqs == sorted(seqs, reverse=True)


def test_the_export_has_chinese_headers_a_frozen_header_and_the_filtered_events(client, trail):
    client.force_login(trail.users["compliance"])
    response = client.get("/audit/export/?user=bob")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:5] == ["序号 Seq", "时间 Time", "用户 User", "角色 Role", "操作 Action"]
    assert ws.freeze_panes == "A2"
    (event,) = rows[1:]
    assert event[2] == "bob" and event[4] == "查看敏感信息" and event[6] == "CB001"
    assert "回访核对身份" in event[8] and '"field": "phone"' in event[9]
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.username == "compliance" and exported.detail == {"filters": {"user": "bob"}, "rows": 1}
    assert audit_verify().ok


def test_exported_text_stays_text(client, trail):
    audit_record(user=trail.users["bob"], action="client.unmask", object_type="client", object_ids=["CB001"],
                 detail={"field": "phone", "reason": "=HYPERLINK(\"http://x\")"})
    client.force_login(trail.users["compliance"])
    ws = load_workbook(io.BytesIO(client.get("/audit/export/?action=client.unmask").content)).active
    row = next(ws.iter_rows(min_row=2))            # newest first
    assert all(c.data_type != "f" for c in row)
    assert row[8].value == '字段：手机；原因：=HYPERLINK("http://x")'      # verbatim: an export is evidence
