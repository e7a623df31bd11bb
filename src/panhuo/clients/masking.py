"""Masking of personal data for display. Pure Python, no Django.

ID 110101199001011234 → 110***********1234 (first 3 and last 4 kept, length kept);
phone 13856785678 → 138****5678 (first 3 and last 4 kept).
"""

from __future__ import annotations


def _mask(value: str | None, head: int, tail: int) -> str:
    if not value:
        return ""
    s = str(value).strip()
    if len(s) <= head + tail:
        # Too short to keep both ends without revealing it all: keep only the last character.
        return "*" * (len(s) - 1) + s[-1:] if len(s) > 1 else "*"
    return s[:head] + "*" * (len(s) - head - tail) + s[-tail:]


def mask_id_number(value: str | None) -> str:
    return _mask(value, 3, 4)


def mask_phone(value: str | None) -> str:
    return _mask(value, 3, 4)
