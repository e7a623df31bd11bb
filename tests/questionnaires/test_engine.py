"""The questionnaire files: the material's personality scoring against its bands, and what a file may not do."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from panhuo.questionnaires import QuestionnaireError, load, score

FILES = Path(__file__).parents[2] / "src" / "panhuo" / "surveys" / "questionnaires"
PERSONALITY = load(FILES / "personality-v1.toml")

# The material's option points, question by question (交易个性自我评量表).
MATERIAL_POINTS = {"1": [5, 4, 3, 2], "2": [5, 4, 3, 2], "3": [1, 2, 3, 4], "4": [0, 1, 2, 3], "5": [1, 2, 3, 4],
                   "6": [1, 2, 3], "7": [1, 3, 5, 7], "8": [1, 3, 5, 7], "9": [1, 2, 3, 4], "10": [1, 2, 3]}


def test_the_file_carries_the_materials_points_and_bands():
    assert {q.key: [o.points for o in q.options] for q in PERSONALITY.questions} == MATERIAL_POINTS
    assert [(b.min, b.max, b.zh) for b in PERSONALITY.bands] == [(9, 21, "保守型"), (22, 37, "稳健型"),
                                                                 (38, 54, "积极型")]


def test_the_points_reach_11_to_45_not_the_printed_9_to_54():
    # 2+2+1+0+1+1+1+1+1+1 = 11 and 5+5+4+3+4+3+7+7+4+3 = 45: the printed ends 9, 10 and 46–54 cannot occur.
    assert PERSONALITY.reachable == (11, 45)


@cache
def _answers_for(total: int, i: int = 0) -> tuple | None:
    """Some answers (option keys in question order) that add up to `total`, or None."""
    qs = PERSONALITY.questions
    if i == len(qs):
        return () if total == 0 else None
    for o in qs[i].options:
        rest = _answers_for(total - o.points, i + 1)
        if rest is not None:
            return (o.key, *rest)
    return None


def _score(total: int):
    keys = _answers_for(total)
    assert keys is not None, f"{total} is not reachable"
    return score(PERSONALITY, {q.key: k for q, k in zip(PERSONALITY.questions, keys, strict=True)})


@pytest.mark.parametrize(("total", "band"), [
    (11, "conservative"), (21, "conservative"),      # the lowest reachable total; the printed top of 保守
    (22, "steady"), (37, "steady"),                   # both printed ends of 稳健
    (38, "aggressive"), (45, "aggressive"),           # the printed bottom of 积极; the highest reachable total
])
def test_every_band_boundary(total, band):
    result = _score(total)
    assert (result.total, result.band.key) == (total, band)


def test_every_reachable_total_falls_in_the_printed_band():
    for total in range(11, 46):
        expected = "conservative" if total <= 21 else "steady" if total <= 37 else "aggressive"
        assert _score(total).band.key == expected
    assert _answers_for(10) is None and _answers_for(46) is None


def test_an_answer_is_scored_with_its_options_points():
    answers = {"1": "A", "2": "D", "3": "B", "4": "A", "5": "C", "6": "C", "7": "D", "8": "B", "9": "A", "10": "B"}
    result = score(PERSONALITY, answers)
    assert result.points == {"1": 5, "2": 2, "3": 2, "4": 0, "5": 3, "6": 3, "7": 7, "8": 3, "9": 1, "10": 2}
    assert result.total == 28 and result.band.zh == "稳健型" and result.version == 1


def test_unanswered_or_unknown_answers_are_refused():
    with pytest.raises(QuestionnaireError, match="unanswered: 10"):
        score(PERSONALITY, {str(i): "A" for i in range(1, 10)})
    with pytest.raises(QuestionnaireError, match="no option"):
        score(PERSONALITY, {str(i): "E" for i in range(1, 11)})
    with pytest.raises(QuestionnaireError, match="not in"):
        score(PERSONALITY, {**{str(i): "A" for i in range(1, 11)}, "11": "A"})


def test_the_risk_questionnaire_gives_c1_to_c5_over_every_reachable_total():
    risk = load(FILES / "risk-v1.toml")
    lo, hi = risk.reachable
    assert [b.key for b in risk.bands] == ["C1", "C2", "C3", "C4", "C5"]
    assert risk.bands[0].min == lo and risk.bands[-1].max == hi
    lowest = score(risk, {q.key: min(q.options, key=lambda o: o.points).key for q in risk.questions})
    assert lowest.band.key == "C1"


BAD = {
    "a gap": ('[[bands]]\nkey="low"\nmin=0\nmax=0\nzh="低"\nen="low"\n', "fall in no band"),
    "an overlap": ('[[bands]]\nkey="low"\nmin=0\nmax=1\nzh="低"\nen="low"\n'
                   '[[bands]]\nkey="high"\nmin=1\nmax=1\nzh="高"\nen="high"\n', "overlap"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_file_with_bands_that_do_not_cover_the_totals_is_refused(tmp_path, case):
    bands, message = BAD[case]
    (tmp_path / "x.toml").write_text(
        'key="x"\nversion=1\nkind="needs"\ntitle={zh="测",en="t"}\n[[questions]]\nkey="1"\nzh="问"\nen="q"\n'
        'options=[{key="A",points=0,zh="甲",en="a"},{key="B",points=1,zh="乙",en="b"}]\n' + bands, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=message):
        load(tmp_path / "x.toml")


def test_a_question_needs_two_options_and_both_languages(tmp_path):
    head = 'key="x"\nversion=1\nkind="needs"\ntitle={zh="测",en="t"}\n[[questions]]\nkey="1"\nzh="问"\nen="q"\n'
    band = '[[bands]]\nkey="a"\nmin=0\nmax=9\nzh="甲"\nen="a"\n'
    (tmp_path / "one.toml").write_text(head + 'options=[{key="A",points=0,zh="甲",en="a"}]\n' + band, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="at least two options"):
        load(tmp_path / "one.toml")
    (tmp_path / "en.toml").write_text(head + 'options=[{key="A",points=0,zh="甲",en="a"},{key="B",points=1,zh="乙"}]\n'
                                      + band, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="both zh and en"):
        load(tmp_path / "en.toml")
