"""The scorecard's complaints row reads as a deduction per substantiated complaint, on the page in both languages
and in both Chinese exports: a count, no target, how many counted (capped beyond three), at most how many, the
points each; never a percentage. The other rows and every number the scoring computes are as before."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation

from panhuo.appraisal import services
from panhuo.appraisal.display import deduction_cells
from panhuo.appraisal.models import ScorecardWeights
from panhuo.clients.models import Complaint
from tests.appraisal.helpers import MONTH, alices_book, substantiated_complaints
from tests.pdftext import pdf_strings

pytestmark = pytest.mark.django_db
URL = "/appraisal/A01/2026-10/"
ZH = {2: ["2 件", "—", "计 2 件", "最多计 3 件", "每件 -5", "-10.0"],
      4: ["4 件", "—", "计 3 件 已封顶", "最多计 3 件", "每件 -5", "-15.0"]}
EN = {2: ["2", "—", "2 counted", "at most 3", "-5 each", "-10.0"],
      4: ["4", "—", "3 counted capped", "at most 3", "-5 each", "-15.0"]}


def _card(cast, n):
    alices_book(cast)
    substantiated_complaints(cast, n)
    return services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"], month=MONTH)


def _row_cells(html: str, key: str) -> list[str]:
    """The number cells of one item's row, as text (tags dropped, spaces squeezed)."""
    row = re.search(rf'<tr class="item-{key}[^"]*">(.*?)</tr>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r'<td class="num">(.*?)</td>', row, re.S)]


@pytest.mark.parametrize("n", [2, 4])
def test_the_page_shows_the_complaints_row_as_a_deduction_in_both_languages(client, cast, n):
    card = _card(cast, n)
    item = {i["key"]: i for i in card.items}["complaints"]
    assert (item["value"], item["points"]) == (n, -5.0 * min(n, 3))           # the scoring is as before
    client.force_login(cast.users["director_a"])
    for lang, want in (("zh-hans", ZH[n]), ("en", EN[n])):
        client.cookies["django_language"] = lang
        html = client.get(URL).content.decode()
        cells = _row_cells(html, "complaints")
        assert cells == want, lang
        assert not any("%" in c for c in cells)
        # the other rows still read as shares of their targets
        assert _row_cells(html, "coverage") == ["50%", "90%", "56%", "100%", "15", "8.3"]
        assert _row_cells(html, "commission")[2:5] == ["160% " + ("已封顶" if lang == "zh-hans" else "capped"),
                                                       "100%", "10"]


@pytest.mark.parametrize("n", [2, 4])
def test_the_excel_and_pdf_show_the_complaints_row_as_a_deduction(client, cast, n):
    from openpyxl import load_workbook

    _card(cast, n)
    client.force_login(cast.users["director_a"])
    client.cookies["django_language"] = "en"                        # the exports are Chinese whatever the page's
    ws = load_workbook(io.BytesIO(client.get(f"{URL}export.xlsx").content)).active
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    complaints, coverage = rows["针对投顾的属实投诉"], rows["VIP及核心客户覆盖率"]
    counted = "计 3 件\n已封顶" if n == 4 else f"计 {n} 件"
    assert list(complaints[1:7]) == [f"{n} 件", "—", counted, "最多计 3 件", "每件 -5", -5.0 * min(n, 3)]
    assert coverage[1:7] == (0.5, 0.9, pytest.approx(0.5556, abs=1e-4), 1.0, 15.0, 8.33)   # numbers, as before
    assert rows["合计"][6] == pytest.approx(25.03 - 5 * min(n, 3))
    assert rows["合计"][5] == 100       # the points at every target, as the page says: the deduction is not in it

    shown = pdf_strings(client.get(f"{URL}export.pdf").content)
    row = shown[shown.index("针对投顾的属实投诉") + 1:shown.index("合规事件")]
    words = ([f"{n} 件", "—", "计 3 件", "已封顶"] if n == 4 else [f"{n} 件", "—", f"计 {n} 件"]) + \
        ["最多计 3 件", "每件 -5", f"{-5.0 * min(n, 3):.2f}"]
    assert row[:len(words)] == words and not any("%" in s for s in row)
    coverage_row = shown[shown.index("VIP及核心客户覆盖率") + 1:shown.index("针对投顾的属实投诉")]
    assert coverage_row[:6] == ["50.0%", "90.0%", "56%", "100%", "15", "8.33"]
    total = [s for s in shown[shown.index("合计") + 1:] if s]
    assert total[:2] == ["100", f"{25.03 - 5 * min(n, 3):.2f}"]


def test_no_complaint_costs_0_00_points_not_minus_0_00(client, cast):
    _card(cast, 0)
    client.force_login(cast.users["director_a"])
    shown = pdf_strings(client.get(f"{URL}export.pdf").content)
    row = shown[shown.index("针对投顾的属实投诉") + 1:shown.index("合规事件")]
    assert "0.00" in row and "-0.00" not in row


def test_the_words_say_what_the_scoring_deducts_whatever_the_branch_sets(cast):
    """Counted x each = the points the scoring gave, for the defaults (0-4 complaints) and for a branch's own
    weight, target and cap (5-9 complaints: -4 per 2 complaints, at most 4 units, so -2 each, at most 8)."""
    alices_book(cast)
    for conf, each, most, counts in (({}, "-5", 3, range(5)),
                                     ({"weight": -4, "target": 2, "cap": 4.0}, "-2", 8, range(5, 10))):
        ScorecardWeights.objects.update_or_create(branch=cast.branches["A"], defaults={"items": {"complaints": conf}})
        for n in counts:
            substantiated_complaints(cast, n - Complaint.objects.count())
            card = services.scorecard_compute(user=cast.users["director_a"], advisor=cast.advisors["alice"],
                                              month=MONTH)
            item = {i["key"]: i for i in card.items}["complaints"]
            assert item["value"] == n
            with translation.override("en"):
                d = deduction_cells(item)
            counted = float(d["attainment"].removesuffix(" counted"))
            assert d["cap"] == f"at most {most}" and d["weight"] == f"{each} each"
            assert counted == min(n, most) and counted * float(each) == pytest.approx(item["points"])
            assert bool(d["capped"]) == (n > most) == item["capped"]


def test_only_a_recorded_complaints_item_reads_as_a_deduction():
    base = {"value": 2, "target": 1.0, "attainment": 2.0, "cap": 3.0, "capped": False, "weight": -5.0,
            "points": -10.0, "recorded": True, "detail": {}}
    assert deduction_cells({**base, "key": "complaints"}) is not None
    assert deduction_cells({**base, "key": "compliance"}) is None
    # a month stored before complaints were recorded keeps its dashes
    assert deduction_cells({**base, "key": "complaints", "recorded": False, "value": None, "target": None}) is None
