from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

from panhuo.analytics.segments import load_config
from panhuo.clients.masking import mask_phone
from panhuo.clients.models import Lifecycle
from panhuo.formatting import cn_amount, cn_percent

_LIFECYCLE = dict(Lifecycle.choices)


def segment_choices(section: str, zh: bool) -> list[tuple[str, str]]:
    """(key, label) of a segment from analytics/segments.toml, which carries its own Chinese and English."""
    cfg = load_config()[section]
    return [(b["key"], b["zh" if zh else "en"]) for b in [*cfg["bands"], cfg["none"]]]


def lang_is_zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def client_link():
    """reverse("workbench:client", args=[code]) for many rows: the prefix resolved once, the code quoted as
    reverse quotes it (tests/workbench/test_page_rows.py pins the two equal)."""
    prefix = reverse("workbench:client", args=["-"])[:-2]
    return lambda client_id: f"{prefix}{quote(client_id, safe=RFC3986_SUBDELIMS + '/~:@')}/"


def masked_rows(rows) -> list[dict]:
    """List rows with the phone masked (lists never show personal data in clear), segments labelled, and the
    link and figures written here once (the template engine pays per node and per filter on every row)."""
    lang = get_language() or "zh-hans"
    tiers = dict(segment_choices("tier", lang_is_zh()))
    client_url = client_link()
    out = []
    for r in rows:
        r = dict(r)
        r["phone"] = mask_phone(r.get("phone"))
        r["tier_label"] = tiers.get(r.get("snap__tier"), r.get("snap__tier") or "")
        r["lifecycle_label"] = _LIFECYCLE.get(r.get("snap__lifecycle"), r.get("snap__lifecycle") or "")
        r["url"] = client_url(r["client_id"])
        r["assets_text"] = cn_amount(r.get("snap__total_assets"), lang=lang)
        r["churn_text"] = cn_percent(r.get("snap__churn_risk"))
        out.append(r)
    return out
