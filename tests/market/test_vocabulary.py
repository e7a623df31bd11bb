"""One regime vocabulary, in the source material's words, for pages, scripts and reports."""

from __future__ import annotations

from panhuo.market.reasons import Reason
from panhuo.market.vocabulary import REGIME_ZH, REGIMES, regime_words


def test_a_regime_has_one_name_in_each_language():
    assert [regime_words(r) for r in REGIMES] == ["强势市道", "盘整市道", "弱势市道"]
    assert [regime_words(r, "en") for r in REGIMES] == ["strong", "consolidating", "weak"]
    assert regime_words(None) == "" and regime_words("unknown", "zh-hans") == "unknown"


def test_the_empty_pool_note_says_the_regime_once():
    note = Reason("note.empty_pool", {"regime": "weak", "regime_zh": REGIME_ZH["weak"]})
    assert note.text("zh") == "当前弱势市道下模型股票池为空"
    assert note.text("en") == "the pools of the models are empty in the current weak market"
