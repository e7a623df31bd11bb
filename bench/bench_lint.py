"""Script lint (issue 18): milliseconds per text, and recall / false blocks on the labelled corpus.

Peer: the phrase-list lint the project had before (bench/legacy_phrase_lint.py, commit 354aac2), on the same
texts in the same process. Times are per text after the first call (the first call loads jieba's dictionary and
the rules; that one-off cost is in the note). quick: one pass over tests/outreach/lint_corpus.tsv; full: five.

The corpus figures here are for the current rules, which were fixed after each held-out part was scored, so they
are in-sample; the honest generalisation figures (each held-out part on the rules frozen before it) are in the
corpus file's headers and docs/campaigns.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import legacy_phrase_lint
from bench.common import Result
from panhuo.outreach.lint import lint_script
from panhuo.outreach.lint_model import read_corpus

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "outreach" / "lint_corpus.tsv"


def _per_text_ms(fn, texts: list[str], passes: int) -> float:
    t0 = time.perf_counter()
    for _ in range(passes):
        for t in texts:
            fn(t)
    return (time.perf_counter() - t0) * 1000 / (passes * len(texts))


def _figures(fn, rows) -> tuple[float, float]:
    promises = [t for _, label, t in rows if label == "block"]
    others = [t for _, label, t in rows if label == "pass"]
    return (sum(fn(t).blocked for t in promises) / len(promises),
            sum(fn(t).blocked for t in others) / len(others))


def run(scale: str) -> list[Result]:
    rows = read_corpus(CORPUS)
    texts = [t for _, _, t in rows]
    passes = 5 if scale == "full" else 1
    t0 = time.perf_counter()
    lint_script(texts[0])
    first_call = time.perf_counter() - t0
    legacy_phrase_lint.lint_script(texts[0])
    ours = _per_text_ms(lint_script, texts, passes)
    peer = _per_text_ms(legacy_phrase_lint.lint_script, texts, passes)
    recall, false_blocks = _figures(lint_script, rows)
    old_recall, old_false = _figures(legacy_phrase_lint.lint_script, rows)
    chars = sum(map(len, texts)) / len(texts)
    return [
        Result("lint.ms_per_text", "ms", ours, "< 5", ours < 5, {"phrase-list lint": peer},
               f"{len(texts)} corpus texts (mean {chars:.0f} characters) × {passes}; first call {first_call:.2f} s "
               "(jieba dictionary and rules load once per process)"),
        Result("lint.corpus_recall", "recall", recall, ">= 0.95", recall >= 0.95, {"phrase-list lint": old_recall},
               f"{sum(label == 'block' for _, label, _ in rows)} promises; in-sample (rules fixed after each "
               "held-out part), see docs/campaigns.md for held-out figures"),
        Result("lint.corpus_false_blocks", "share", false_blocks, "<= 0.05", false_blocks <= 0.05,
               {"phrase-list lint": old_false},
               f"{sum(label == 'pass' for _, label, _ in rows)} service texts, warnings and disclaimers"),
    ]
