"""Question banks and courses as versioned TOML files (`banks/*.toml`, `courses/*.toml`), like the questionnaires:
loading and checking them, the seeded draw of a paper, and scoring. No ORM here: the services store what these
return.

A paper is reproducible: the same bank, seed and `per_topic` always draw the same questions in the same order; a
new attempt gets a new seed (training.services), so a retake sees a different paper.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("single", "multiple", "truefalse")
TRUE_FALSE = (("T", {"zh": "正确", "en": "True"}), ("F", {"zh": "错误", "en": "False"}))


class BankError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    key: str
    topic: str
    kind: str
    text: dict
    options: tuple[tuple[str, dict], ...]     # (key, {"zh":…, "en":…})
    answer: frozenset[str]
    explanation: dict


@dataclass(frozen=True)
class Bank:
    key: str
    version: int
    title: dict
    course: str
    per_topic: int
    pass_mark: int
    minutes: int
    topics: tuple[tuple[str, dict], ...]
    questions: dict[str, Question]

    def of_topic(self, topic: str) -> list[Question]:
        return [q for q in self.questions.values() if q.topic == topic]


def _lang(d: dict, lang: str) -> str:
    return d.get("zh" if lang.startswith("zh") else "en") or d.get("zh", "")


def text(d: dict, lang: str) -> str:
    """The text of a {"zh", "en"} pair in the reader's language (Chinese for zh-hans, English otherwise)."""
    return _lang(d, lang)


def _question(raw: dict, topics: set[str], where: str) -> Question:
    key, kind = raw.get("key"), raw.get("kind")
    if not key or kind not in KINDS:
        raise BankError(f"{where}: question {key!r} needs a key and a kind among {KINDS}")
    if raw.get("topic") not in topics:
        raise BankError(f"{where}: question {key} names an unknown topic {raw.get('topic')!r}")
    if kind == "truefalse":
        if not isinstance(raw.get("answer"), bool):
            raise BankError(f"{where}: true/false question {key} needs answer = true or false")
        options, answer = TRUE_FALSE, frozenset({"T" if raw["answer"] else "F"})
    else:
        options = tuple((o["key"], {"zh": o["zh"], "en": o["en"]}) for o in raw.get("options", []))
        keys = [k for k, _ in options]
        answer = frozenset(raw.get("answer", []))
        if len(options) < 2 or len(set(keys)) != len(keys):
            raise BankError(f"{where}: question {key} needs two or more options with distinct keys")
        if not answer or not answer <= set(keys):
            raise BankError(f"{where}: question {key}'s answer must name its options")
        if kind == "single" and len(answer) != 1:
            raise BankError(f"{where}: single-choice question {key} has {len(answer)} right answers")
    for field in ("zh", "en"):
        if not raw.get(field) or not raw.get("explanation", {}).get(field):
            raise BankError(f"{where}: question {key} needs its text and explanation in zh and en")
    return Question(key=key, topic=raw["topic"], kind=kind, text={"zh": raw["zh"], "en": raw["en"]},
                    options=options, answer=answer, explanation=raw["explanation"])


def bank_parse(data: dict, *, where: str = "bank") -> Bank:
    topics = tuple((t["key"], {"zh": t["zh"], "en": t["en"]}) for t in data.get("topics", []))
    names = {k for k, _ in topics}
    questions: dict[str, Question] = {}
    for raw in data.get("questions", []):
        q = _question(raw, names, where)
        if q.key in questions:
            raise BankError(f"{where}: question key {q.key} twice")
        questions[q.key] = q
    bank = Bank(key=data["key"], version=int(data["version"]), title=data["title"], course=data.get("course", ""),
                per_topic=int(data.get("per_topic", 1)), pass_mark=int(data.get("pass_mark", 80)),
                minutes=int(data.get("minutes", 30)), topics=topics, questions=questions)
    for key, _ in topics:
        if len(bank.of_topic(key)) < bank.per_topic:
            raise BankError(f"{where}: topic {key} has fewer questions than per_topic ({bank.per_topic})")
    if not 0 < bank.pass_mark <= 100:
        raise BankError(f"{where}: pass_mark is a percentage")
    return bank


@cache
def banks() -> dict[tuple[str, int], Bank]:
    """Every bank file, by (key, version)."""
    out = {}
    for path in sorted((HERE / "banks").glob("*.toml")):
        bank = bank_parse(tomllib.loads(path.read_text(encoding="utf-8")), where=path.name)
        out[(bank.key, bank.version)] = bank
    return out


def bank_get(key: str, version: int | None = None) -> Bank:
    """A bank by key; without a version, its latest."""
    found = [b for (k, v), b in banks().items() if k == key and (version is None or v == version)]
    if not found:
        raise BankError(f"no question bank {key!r}" + (f" version {version}" if version else ""))
    return max(found, key=lambda b: b.version)


@cache
def courses() -> dict[str, dict]:
    """The course files, by key (title, summary, hours, modules, materials, exam)."""
    out = {}
    for path in sorted((HERE / "courses").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[data["key"]] = data
    return out


@cache
def requirements() -> dict:
    """requirements.toml: yearly hours by registration type, and how early a registration is due."""
    return tomllib.loads((HERE / "requirements.toml").read_text(encoding="utf-8"))


def draw(bank: Bank, *, seed: int, per_topic: int | None = None) -> list[str]:
    """The question keys of one paper: `per_topic` questions from each topic, in the bank's topic order, each
    topic's questions in a shuffled order. The same (bank, seed, per_topic) gives the same paper."""
    rng = random.Random(seed)
    n = per_topic or bank.per_topic
    paper: list[str] = []
    for topic, _ in bank.topics:
        pool = sorted(q.key for q in bank.of_topic(topic))
        paper.extend(rng.sample(pool, min(n, len(pool))))
    return paper


def answer_set(raw) -> frozenset[str]:
    """A submitted answer (a key, a list of keys, or nothing) as a set of option keys."""
    if raw is None or raw == "":
        return frozenset()
    if isinstance(raw, str):
        return frozenset({raw})
    return frozenset(str(x) for x in raw)


@dataclass(frozen=True)
class Result:
    correct: int
    total: int
    percent: float
    passed: bool
    items: list[dict]       # per question: key, topic, kind, given (sorted keys), right (sorted keys), ok


def score(bank: Bank, paper: list[str], answers: dict, *, pass_mark: int | None = None) -> Result:
    """Score a paper: a question counts when the set of options chosen is exactly the right set (a multiple-choice
    question with one right option missing or one wrong option added scores nothing). Passed when the share
    right reaches the pass mark (percent)."""
    items = []
    for key in paper:
        q = bank.questions[key]
        given = answer_set(answers.get(key))
        items.append({"key": key, "topic": q.topic, "kind": q.kind, "given": sorted(given),
                      "right": sorted(q.answer), "ok": given == q.answer})
    correct = sum(i["ok"] for i in items)
    percent = round(100 * correct / len(items), 1) if items else 0.0
    mark = pass_mark if pass_mark is not None else bank.pass_mark
    return Result(correct=correct, total=len(items), percent=percent, passed=bool(items) and percent >= mark,
                  items=items)
