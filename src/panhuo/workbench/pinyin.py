"""Pinyin search keys for client names: staff type `ljb` or `liujunb` for 刘军斌 on a phone keyboard.

Keys are computed on demand and memoised per name (a branch has tens of thousands of names; the first search
after a restart computes them once, in well under a second)."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

QUERY = re.compile(r"[a-z]{2,}")


@lru_cache(maxsize=200_000)
def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lower case, no tones or spaces: 刘军斌 → ("ljb", "liujunbin")."""
    syllables = lazy_pinyin(name or "", errors="ignore")
    return "".join(s[:1] for s in syllables).lower(), "".join(syllables).lower()


def is_pinyin_query(q: str) -> bool:
    return bool(QUERY.fullmatch(q.lower()))


def name_matches(name: str, q: str) -> bool:
    """Initials from the start (ljb, lj) or the full pinyin from the start of any syllable run (liujun, junbin)."""
    initials, full = name_keys(name)
    q = q.lower()
    return initials.startswith(q) or q in full
