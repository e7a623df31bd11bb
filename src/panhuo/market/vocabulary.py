"""The market's words, one vocabulary for pages, scripts ({regime}), reports and exports. Pure and light: the web
process imports it without loading the numeric kernels of the regime computation (panhuo.market.regime)."""

from __future__ import annotations

REGIMES = ("strong", "consolidating", "weak")
# The regimes (市道) in the source material's words.
REGIME_ZH = {"strong": "强势市道", "consolidating": "盘整市道", "weak": "弱势市道"}
REGIME_EN = {"strong": "strong", "consolidating": "consolidating", "weak": "weak"}


def regime_words(regime: str | None, lang: str = "zh") -> str:
    """A regime in words: "强势市道" (Chinese) or "strong" (English); empty for none, an unknown code as given."""
    if not regime:
        return ""
    return (REGIME_ZH if lang.startswith("zh") else REGIME_EN).get(regime, regime)
