from __future__ import annotations

from django.utils.translation import get_language

from panhuo.analytics.segments import load_config
from panhuo.clients.masking import mask_phone
from panhuo.clients.models import Lifecycle

_LIFECYCLE = dict(Lifecycle.choices)


def segment_choices(section: str, zh: bool) -> list[tuple[str, str]]:
    """(key, label) of a segment from analytics/segments.toml, which carries its own Chinese and English."""
    cfg = load_config()[section]
    return [(b["key"], b["zh" if zh else "en"]) for b in [*cfg["bands"], cfg["none"]]]


def lang_is_zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def masked_rows(rows) -> list[dict]:
    """List rows with the phone masked (lists never show personal data in clear) and segments labelled."""
    tiers = dict(segment_choices("tier", lang_is_zh()))
    out = []
    for r in rows:
        r = dict(r)
        r["phone"] = mask_phone(r.get("phone"))
        r["tier_label"] = tiers.get(r.get("snap__tier"), r.get("snap__tier") or "")
        r["lifecycle_label"] = _LIFECYCLE.get(r.get("snap__lifecycle"), r.get("snap__lifecycle") or "")
        out.append(r)
    return out
