"""Why a stock is in a pool or a holding looks weak: a code and its figures, rendered in Chinese or English.

Reasons are stored structured ({"code", "params"}, in MarketDay pools and switch drafts), so each page renders
them in the reader's language. `market` imports no Django, so the two languages live in this table rather
than in the gettext catalogue; a test checks both render for every code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# code -> (Chinese, English); str.format fields name the params.
TEMPLATES: dict[str, tuple[str, str]] = {
    "high_sell_low_buy": (
        "60日箱体振幅{width:.0%}、MA60变动{drift:.1%}；收盘位于箱体{pos:.0%}处，RSI6={rsi6:.0f}，低吸",
        "60-session range {width:.0%} wide, MA60 moved {drift:.1%}; close at {pos:.0%} of the range, "
        "RSI6 = {rsi6:.0f}: buy low"),
    "rebound": (
        "10日跌幅{drop:.1%}，前日RSI6={rsi6_prev:.0f}超卖，今日收阳{day:+.1%}，博反弹",
        "fell {drop:.1%} in 10 sessions, RSI6 = {rsi6_prev:.0f} oversold the day before, closed up {day:+.1%} "
        "today: a rebound play"),
    "chip_concentration": (
        "90%筹码集中度{conc:.1%}，平均成本{cost:.2f}，股价高于成本{above:.1%}，获利盘{profit:.0%}，MA20上行",
        "90% of chips within {conc:.1%}, average cost {cost:.2f}, price {above:.1%} above it, {profit:.0%} of "
        "chips in profit, MA20 rising"),
    "sector_leader": (
        "20日涨幅{ret20:.1%}，强于行业内{pct:.0%}的同业，20日涨停{lu20:.0f}次，所在行业强于市场{strength:+.1%}",
        "up {ret20:.1%} in 20 sessions, ahead of {pct:.0%} of its industry peers, {lu20:.0f} limit-up closes "
        "in 20 sessions, industry {strength:+.1%} ahead of the market"),
    "dark_horse": (
        "{base:.0f}日底部振幅{base_width:.0%}，放量{vol_ratio:.1f}倍突破平台高点{breakout:+.1%}",
        "{base:.0f}-session base {base_width:.0%} wide, broke out {breakout:+.1%} above its high on "
        "{vol_ratio:.1f}× volume"),
    "weak.below_ma": ("股价位于MA20与MA60之下且MA20下行", "below MA20 and MA60, MA20 falling"),
    "weak.laggard": ("20日涨幅{ret20:.1%}，处于全市场后30%", "20-session return {ret20:.1%}, in the bottom 30% of the market"),
    "weak.loss": ("较成本价{cost:.2f}亏损{loss:.0%}", "{loss:.0%} below the cost price {cost:.2f}"),
    "note.no_weak": ("持仓未见明显弱势股，无需换股", "no clearly weak holding: no switch needed"),
    "note.empty_pool": ("当前{regime_zh}下模型股票池为空", "the pools of the models are empty in the current {regime} market"),
}


def lang_of(language_code: str | None) -> str:
    """"en" for an English language code (en, en-us), else "zh" (the default UI language)."""
    return "en" if (language_code or "").lower().startswith("en") else "zh"


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        zh, en = TEMPLATES[self.code]
        # NaN is stored as null (JSON has no NaN); render it as "nan" as a float would.
        params = {k: (math.nan if v is None else v) for k, v in self.params.items()}
        return (en if lang == "en" else zh).format(**params)

    def __str__(self) -> str:
        return self.text("zh")

    def as_json(self) -> dict:
        """{"code", "params"} with floats rounded to 6 decimals and NaN as null."""
        def num(v):
            if isinstance(v, str):
                return v
            v = float(v)
            return None if math.isnan(v) else round(v, 6)
        return {"code": self.code, "params": {k: num(v) for k, v in self.params.items()}}


def render(stored, lang: str = "zh") -> str:
    """Text of a stored reason ({"code", "params"}); a plain string (rows written before reasons had codes)
    is returned as it is."""
    if isinstance(stored, dict) and stored.get("code") in TEMPLATES:
        return Reason(stored["code"], stored.get("params") or {}).text(lang)
    return str(stored)
