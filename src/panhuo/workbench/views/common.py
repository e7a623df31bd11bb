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


_SLOT = "987654321"    # an argument every path converter in use (str, int) accepts, and no path holds


def path_maker(viewname: str):
    """reverse(viewname, args=[x]) for many rows: the path around the one argument resolved once, the argument
    quoted as reverse quotes it (tests/workbench/test_page_rows.py pins the two equal)."""
    before, after = reverse(viewname, args=[_SLOT]).split(_SLOT)
    return lambda arg: f"{before}{quote(str(arg), safe=RFC3986_SUBDELIMS + '/~:@')}{after}"


def masked_rows(rows) -> list[dict]:
    """List rows with the phone masked (lists never show personal data in clear), segments labelled, and the
    link and figures written here once (the template engine pays per node and per filter on every row)."""
    lang = get_language() or "zh-hans"
    tiers = dict(segment_choices("tier", lang_is_zh()))
    client_url = path_maker("workbench:client")
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
