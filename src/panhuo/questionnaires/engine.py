"""Load a questionnaire file, check it, and score a set of answers against it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used, or answers that do not fit it."""


@dataclass(frozen=True)
class Option:
    key: str
    points: int
    zh: str
    en: str


@dataclass(frozen=True)
class Question:
    key: str
    zh: str
    en: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option:
        for o in self.options:
            if o.key == key:
                return o
        raise QuestionnaireError(f"question {self.key}: no option {key!r}")


@dataclass(frozen=True)
class Band:
    """A range of totals, both ends included, and what it means. `key` is stored (e.g. `aggressive`, `C3`)."""
    key: str
    min: int
    max: int
    zh: str
    en: str


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    kind: str                 # personality | risk_tolerance | needs | satisfaction
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]
    source_zh: str = ""
    source_en: str = ""

    @property
    def reachable(self) -> tuple[int, int]:
        """The lowest and highest total the options allow."""
        return (sum(min(o.points for o in q.options) for q in self.questions),
                sum(max(o.points for o in q.options) for q in self.questions))

    def label(self, band_key: str, lang: str = "zh") -> str:
        for b in self.bands:
            if b.key == band_key:
                return b.zh if lang == "zh" else b.en
        return band_key


@dataclass(frozen=True)
class Score:
    questionnaire: str
    version: int
    total: int
    band: Band
    points: dict[str, int]     # question key -> points of the chosen option


def _text(d: dict, what: str) -> tuple[str, str]:
    if not d.get("zh") or not d.get("en"):
        raise QuestionnaireError(f"{what}: needs both zh and en")
    return d["zh"], d["en"]


def load(path: Path | str) -> Questionnaire:
    """Read and check one file. Refused: a question without options, two options or questions with the same key,
    points that are not whole numbers, bands that overlap or leave a reachable total without a band."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    try:
        key, version, kind = raw["key"], raw["version"], raw["kind"]
    except KeyError as exc:
        raise QuestionnaireError(f"{path}: missing {exc.args[0]}") from None
    if type(version) is not int or version < 1:
        raise QuestionnaireError(f"{path}: version must be a whole number from 1")
    questions, seen = [], set()
    for i, q in enumerate(raw.get("questions", []), 1):
        qkey = str(q.get("key") or i)
        if qkey in seen:
            raise QuestionnaireError(f"{path}: question {qkey} twice")
        seen.add(qkey)
        options, okeys = [], set()
        for o in q.get("options", []):
            if type(o.get("points")) is not int:
                raise QuestionnaireError(f"{path}: question {qkey}: points must be whole numbers")
            if o.get("key") in okeys:
                raise QuestionnaireError(f"{path}: question {qkey}: option {o.get('key')} twice")
            okeys.add(o.get("key"))
            options.append(Option(str(o["key"]), o["points"], *_text(o, f"question {qkey} option {o['key']}")))
        if len(options) < 2:
            raise QuestionnaireError(f"{path}: question {qkey} needs at least two options")
        questions.append(Question(qkey, *_text(q, f"question {qkey}"), tuple(options)))
    if not questions:
        raise QuestionnaireError(f"{path}: no questions")
    bands = tuple(sorted((Band(str(b["key"]), int(b["min"]), int(b["max"]), *_text(b, f"band {b['key']}"))
                          for b in raw.get("bands", [])), key=lambda b: b.min))
    for a, b in zip(bands, bands[1:], strict=False):
        if b.min <= a.max:
            raise QuestionnaireError(f"{path}: bands {a.key} and {b.key} overlap")
    qn = Questionnaire(key=key, version=version, kind=kind, title_zh=raw["title"]["zh"], title_en=raw["title"]["en"],
                       intro_zh=raw.get("intro", {}).get("zh", ""), intro_en=raw.get("intro", {}).get("en", ""),
                       questions=tuple(questions), bands=bands,
                       source_zh=raw.get("source", {}).get("zh", ""), source_en=raw.get("source", {}).get("en", ""))
    lo, hi = qn.reachable
    # Bands may reach beyond what the options allow (the material's personality bands do: 9–54 printed, 11–45
    # reachable); every reachable total must still fall in exactly one band.
    gaps = [t for t in range(lo, hi + 1) if not any(b.min <= t <= b.max for b in bands)]
    if gaps:
        raise QuestionnaireError(f"{path}: totals {gaps[0]}..{gaps[-1]} fall in no band")
    return qn


def score(qn: Questionnaire, answers: dict[str, str]) -> Score:
    """Add the points of the chosen option of every question; every question must be answered, once."""
    missing = [q.key for q in qn.questions if q.key not in answers]
    if missing:
        raise QuestionnaireError(f"unanswered: {', '.join(missing)}")
    extra = set(answers) - {q.key for q in qn.questions}
    if extra:
        raise QuestionnaireError(f"not in {qn.key} v{qn.version}: {', '.join(sorted(extra))}")
    points = {q.key: q.option(str(answers[q.key])).points for q in qn.questions}
    total = sum(points.values())
    band = next(b for b in qn.bands if b.min <= total <= b.max)
    return Score(questionnaire=qn.key, version=qn.version, total=total, band=band, points=points)
