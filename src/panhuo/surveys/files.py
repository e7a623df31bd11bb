"""The questionnaire files of this app (questionnaires/<key>-v<version>.toml), loaded once per process."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from panhuo.questionnaires import Questionnaire, load

QUESTIONNAIRE_DIR = Path(__file__).with_name("questionnaires")
_NAME = re.compile(r"^(?P<key>[a-z_]+)-v(?P<version>\d+)\.toml$")


@cache
def questionnaires_all() -> dict[tuple[str, int], Questionnaire]:
    """{(key, version): questionnaire} for every file; a file whose name and content disagree is refused."""
    out = {}
    for path in sorted(QUESTIONNAIRE_DIR.glob("*.toml")):
        m = _NAME.match(path.name)
        if not m:
            continue
        qn = load(path)
        if (qn.key, qn.version) != (m["key"], int(m["version"])):
            raise ValueError(f"{path.name}: the file says {qn.key} v{qn.version}")
        out[(qn.key, qn.version)] = qn
    return out


def questionnaire_current(key: str) -> Questionnaire:
    """The newest version of `key` (KeyError when there is none): new answers are scored with it."""
    versions = [v for (k, v) in questionnaires_all() if k == key]
    if not versions:
        raise KeyError(key)
    return questionnaires_all()[(key, max(versions))]


def questionnaire_version(key: str, version: int) -> Questionnaire | None:
    """The version that scored a stored answer."""
    return questionnaires_all().get((key, version))


# What each kind of questionnaire is for, for the pages: the personality test, the regulatory assessment, the
# needs survey before service begins and the satisfaction survey after a service.
PERSONALITY, RISK, NEEDS, SATISFACTION = "personality", "risk", "needs", "satisfaction"
