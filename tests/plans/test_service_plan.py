"""The structured service plan (服务计划书): prefilled from the client's data, versioned, checked for suitability,
printed in Chinese, edited only by those who may."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from panhuo.accounts.permissions import Capability, can
from panhuo.audit.models import AuditEvent
from panhuo.clients.models import KeptRecordError, ServicePlan, ServicePlanVersion, SuitabilityRecord
from panhuo.clients.suitability import suitability_override_confirm, suitability_warning_give
from panhuo.surveys.plan_selectors import plan_form_initial, profile_of
from panhuo.surveys.plan_services import Unsuitable, service_plan_save

TODAY = date.today()


def _save(cast, client, user="alice", actions=(), review=TODAY + timedelta(days=60), goals=("稳健增值",)):
    return service_plan_save(user=cast.users[user], client=client, goals=list(goals), actions=list(actions),
                             review_on=review, note="")


def test_the_prefill_comes_from_the_clients_own_data(vip):
    p = profile_of(client=vip)
    assert (p["tier"], p["position_band"], p["position_ratio"], p["profit_state"]) == ("vip", "heavy", 0.8, "loss")
    assert (p["personality"], p["personality_self_assessed"]) == ("aggressive", True)   # 自评 beats 推断
    assert p["needs"]["answers"]["goal"] == "growth" and (p["risk_level"], p["risk_expired"]) == ("C3", False)
    assert [h["symbol"] for h in p["holdings"]] == ["600519.SH", "000001.SZ"]
    assert p["market"]["regime"] == "weak" and p["market"]["position"] == 0.25
    form = plan_form_initial(client=vip)
    shown = form["shown"]
    assert (shown["tier"], shown["position"], shown["profit"], shown["personality"], shown["goal"]) == \
        ("VIP客户", "重仓", "亏损", "积极型", "资产长期增值")
    assert shown["guidance"] == "25%" and shown["above_guidance"]
    # A first plan proposes the needs survey's goal, the move toward the guidance, a WeChat contact, a review.
    assert form["goals"].splitlines() == ["资产长期增值", "将仓位调整至市道建议的 25% 左右"]
    assert any(a["what"] == "通过微信定期回访" for a in form["actions"])
    assert form["review_on"] == TODAY + timedelta(days=90)


def test_an_expired_assessment_shows_and_asks_for_a_new_one(vip):
    vip.risk_assessed_on = TODAY - timedelta(days=800)
    vip.save()
    form = plan_form_initial(client=vip)
    assert form["profile"]["risk_expired"] is True
    assert any("风险承受能力测评" in a["what"] for a in form["actions"])


def test_each_save_is_a_new_version_and_old_ones_stay_readable(vip, cast, client):
    v1 = _save(cast, vip, actions=[{"kind": "contact", "what": "电话回访", "due": TODAY + timedelta(days=7)}])
    v2 = _save(cast, vip, goals=["降低仓位"], review=TODAY + timedelta(days=30))
    assert (v1.version, v2.version) == (1, 2) and v1.by == cast.users["alice"]
    assert ServicePlan.objects.get(client=vip).review_on == TODAY + timedelta(days=30)
    v1.refresh_from_db()
    assert v1.goals == ["稳健增值"] and v1.actions[0]["what"] == "电话回访"
    assert v1.profile["position_band"] == "heavy"          # the profile as it was when saved
    with pytest.raises(KeptRecordError):
        v1.save()
    assert AuditEvent.objects.filter(action="plan.save", object_ids=["CA001"]).count() == 2
    client.force_login(cast.users["alice"])
    page = client.get(reverse("surveys:plan_version", args=["CA001", 1])).content.decode()
    assert "电话回访" in page and "稳健增值" in page and "第2版" in page
    html = client.get(reverse("workbench:client", args=["CA001"])).content.decode()
    assert "当前计划书（第2版）" in html and "降低仓位" in html and "客户行为分析" in html


def test_the_page_saves_a_plan_with_actions(vip, cast, client):
    client.force_login(cast.users["alice"])
    url = reverse("surveys:plan", args=["CA001"])
    page = client.get(url).content.decode()
    assert "资产长期增值" in page and "弱势市道" in page and "贵州茅台" in page
    r = client.post(url, {"goals": "长期增值\n控制回撤", "review_on": (TODAY + timedelta(days=90)).isoformat(),
                          "a0_kind": "event", "a0_what": "邀请参加投资策略会", "a0_due": (TODAY + timedelta(days=14)).isoformat(),
                          "a1_kind": "contact", "a1_what": "", "note": "客户偏好晚上联系"})
    assert r.status_code == 302
    v = ServicePlanVersion.objects.get()
    assert v.goals == ["长期增值", "控制回撤"] and v.actions == [
        {"kind": "event", "what": "邀请参加投资策略会", "due": (TODAY + timedelta(days=14)).isoformat()}]
    r = client.post(url, {"goals": "x", "review_on": (TODAY + timedelta(days=90)).isoformat(),
                          "a0_kind": "contact", "a0_what": "回访"})
    assert r.status_code == 400 and "每项行动都需要完成日期" in r.content.decode()
    assert ServicePlanVersion.objects.count() == 1


def test_a_product_above_the_level_is_refused_until_the_client_confirms_the_warning(vip, cast):
    star = {"kind": "product", "what": "科创板股票", "product": "688111.SH", "product_risk": "R4",
            "due": TODAY + timedelta(days=10)}
    with pytest.raises(Unsuitable) as exc:
        _save(cast, vip, actions=[star])
    assert exc.value.refused[0]["product"] == "688111.SH" and exc.value.refused[0]["can_override"]
    assert not ServicePlanVersion.objects.exists()
    rec = SuitabilityRecord.objects.get(place="service_plan")
    assert (rec.allowed, rec.product_risk, rec.client_level) == (False, "R4", "C3")
    # Within the level it goes in; the special-warning flow lets the insisted-on product in.
    fund = {"kind": "product", "what": "混合基金", "product": "F0001", "product_risk": "R3",
            "due": TODAY + timedelta(days=10)}
    assert _save(cast, vip, actions=[fund]).actions[0]["allowed"] is True
    suitability_warning_give(client=vip, product="688111.SH", product_risk="R4", user=cast.users["alice"])
    suitability_override_confirm(client=vip, product="688111.SH", product_risk="R4", user=cast.users["alice"],
                                 confirmed=True)
    v = _save(cast, vip, actions=[star])
    assert v.actions[0]["allowed"] and "override_confirmed" in v.actions[0]["reasons"]


def test_the_page_says_why_a_product_is_refused_and_points_to_the_warning_flow(vip, cast, client):
    client.force_login(cast.users["alice"])
    r = client.post(reverse("surveys:plan", args=["CA001"]), {
        "goals": "x", "review_on": (TODAY + timedelta(days=90)).isoformat(), "a0_kind": "product",
        "a0_what": "科创板", "a0_product": "688111.SH", "a0_product_risk": "R4",
        "a0_due": (TODAY + timedelta(days=5)).isoformat()})
    body = r.content.decode()
    assert r.status_code == 400 and "高于客户风险承受能力等级的产品不能写入计划书" in body
    assert reverse("surveys:warning", args=["CA001"]) in body


_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's escapes undone (\\ddd octal, \\n, \\( …)."""
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit()
                  else _ESC.get(m[1], m[1]), literal, flags=re.S)


def _pdf_text_contains(pdf: bytes, text: str) -> bool:
    """Chinese in the CID font is written as UCS-2 big-endian codes (UniGB-UCS2-H) in literal strings of the
    page streams, which ReportLab stores ASCII85- and Flate-encoded."""
    want = text.encode("utf-16-be")
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = m.group(1).strip()
        try:
            if data.endswith(b"~>"):
                data = base64.a85decode(data[:-2].replace(b"\n", b"").replace(b"\r", b""))
            data = zlib.decompress(data)
        except (ValueError, zlib.error):
            continue
        strings = b"".join(_unescape(s) for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data, re.S))
        if want in strings:
            return True
    return False


def test_the_pdf_is_chinese_in_the_built_in_cid_font(vip, cast, client):
    _save(cast, vip, actions=[{"kind": "contact", "what": "电话回访", "due": TODAY + timedelta(days=7)}])
    client.force_login(cast.users["alice"])
    r = client.get(reverse("surveys:plan_pdf", args=["CA001", 1]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and b"UniGB-UCS2-H" in pdf
    for text in ("服务计划书", "客户行为分析", "重仓", "电话回访", "弱势市道"):
        assert _pdf_text_contains(pdf, text), text
    assert not _pdf_text_contains(pdf, "不在文中的字")
    assert AuditEvent.objects.filter(action="plan.export", object_ids=["CA001"]).exists()


REACH_CA001 = {"alice", "director_a", "manager_a", "compliance", "admin"}     # the cast: CA001 is alice's, branch A


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"])
def test_who_may_edit_a_plan(vip, cast, client, user):
    """Out of reach is 404 (an advisor reaches only their own clients); within reach the permissions table's
    EDIT_PLAN decides (computed, not listed)."""
    u = cast.users[user]
    expected = 404 if user not in REACH_CA001 else 200 if can(u, Capability.EDIT_PLAN) else 403
    client.force_login(u)
    assert client.get(reverse("surveys:plan", args=["CA001"])).status_code == expected
    if expected == 403:     # the 360 page then offers no edit button either
        html = client.get(reverse("workbench:client", args=["CA001"])).content.decode()
        assert reverse("surveys:plan", args=["CA001"]) not in html


def test_the_object_rule_holds_in_the_service_too(vip, cast):
    with pytest.raises(PermissionDenied):
        _save(cast, vip, user="bob")
    with pytest.raises(ValidationError):
        _save(cast, vip, review=TODAY - timedelta(days=1))
    assert not ServicePlanVersion.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("bob", 404), ("compliance", 200), ("manager_a", 200)])
def test_reading_a_version_follows_the_access_rule(vip, cast, client, user, status):
    _save(cast, vip)
    client.force_login(cast.users[user])
    assert client.get(reverse("surveys:plan_version", args=["CA001", 1])).status_code == status
    assert client.get(reverse("surveys:plan_pdf", args=["CA001", 1])).status_code == status
