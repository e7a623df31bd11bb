"""Who may do what on the appraisal pages (expected answers from the permissions table and the access rule), and
the Excel and PDF exports open with their Chinese labels."""

from __future__ import annotations

import io
import re

import pytest

from panhuo.accounts.permissions import Capability, can
from panhuo.appraisal import services
from panhuo.appraisal.models import Scorecard
from panhuo.clients.selectors import advisors_for_user
from tests.appraisal.helpers import MONTH, alices_book

pytestmark = pytest.mark.django_db
ROLES = ["alice", "bob", "charlie", "director_a", "manager_a", "compliance", "admin"]


def _expected(user, capability=None) -> int:
    """404 out of reach (Alice, A01), else 403 without the capability, else the success code."""
    if not advisors_for_user(user=user).filter(advisor_id="A01").exists():
        return 404
    return 403 if capability and not can(user, capability) else 0


@pytest.mark.parametrize("who", ROLES)
def test_each_role_reaches_alices_pages_as_the_table_says(client, cast, who):
    user = cast.users[who]
    client.force_login(user)
    reach = _expected(user)
    assert client.get("/appraisal/A01/").status_code == (reach or 200)
    targets = {"phone_per_week": 1, "visit_per_week": 1, "wechat_per_week": 1, "other_per_week": 0,
               "coverage_pct": 90, "on_time_pct": 80, "follow_ups_pct": 90}
    assert client.post("/appraisal/A01/targets/", targets).status_code == (
        _expected(user, Capability.SET_TARGETS) or 302)
    assert client.post("/appraisal/A01/2026-10/", {"action": "compute"}).status_code == (
        _expected(user, Capability.SIGN_SCORECARD) or 302)
    team = client.get("/appraisal/")
    if user.role == "advisor":
        assert team.status_code == 302 and team.url.endswith(f"/appraisal/{user.advisor.advisor_id}/")
    else:
        assert team.status_code == (200 if can(user, Capability.SEE_BRANCH) else 403)


def test_the_advisor_reads_their_signed_scorecard_but_cannot_change_it(client, cast):
    alices_book(cast)
    card = services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"], month=MONTH)
    services.scorecard_sign(user=cast.users["director_a"], card=card)
    client.force_login(cast.users["alice"])
    html = client.get("/appraisal/A01/2026-10/").content.decode()
    assert "item-reactivation" in html and 'value="sign"' not in html
    # the total row's weight is what a month can earn (100), the complaints deduction (−5 each) not taken off it
    total_row = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', total_row)[0] == str(
        round(sum(w for w in (i["weight"] for i in card.items) if w > 0))) == "100"
    assert client.post("/appraisal/A01/2026-10/", {"action": "comment", "comment": "x"}).status_code == 403


def test_excel_and_pdf_open_with_chinese_labels_formats_and_a_frozen_header(client, cast):
    from openpyxl import load_workbook

    alices_book(cast)
    services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"], month=MONTH)
    client.force_login(cast.users["director_a"])
    resp = client.get("/appraisal/A01/2026-10/export.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0] == "考核项目")
    assert rows[head][:3] == ["考核项目", "实际", "目标"] and ws.freeze_panes == f"A{head + 2}"
    labels = [r[0] for r in rows[head + 1:head + 9]]
    assert labels[0] == "活动提升带来的激活客户" and "净流入" in labels[3]
    inflow = ws.cell(head + 5, 2)
    assert inflow.value == 85_000 and inflow.number_format == "#,##0.00"
    assert "属实0件" in rows[head + 7][7]                          # complaints: none substantiated
    pdf = client.get("/appraisal/A01/2026-10/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    assert Scorecard.objects.count() == 1
