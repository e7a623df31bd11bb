"""Questionnaires as versioned files: loading, validating and scoring them. Pure (no Django).

A questionnaire is a TOML file (docs/suitability.md, "The questionnaire file"): its key and version, its
questions with options and their points, and the bands a total falls in, each with a zh/en label. The pages that
ask the questions and store the answers are the `surveys` app; this package only reads files and adds points, so
the scoring runs the same from a page, a test or the command line.
"""

from panhuo.questionnaires.engine import (  # noqa: F401
    Band,
    Option,
    Question,
    Questionnaire,
    QuestionnaireError,
    Score,
    load,
    score,
)
