"""Plain-language churn reasons from a model's per-feature contributions, in Chinese and English.

A reason is the feature that pushed a client's risk up the most, stated with the client's own value
(e.g. 近90天转出资产62% / "Moved 62% of assets out in 90 days"), so an advisor can act on it.

The contact inputs make one reason, 沟通过少 / "Little contact from the advisor", from their summed
contribution, and only for a client the advisor has not been in touch with for LITTLE_CONTACT_DAYS: where
advisors call the clients they worry about, recent contact can raise a score too, and calling that
"little contact" would not explain it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from panhuo.formatting import cn_amount


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def _cny(v: float) -> str:
    """Amounts as on the pages (panhuo.formatting): 23.41万, 1.63亿."""
    return cn_amount(v, lang="zh-hans")


def _cny_en(v: float) -> str:
    return f"CNY {cn_amount(v, lang='en')}"


Template = Callable[[float], tuple[str, str]]

TEMPLATES: dict[str, Template] = {
    "moved_out_share_90d": lambda v: (f"近90天转出资产{_pct(v)}", f"Moved {_pct(v)} of assets out in 90 days"),
    "days_since_last_trade": lambda v: (f"已{v:.0f}天未交易", f"No trade for {v:.0f} days"),
    "trading_days_30d": lambda v: (f"近30天交易{v:.0f}天", f"Traded on {v:.0f} days in the last 30"),
    "trading_days_90d": lambda v: (f"近90天交易{v:.0f}天", f"Traded on {v:.0f} days in the last 90"),
    "trading_days_365d": lambda v: (f"近一年交易{v:.0f}天", f"Traded on {v:.0f} days in the last year"),
    "trades_90d": lambda v: (f"近90天成交{v:.0f}笔", f"{v:.0f} trades in 90 days"),
    "amount_90d": lambda v: (f"近90天成交额{_cny(v)}", f"Traded {_cny_en(v)} in 90 days"),
    "commission_365d": lambda v: (f"近一年佣金{_cny(v)}", f"Commission {_cny_en(v)} in a year"),
    "turnover_6m": lambda v: (f"近半年资金周转率{v:.1f}倍", f"6-month turnover {v:.1f}x"),
    "assets_now": lambda v: (f"总资产{_cny(v)}", f"Total assets {_cny_en(v)}"),
    "asset_change_90d": lambda v: (f"近90天资产{'减少' if v < 0 else '增加'}{_pct(abs(v))}",
                                   f"Assets {'down' if v < 0 else 'up'} {_pct(abs(v))} in 90 days"),
    "net_transfer_30d": lambda v: (f"近30天净{'转出' if v < 0 else '转入'}{_cny(abs(v))}",
                                   f"Net transfer {'out' if v < 0 else 'in'} of {_cny_en(abs(v))} in 30 days"),
    "net_transfer_90d": lambda v: (f"近90天净{'转出' if v < 0 else '转入'}{_cny(abs(v))}",
                                   f"Net transfer {'out' if v < 0 else 'in'} of {_cny_en(abs(v))} in 90 days"),
    "transfers_out_90d": lambda v: (f"近90天转出{v:.0f}次", f"{v:.0f} transfers out in 90 days"),
    "lifetime_pnl_pct": lambda v: (f"累计{'亏损' if v < 0 else '盈利'}{_pct(abs(v))}",
                                   f"{'Down' if v < 0 else 'Up'} {_pct(abs(v))} on all money deposited"),
    "holdings_change_90d": lambda v: (f"近90天持仓市值{'减少' if v < 0 else '增加'}{_pct(abs(v))}",
                                      f"Holdings {'down' if v < 0 else 'up'} {_pct(abs(v))} in 90 days"),
    "overdue_ratio": lambda v: (f"未交易时间为平时间隔的{v:.1f}倍", f"Silent for {v:.1f}x the usual gap between trades"),
    "drawdown_from_peak": lambda v: (f"资产较一年高点回撤{_pct(v)}", f"Assets {_pct(v)} below their 1-year peak"),
    "return_90d": lambda v: (f"近90天收益{_pct(v)}", f"90-day return {_pct(v)}"),
    "return_ytd": lambda v: (f"今年以来收益{_pct(v)}", f"Return this year {_pct(v)}"),
    "excess_return_ytd": lambda v: (f"今年以来{'跑输' if v < 0 else '跑赢'}沪深300 {_pct(abs(v))}",
                                    f"{'Behind' if v < 0 else 'Ahead of'} the CSI 300 by {_pct(abs(v))} this year"),
    "excess_return_90d": lambda v: (f"近90天{'跑输' if v < 0 else '跑赢'}沪深300 {_pct(abs(v))}",
                                    f"{'Behind' if v < 0 else 'Ahead of'} the CSI 300 by {_pct(abs(v))} in 90 days"),
    "unrealised_pnl_pct": lambda v: (f"持仓浮{'亏' if v < 0 else '盈'}{_pct(abs(v))}",
                                     f"Holdings {_pct(abs(v))} {'under' if v < 0 else 'over'} cost"),
    "position_level": lambda v: (f"仓位{_pct(v)}", f"Position level {_pct(v)}"),
    "instruments_held": lambda v: (f"持有{v:.0f}只证券", f"Holds {v:.0f} securities"),
    "days_since_last_contact": lambda v: (f"已{v:.0f}天未联系", f"Not contacted for {v:.0f} days"),
    "contacts_90d": lambda v: (f"近90天联系{v:.0f}次", f"{v:.0f} contacts in 90 days"),
    "reached_90d": lambda v: (f"近90天联系上{v:.0f}次", f"Reached {v:.0f} times in 90 days"),
    "days_since_last_buy": lambda v: (f"已{v:.0f}天未买入", f"No buy for {v:.0f} days"),
    "buy_share_90d": lambda v: (f"近90天买入占成交{_pct(v)}", f"Buys {_pct(v)} of 90-day turnover"),
    "days_since_last_deposit": lambda v: (f"已{v:.0f}天未转入资金", f"No deposit for {v:.0f} days"),
    "transfers_in_90d": lambda v: (f"近90天转入{v:.0f}次", f"{v:.0f} deposits in 90 days"),
    "activity_trend_30d": lambda v: (f"近30天交易频率为全年平均的{_pct(v)}", f"Trading in the last 30 days at {_pct(v)} of the yearly pace"),
    "activity_trend_90d": lambda v: (f"近90天交易频率为全年平均的{_pct(v)}", f"Trading in the last 90 days at {_pct(v)} of the yearly pace"),
    "selling_since_buy_days": lambda v: (f"末次买入后{v:.0f}天只卖不买", f"Only sells in the {v:.0f} days after the last buy"),
    "account_age_days": lambda v: (f"开户{v / 365:.1f}年", f"Client for {v / 365:.1f} years"),
}

MISSING: dict[str, tuple[str, str]] = {
    "days_since_last_trade": ("从未交易", "Never traded"),
    "days_since_last_contact": ("从未联系", "Never contacted"),
    "contacts_90d": ("无服务记录", "No contact records"),
    "reached_90d": ("无服务记录", "No contact records"),
    "unrealised_pnl_pct": ("无持仓", "No holdings"),
    "position_level": ("无资产", "No assets"),
    "overdue_ratio": ("从未交易", "Never traded"),
    "days_since_last_buy": ("从未买入", "Never bought"),
    "days_since_last_deposit": ("从未转入资金", "Never deposited"),
    "buy_share_90d": ("近90天无成交", "No trades in 90 days"),
    "activity_trend_30d": ("近一年无交易", "No trades in a year"),
    "activity_trend_90d": ("近一年无交易", "No trades in a year"),
    "selling_since_buy_days": ("从未买入", "Never bought"),
    "holdings_change_90d": ("90天前无持仓", "No holdings 90 days ago"),
    "asset_change_90d": ("90天前无资产", "No assets 90 days ago"),
    "turnover_6m": ("近半年无资产", "No assets in the last six months"),
    "lifetime_pnl_pct": ("无累计转入", "No net deposits on record"),
    "drawdown_from_peak": ("近一年无资产", "No assets in the last year"),
    "return_90d": ("90天前无资产", "No assets 90 days ago"),
    "excess_return_90d": ("90天前无资产", "No assets 90 days ago"),
    "return_ytd": ("年初无资产", "No assets at the start of the year"),
    "excess_return_ytd": ("年初无资产", "No assets at the start of the year"),
    "assets_now": ("无资产", "No assets"),
}


CONTACT_FEATURES = ("days_since_last_contact", "contacts_90d", "reached_90d")   # the first words the reason
LITTLE_CONTACT_DAYS = 90    # no contact in the 90-day window of contacts_90d (or never)


def contact_reason(days: float) -> tuple[str, str]:
    """The 沟通过少 reason, with the client's days since the last contact (NaN: never contacted)."""
    if math.isnan(days):
        return "沟通过少（从未联系）", "Little contact from the advisor (never contacted)"
    return f"沟通过少（已{days:.0f}天未联系）", f"Little contact from the advisor (none for {days:.0f} days)"


def _merge_contact(lower: np.ndarray, contrib: np.ndarray, values: np.ndarray, names: list[str]) -> int | None:
    """In `lower` (-contrib, the sort key), the contact inputs' summed contribution in the first one's column,
    kept only for the clients out of touch for LITTLE_CONTACT_DAYS (0 for the others and the other contact
    columns, so no reason is worded from them). Returns that column, None without contact inputs."""
    if CONTACT_FEATURES[0] not in names:
        return None
    cols = [names.index(n) for n in CONTACT_FEATURES if n in names]
    lead = cols[0]
    days = values[:, lead]
    out_of_touch = np.isnan(days) | (days >= LITTLE_CONTACT_DAYS)
    summed = contrib[:, cols].sum(axis=1)
    lower[:, cols] = 0.0
    lower[:, lead] = np.where(out_of_touch, -summed, 0.0)
    return lead


def describe(feature: str, value: float | None) -> tuple[str, str]:
    """(Chinese, English) wording of one feature's value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING.get(feature, (f"{feature}缺失", f"{feature} missing"))
    template = TEMPLATES.get(feature)
    return template(float(value)) if template else (f"{feature}={value:.4g}", f"{feature}={value:.4g}")


def top_reasons(contrib: np.ndarray, values: np.ndarray, names: list[str], k: int = 3
                ) -> tuple[list[list[str]], list[list[str]]]:
    """The k features that raised each row's score most (positive contributions only), worded zh and en.

    `contrib` is rows x features (the bias column removed), `values` the same rows' feature values.
    """
    lower = -contrib     # a new array (the caller's is left alone): a million clients' is some 300 MB
    contact = _merge_contact(lower, contrib, values, names)
    order = np.argsort(lower, axis=1)[:, :k]
    # A row's reasons are the leading slots with a positive contribution (sorted, so they are a prefix),
    # flattened row after row. Each feature's values are worded once per distinct value (by bit pattern, so
    # -0.0 and 0.0 stay apart): a million clients' three reasons are ~2M wordings, most of them repeats.
    kept = np.take_along_axis(lower, order, axis=1) < 0
    row, slot = np.nonzero(kept)
    cols = order[row, slot]
    vals = values[row, cols]
    zh_flat = np.empty(len(cols), dtype=object)
    en_flat = np.empty(len(cols), dtype=object)
    for j in np.unique(cols):
        at = np.flatnonzero(cols == j)
        v = np.ascontiguousarray(vals[at])
        _, first, inverse = np.unique(v.view(np.int64), return_index=True, return_inverse=True)
        words = [contact_reason(x) if j == contact else describe(names[j], x) for x in v[first]]
        zh_flat[at] = np.array([w[0] for w in words], dtype=object)[inverse]
        en_flat[at] = np.array([w[1] for w in words], dtype=object)[inverse]
    ends = np.cumsum(kept.sum(axis=1)).tolist()
    starts = [0, *ends[:-1]] if ends else []
    zh, en = zh_flat.tolist(), en_flat.tolist()
    return [zh[a:b] for a, b in zip(starts, ends, strict=True)], [en[a:b] for a, b in zip(starts, ends, strict=True)]
