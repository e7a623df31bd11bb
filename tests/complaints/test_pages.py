"""The pages: who reaches which complaint (expected answers from the permissions table and the access rule: an
advisor only their own clients', out of reach is a 404), registering from the 360 page, the workflow through the
page, the call-back pages; every page in Chinese and English without internal codes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from panhuo.accounts.permissions import Capability, can
from panhuo.clients.models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintStep,
)
from panhuo.clients.selectors import clients_for_user
from panhuo.complaints import services
from panhuo.complaints.models import Callback, CallbackKind, CallbackOutcome, FindingCategory
from tests.complaints.helpers import file_complaint, month_of_activity
from tests.web.browser import untranslated_on
from tests.web.test_chinese_pages import visible_text

pytestmark = pytest.mark.django_db
ROLES = ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"]
CODES = {str(v) for e in (ComplaintStatus, ComplaintCategory, ComplaintChannel, ComplaintStep, CallbackKind,
                          CallbackOutcome, FindingCategory) for v in e.values} | {"complaint_20y"}


def _codes_in(text: str) -> set[str]:
    return {c for c in CODES if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)}


@pytest.mark.parametrize("who", ROLES)
def test_each_role_reaches_a_complaint_as_the_table_and_the_access_rule_say(client, cast, who):
    c = file_complaint(cast)                 # Alice's client CA001
    user = cast.users[who]
    client.force_login(user)
    in_reach = clients_for_user(user=user).filter(client_id="CA001").exists()
    assert client.get(f"/complaints/{c.pk}/").status_code == (200 if in_reach else 404)
    act = client.post(f"/complaints/{c.pk}/act/", {"action": "investigate"})
    assert act.status_code == (404 if not in_reach else 302 if can(user, Capability.HANDLE_COMPLAINTS) else 403)
    listed = client.get("/complaints/")
    may_list = can(user, Capability.READ_COMPLAINTS) or can(user, Capability.REGISTER_COMPLAINT)
    assert listed.status_code == (200 if may_list else 403)
    if may_list:
        assert (c.pk in [r.pk for r in listed.context["rows"]]) == in_reach
    assert client.get("/callbacks/").status_code == (200 if can(user, Capability.CALL_BACK) else 403)


def test_an_advisor_registers_for_their_own_client_only(client, cast):
    client.force_login(cast.users["bob"])
    form = {"channel": "counter", "category": "fees", "description": "佣金不对"}
    assert client.post("/complaints/new/", {**form, "client": "CA001"}).status_code == 404
    assert client.get("/complaints/new/?client=CA001").status_code == 404
    r = client.post("/complaints/new/", {**form, "client": "CB001"})
    c = Complaint.objects.get()
    assert r.status_code == 302 and r.url == f"/complaints/{c.pk}/"
    assert c.advisor == cast.advisors["bob"] and c.registered_by == cast.users["bob"]
    assert client.post("/complaints/new/", {**form, "client": "CB001", "description": ""}).status_code == 400
    assert client.post("/complaints/new/", {**form, "client": "CB001",
                                            "received_at": "2999-01-01"}).status_code == 400


def test_the_list_puts_overdue_first_and_filters(client, cast):
    fresh = file_complaint(cast, client="CA002", days_ago=1)
    late = file_complaint(cast, client="CA003", days_ago=40)
    other = file_complaint(cast, who="bob", client="CB001", days_ago=2, category="fees")
    client.force_login(cast.users["director_a"])
    rows = client.get("/complaints/").context["rows"]
    assert [r.pk for r in rows][0] == late.pk and rows[0].overdue
    assert [r.pk for r in client.get("/complaints/?category=fees").context["rows"]] == [other.pk]
    assert [r.pk for r in client.get("/complaints/?show=overdue").context["rows"]] == [late.pk]
    assert {r.pk for r in client.get("/complaints/?advisor=A01").context["rows"]} == {fresh.pk, late.pk}


def test_the_director_takes_a_complaint_through_the_page_and_the_360_page_shows_it(client, cast):
    c = file_complaint(cast)
    client.force_login(cast.users["director_a"])
    for step in ({"action": "investigate"}, {"action": "resolve", "resolution": "已核实并致歉", "substantiated": "yes"},
                 {"action": "confirm", "confirmed_on": f"{timezone.localdate():%Y-%m-%d}", "satisfied": "yes"},
                 {"action": "close"}):
        assert client.post(f"/complaints/{c.pk}/act/", step).status_code == 302
    c.refresh_from_db()
    assert c.status == ComplaintStatus.CLOSED and c.substantiated
    page = client.get("/clients/CA001/").content.decode()
    assert 'id="complaints"' in page and f"/complaints/{c.pk}/" in page


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_page_reads_in_the_language_without_internal_codes(client, cast, lang):
    c = file_complaint(cast)
    services.complaint_escalate(user=cast.users["director_a"], complaint=c, reason="客户要求")
    month = month_of_activity(cast)
    services.callbacks_sample(branch_id=cast.branches["A"].pk, month=month, seed="fixed")
    cb = Callback.objects.exclude(advisor=None).first()
    done = Callback.objects.exclude(pk=cb.pk).first()
    services.callback_record(user=cast.users["compliance"], callback=done, outcome="finding",
                             finding_category="fees_unclear", note="费用没讲", open_complaint=True)
    client.cookies["django_language"] = lang
    pages = {"director_a": ["/complaints/", "/complaints/?show=all", f"/complaints/{c.pk}/", "/complaints/new/",
                            "/complaints/new/?client=CA001", "/clients/CA001/", "/callbacks/",
                            f"/callbacks/{cb.pk}/", f"/callbacks/{done.pk}/", "/callbacks/coverage/"],
             "compliance": ["/complaints/", f"/complaints/{c.pk}/", "/callbacks/coverage/"],
             "alice": ["/complaints/", f"/complaints/{c.pk}/", "/clients/CA001/"]}
    for who, urls in pages.items():
        client.force_login(cast.users[who])
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (who, url)
            text = visible_text(r.content.decode())
            found = _codes_in(text)
            if lang == "en":     # plain English words (system, closed) are labels there; codes with "_" never are
                found = {f for f in found if "_" in f}
            assert found == set(), (who, url)
            if lang == "zh-hans":
                assert untranslated_on(text) == [], (who, url)
                assert ("投诉" in text) or ("回访" in text), url
            else:
                assert "Complaint" in text or "Call-back" in text or "call-back" in text, url
