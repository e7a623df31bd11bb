"""Reasons as code + figures: every code renders in Chinese and in English from the same stored form."""

from __future__ import annotations

import json
import re
import string

from panhuo.market.reasons import TEMPLATES, Reason, lang_of, render

CJK = re.compile(r"[\u4e00-\u9fff]")


def _params(code: str) -> dict:
    zh, en = TEMPLATES[code]
    fields = {f for t in (zh, en) for _, f, _, _ in string.Formatter().parse(t) if f}
    return {f: ("weak" if f == "regime" else "弱势" if f == "regime_zh" else 0.1234) for f in fields}


def test_every_code_renders_in_both_languages_from_stored_json():
    for code, (zh, en) in TEMPLATES.items():
        fz = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        fe = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        assert fz - {"regime_zh"} == fe - {"regime"}, code               # both quote the same figures
        r = Reason(code, _params(code))
        stored = json.loads(json.dumps(r.as_json()))
        assert render(stored, "zh") == r.text("zh") == str(r) and CJK.search(r.text("zh")), code
        assert render(stored, "en") == r.text("en") and not CJK.search(r.text("en")), code


def test_figures_nan_and_legacy_text():
    r = Reason("weak.laggard", {"ret20": -0.1234567})
    assert r.text("zh") == "20日涨幅-12.3%，处于全市场后30%"
    assert r.text("en") == "20-session return -12.3%, in the bottom 30% of the market"
    assert Reason("weak.laggard", {"ret20": float("nan")}).as_json() == {"code": "weak.laggard", "params": {"ret20": None}}
    assert render("旧的中文理由", "en") == "旧的中文理由"            # rows stored before reasons had codes
    assert lang_of("en-us") == "en" and lang_of("zh-hans") == "zh" and lang_of(None) == "zh"
