from __future__ import annotations

from django.utils.translation import get_language

from panhuo.workbench.masking import mask_phone


def lang_is_zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def masked_rows(rows) -> list[dict]:
    """List rows with the phone masked: lists never show personal data in clear."""
    out = []
    for r in rows:
        r = dict(r)
        r["phone"] = mask_phone(r.get("phone"))
        out.append(r)
    return out
