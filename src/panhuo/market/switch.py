"""Switch suggestions (换股): flag a client's weak holdings and suggest pool candidates, for advisor review.

Only a registered investment advisor (证券投资顾问) may send specific advice; each suggestion names its model
and date and carries the standard risk disclosure. This module knows nothing of users: the caller passes
whether the sender is registered, and the web layer records the sending in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from panhuo.market.panel import Panel
from panhuo.market.reasons import Reason

if TYPE_CHECKING:
    from panhuo.market.pool import PoolEntry

# The models and indicators (numba kernels) are imported where they are used: the web process imports this
# module for Holding and NotRegisteredAdvisor only and should not load a compiler for them.

RISK_DISCLOSURE = ("风险提示：以上内容基于量化模型对历史行情的分析，仅供参考，不构成对收益的承诺或保证。"
                   "股市有风险，投资需谨慎；过往表现不代表未来，请结合自身风险承受能力独立决策。")


class NotRegisteredAdvisor(PermissionError):
    """Raised when someone who is not a registered investment advisor tries to issue switch advice."""


@dataclass(frozen=True)
class Holding:
    symbol: str
    quantity: int
    cost_price: float | None = None


@dataclass(frozen=True)
class WeakHolding:
    symbol: str
    name: str
    close: float
    reasons: tuple[Reason, ...]


@dataclass
class SwitchSuggestion:
    as_of: date
    regime: str
    weak: list[WeakHolding]
    candidates: list[PoolEntry]
    models: list[str]
    disclosure: str = RISK_DISCLOSURE
    requires_review: bool = True
    notes: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class HoldingCheck:
    """The market-wide part of the weak-holding test at one date; computed once, it serves every client."""
    t: int
    close: np.ndarray        # adjusted close at t, per column
    below: np.ndarray        # below MA20 and MA60 with MA20 falling
    ret20: np.ndarray
    laggard: np.ndarray      # 20-session return in the bottom 30 % of the panel
    col: dict


def holding_check(panel: Panel, as_of) -> HoldingCheck:
    from panhuo.market import indicators as ind

    t = panel.index_of(as_of)
    c = panel.close * panel.adj_factor
    m20, m60 = ind.ma(c, 20), ind.ma(c, 60)
    ret20 = c[t] / c[max(t - 20, 0)] - 1
    valid = ~np.isnan(ret20)
    cut = np.nanquantile(ret20[valid], 0.3) if valid.any() else np.nan
    with np.errstate(invalid="ignore"):
        below = (c[t] < m20[t]) & (c[t] < m60[t]) & ((m20[t] < m20[t - 5]) if t >= 5 else False)
        laggard = valid & (ret20 <= cut)
    return HoldingCheck(t, c[t], np.asarray(below), ret20, laggard, {s: j for j, s in enumerate(panel.symbols)})


def weak_holdings(panel: Panel, holdings: list[Holding], as_of, *, check: HoldingCheck | None = None) -> list[WeakHolding]:
    """A holding is weak when at least two signs agree: below MA20 and MA60 with MA20 falling, 20-session
    return in the bottom 30 % of the panel, a loss of more than 10 % against its cost. Pass `check` (from
    holding_check) to test many clients' holdings without recomputing the panel's averages."""
    k = check or holding_check(panel, as_of)
    t = k.t
    out = []
    for h in holdings:
        j = k.col.get(h.symbol)
        if j is None:
            continue
        signs = []
        if k.below[j]:
            signs.append(Reason("weak.below_ma"))
        if k.laggard[j]:
            signs.append(Reason("weak.laggard", {"ret20": float(k.ret20[j])}))
        if h.cost_price and panel.close[t, j] < 0.9 * h.cost_price:
            signs.append(Reason("weak.loss", {"cost": h.cost_price, "loss": 1 - float(panel.close[t, j]) / h.cost_price}))
        if len(signs) >= 2:
            out.append(WeakHolding(h.symbol, str(panel.names[j]), float(panel.close[t, j]), tuple(signs)))
    return out


def suggest_switch(panel: Panel, holdings: list[Holding], as_of, *, regime: str, sender_is_registered_advisor: bool,
                   model_names: list[str] | None = None, top: int = 5) -> SwitchSuggestion:
    """Weak holdings and replacement candidates from the pools of the models for today's regime."""
    if not sender_is_registered_advisor:
        raise NotRegisteredAdvisor("only registered investment advisors may issue switch suggestions")
    from panhuo.market.models import get_model, models_for
    from panhuo.market.pool import daily_pool
    from panhuo.market.vocabulary import REGIME_ZH

    models = [get_model(n) for n in model_names] if model_names else models_for(regime)
    weak = weak_holdings(panel, holdings, as_of)
    held = {h.symbol for h in holdings}
    cands: list[PoolEntry] = []
    for m in models:
        cands += [e for e in daily_pool(panel, m, as_of, top=top * 2) if e.symbol not in held][:top]
    t = panel.index_of(as_of)
    notes = [] if weak else [Reason("note.no_weak")]
    if not cands:
        notes.append(Reason("note.empty_pool", {"regime": regime, "regime_zh": REGIME_ZH.get(regime, regime)}))
    return SwitchSuggestion(as_of=panel.dates[t].astype(object), regime=regime, weak=weak,
                            candidates=cands if weak else [], models=[m.name for m in models], notes=notes)
