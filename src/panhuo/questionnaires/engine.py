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


# A question's type: one option (the default, scored), several options, or a free text. Only `choice` questions
# with `scored = true` (the default) add to the total; the others are kept as answered (e.g. the needs survey's
# preferred products, the satisfaction survey's comment).
CHOICE, MULTI, TEXT = "choice", "multi", "text"
TEXT_MAX = 1000


@dataclass(frozen=True)
class Question:
    key: str
    zh: str
    en: str
    options: tuple[Option, ...]
    type: str = CHOICE
    scored: bool = True
    required: bool = True

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
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.type == CHOICE and q.scored)

    @property
    def reachable(self) -> tuple[int, int]:
        """The lowest and highest total the options allow."""
        return (sum(min(o.points for o in q.options) for q in self.scored_questions),
                sum(max(o.points for o in q.options) for q in self.scored_questions))

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
    band: Band | None          # None for a questionnaire without bands (the needs survey, satisfaction)
    points: dict[str, int]     # scored question key -> points of the chosen option
    answers: dict              # question key -> option key, list of option keys (multi) or text, as kept


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
        qtype = q.get("type", CHOICE)
        if qtype not in (CHOICE, MULTI, TEXT):
            raise QuestionnaireError(f"{path}: question {qkey}: type must be choice, multi or text")
        scored = qtype == CHOICE and bool(q.get("scored", raw.get("scored", True)))
        options, okeys = [], set()
        for o in q.get("options", []):
            points = o.get("points", None if scored else 0)
            if type(points) is not int:
                raise QuestionnaireError(f"{path}: question {qkey}: points must be whole numbers")
            if o.get("key") in okeys:
                raise QuestionnaireError(f"{path}: question {qkey}: option {o.get('key')} twice")
            okeys.add(o.get("key"))
            options.append(Option(str(o["key"]), points, *_text(o, f"question {qkey} option {o['key']}")))
        if qtype == TEXT and options:
            raise QuestionnaireError(f"{path}: question {qkey}: a text question has no options")
        if qtype != TEXT and len(options) < 2:
            raise QuestionnaireError(f"{path}: question {qkey} needs at least two options")
        questions.append(Question(qkey, *_text(q, f"question {qkey}"), tuple(options), type=qtype, scored=scored,
                                  required=bool(q.get("required", qtype != TEXT))))
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
    if not bands:
        if qn.scored_questions and kind in ("personality", "risk_tolerance"):
            raise QuestionnaireError(f"{path}: a {kind} questionnaire needs bands")
        return qn
    lo, hi = qn.reachable
    # Bands may reach beyond what the options allow (the material's personality bands do: 9–54 printed, 11–45
    # reachable); every reachable total must still fall in exactly one band.
    gaps = [t for t in range(lo, hi + 1) if not any(b.min <= t <= b.max for b in bands)]
    if gaps:
        raise QuestionnaireError(f"{path}: totals {gaps[0]}..{gaps[-1]} fall in no band")
    return qn


def _kept(q: Question, value) -> str | list[str]:
    """An answer as kept: an option key, the chosen option keys in the file's order, or the text."""
    if q.type == TEXT:
        return str(value or "").strip()[:TEXT_MAX]
    if q.type == MULTI:
        chosen = {str(v) for v in (value if isinstance(value, list | tuple | set) else [value]) if v not in ("", None)}
        for key in chosen:
            q.option(key)
        return [o.key for o in q.options if o.key in chosen]
    return q.option(str(value)).key


def score(qn: Questionnaire, answers: dict) -> Score:
    """Add the points of the chosen option of every scored question. Every required question must be answered
    (a multi-choice question with at least one option); a question the file does not have is refused."""
    extra = set(answers) - {q.key for q in qn.questions}
    if extra:
        raise QuestionnaireError(f"not in {qn.key} v{qn.version}: {', '.join(sorted(extra))}")
    kept = {q.key: _kept(q, answers[q.key]) for q in qn.questions if q.key in answers}
    missing = [q.key for q in qn.questions if q.required and not kept.get(q.key)]
    if missing:
        raise QuestionnaireError(f"unanswered: {', '.join(missing)}")
    points = {q.key: q.option(kept[q.key]).points for q in qn.scored_questions}
    total = sum(points.values())
    band = next((b for b in qn.bands if b.min <= total <= b.max), None)
    if band is None and qn.bands:
        raise QuestionnaireError(f"total {total} falls in no band")
    return Score(questionnaire=qn.key, version=qn.version, total=total, band=band, points=points,
                 answers={q.key: kept.get(q.key, [] if q.type == MULTI else "") for q in qn.questions})
