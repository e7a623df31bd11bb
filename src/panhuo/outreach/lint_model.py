"""A small statistical model beside the script lint's rules: it only raises a "review" flag, never blocks or clears.

Rules generalise poorly to wordings nobody listed (on each held-out part of the corpus the rules frozen before it
missed about half of the promises, see docs/campaigns.md), while a character n-gram model picks up the tone of a
sales pitch. So a text the rules pass but the model finds promise-like is shown to compliance as 待复核 (review).

The model is a logistic regression on which character 1-, 2- and 3-grams occur in the normalised text (binary
features, no weighting), trained on tests/outreach/lint_corpus.tsv. Training is deterministic (liblinear, fixed
data order); the weights are shipped in lint_model.json so the product needs neither scikit-learn nor the corpus
at run time, and scoring is a sum of weights. Retrain after changing the corpus:

    python -m panhuo.outreach.lint_model tests/outreach/lint_corpus.tsv
"""

from __future__ import annotations

import json
import math
import sys
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("lint_model.json")
REVIEW_THRESHOLD = 0.5
_C = 1.0                 # inverse regularisation strength


def ngrams(norm: str) -> set[str]:
    text = "".join(norm.split())
    return {text[i:i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)}


def read_corpus(path: Path) -> list[tuple[str, str, str]]:
    """(part, label, text) rows; a "#@name" line starts a part, other "#" lines are comments."""
    part, rows = "development", []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#@"):
            part = line[2:].strip()
        elif line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((part, label, text))
    return rows


def train(texts: list[str], promises: list[bool]) -> dict:
    """Fit the model; returns {"intercept", "weights"} with weights rounded to 4 decimals (zeros dropped)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from panhuo.outreach.lint import normalise

    vectoriser = CountVectorizer(analyzer=lambda t: sorted(ngrams(normalise(t))), binary=True)
    x = vectoriser.fit_transform(texts)
    model = LogisticRegression(C=_C, solver="liblinear", random_state=0).fit(x, promises)
    weights = {g: round(float(w), 4) for g, w in zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True)
               if round(float(w), 4)}
    return {"intercept": round(float(model.intercept_[0]), 4), "weights": dict(sorted(weights.items()))}


@lru_cache(maxsize=2)
def _load(path: Path = MODEL_PATH) -> tuple[float, dict[str, float]]:
    if not path.exists():
        return 0.0, {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["intercept"], data["weights"]


def promise_probability(norm: str, *, path: Path = MODEL_PATH) -> float:
    """The model's probability that a normalised text promises something; 0 when no model is shipped."""
    intercept, weights = _load(path)
    if not weights:
        return 0.0
    z = intercept + sum(weights.get(g, 0.0) for g in ngrams(norm))
    return 1.0 / (1.0 + math.exp(-z))


def main(argv: list[str]) -> int:
    rows = read_corpus(Path(argv[0]))
    data = train([t for _, _, t in rows], [label == "block" for _, label, _ in rows])
    data["trained_on"] = f"{Path(argv[0]).name}: {len(rows)} texts"
    MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{MODEL_PATH}: {len(data['weights'])} weights from {len(rows)} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
