"""The knobs of an allocation, one per principle or factor of the material (see docs/allocation.md).

Weights are costs in the same unit: moving one existing relationship costs `move_cost`; each mismatch between
a client and an advisor costs its weight. `move_cost` is larger than all mismatch weights together, so no client
is moved for a better match alone: a client keeps their advisor unless a rule (capacity, the VIP rule, the
fairness band, a departed advisor) needs the move, and when some clients must move, the best-matched move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

Measure = Literal["clients", "assets", "dormant"]

# Which advisor specialties (the simulator's and the back office's words) serve a client's trading style,
# risk level and product preference. A client whose style needs none of an advisor's specialties is a mismatch.
STYLE_SPECIALTIES = MappingProxyType({
    "high_frequency": ("量化交易", "两融业务", "期权"),
    "short_term": ("量化交易", "两融业务", "新股申购", "期权"),
    "medium_term": ("成长股", "行业研究", "两融业务"),
    "long_term": ("价值投资", "基金配置", "债券理财", "行业研究"),
})
RISK_SPECIALTIES = MappingProxyType({
    "C1": ("债券理财", "基金配置"),
    "C2": ("债券理财", "基金配置", "价值投资"),
    "C4": ("成长股", "两融业务", "量化交易", "期权", "行业研究"),
    "C5": ("期权", "两融业务", "量化交易"),
})
PREFERENCE_SPECIALTIES = MappingProxyType({
    "stock": ("价值投资", "成长股", "行业研究"),
    "fund": ("基金配置",),
    "bond": ("债券理财",),
    "margin": ("两融业务",),
    "option": ("期权",),
    "ipo": ("新股申购",),
    "quant": ("量化交易",),
})


@dataclass(frozen=True)
class Settings:
    # 公平 (fairness): within each advisor level, every active advisor's clients, assets and dormant clients per
    # unit of effective capacity lie within ±band of the level's mean. A hard constraint.
    band: float = 0.10
    balance: tuple[Measure, ...] = ("clients", "assets", "dormant")
    # Continuity: the cost of moving one client who has an active advisor to another advisor.
    move_cost: float = 100.0
    # 区域 / 客户背景 (region): client and advisor in different regions.
    region_cost: float = 20.0
    # 客户 / 投资偏好 / 交易活跃度 (fit): the advisor has none of the specialties the client's style, risk level or
    # product preference calls for.
    style_cost: float = 10.0
    risk_cost: float = 10.0
    preference_cost: float = 10.0
    style_specialties: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: STYLE_SPECIALTIES)
    risk_specialties: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: RISK_SPECIALTIES)
    preference_specialties: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: PREFERENCE_SPECIALTIES)
    # 资金实力 (financial strength): clients of these tiers only with advisors of these levels. A hard rule.
    vip_tiers: tuple[str, ...] = ("vip",)
    vip_levels: tuple[str, ...] = ("senior", "principal")
    # 生产 (capacity): a new hire serves ramp_start of their capacity on the hire date, rising linearly to all of
    # it after ramp_days. as_of is the date the ramp is read at (None: today).
    ramp_days: int = 180
    ramp_start: float = 0.5
    as_of: date | None = None
    # More clients than the active advisors' total capacity: "refuse" raises InfeasibleAllocation naming the
    # shortfall; "share" stretches every capacity by the same factor, so the overload is shared in proportion.
    over_capacity: Literal["refuse", "share"] = "refuse"
    # A wall-time cap for the LP solver.
    time_limit: float = 60.0

    def __post_init__(self):
        if not 0 < self.band < 1:
            raise ValueError(f"band must lie between 0 and 1, not {self.band}")
        unknown = set(self.balance) - {"clients", "assets", "dormant"}
        if unknown:
            raise ValueError(f"unknown balance measures: {sorted(unknown)}")
        if self.over_capacity not in ("refuse", "share"):
            raise ValueError(f"over_capacity must be 'refuse' or 'share', not {self.over_capacity!r}")
        if min(self.move_cost, self.region_cost, self.style_cost, self.risk_cost, self.preference_cost) < 0:
            raise ValueError("costs must not be negative")
        if not 0 < self.ramp_start <= 1:
            raise ValueError(f"ramp_start must lie in (0, 1], not {self.ramp_start}")

    @property
    def max_mismatch(self) -> float:
        return self.region_cost + self.style_cost + self.risk_cost + self.preference_cost
