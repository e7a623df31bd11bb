"""Products named in a text: investor education (投资者教育) must carry no product promotion, so an education event's
materials that name a fund, a stock or a financial product are flagged and cannot be approved (docs/events.md).

A mention is: a six-digit security code (沪深 stocks and funds: 600519, 000001, 510300, 159915) or with its market
(SH600519, 600519.SH); a fund or product name (a name ending in 基金, 理财, 资管计划, 集合计划, 信托, ETF, LOF, 债券
before 基金 …); a call to buy or subscribe (认购, 申购, 抢购, 买入 … with 产品/基金/本产品). Words that name a class
of products in general (基金是什么, 什么是ETF, 股票和基金的区别) are teaching and pass: a mention needs a proper name
before the product word (at least two characters that are not a generic word) or a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"(?<![0-9A-Za-z])(?:(?:SH|SZ|BJ)\s?)?([0-9]{6})(?:\.(?:SH|SZ|BJ))?(?![0-9])", re.IGNORECASE)
# A proper name (2-12 CJK or Latin characters) followed by a product word.
_NAMED = re.compile(r"([\u4e00-\u9fffA-Za-z0-9]{2,12}?)(混合型基金|股票型基金|债券型基金|指数基金|货币基金|基金|理财产品|"
                    r"资管计划|集合计划|信托计划|ETF|LOF|收益凭证)")
_CALL = re.compile(r"(认购|申购|抢购|购买|买入|定投|认筹)(本|该|这只|这款|此|我们的|新发)?(产品|基金|理财|计划)")
# Names that are no product: general words before a product word (什么是基金, 股票和基金, 公募基金).
_GENERIC = ("什么是", "什么", "股票和", "股票与", "公募", "私募", "各类", "一般", "投资", "购买", "了解", "认识",
            "选择", "挑选", "买卖", "场内", "场外", "关于", "主动型", "被动型", "开放式", "封闭式", "宽基", "行业",
            "这类", "此类", "一只", "哪些", "不同", "常见", "新发", "指数", "如何选", "如何", "怎样", "看懂")
_YEARS = re.compile(r"^(19|20)\d{4}$")   # 202406: a year and month, not a code


@dataclass(frozen=True)
class Mention:
    kind: str        # "code" | "name" | "call"
    matched: str
    start: int
    end: int


def product_mentions(text: str) -> list[Mention]:
    """Every product named or promoted in `text`, in order."""
    text = text or ""
    out: list[Mention] = []
    for m in _CODE.finditer(text):
        if _YEARS.match(m.group(1)):
            continue
        out.append(Mention("code", m.group(0), m.start(), m.end()))
    for m in _NAMED.finditer(text):
        name = m.group(1)
        if any(name.endswith(g) or name == g for g in _GENERIC) or name.isdigit():
            continue
        out.append(Mention("name", m.group(0), m.start(), m.end()))
    for m in _CALL.finditer(text):
        out.append(Mention("call", m.group(0), m.start(), m.end()))
    return sorted(out, key=lambda x: x.start)
