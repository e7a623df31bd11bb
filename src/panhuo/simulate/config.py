"""Simulator settings, its summary, and the A-share fee and price-limit rules it trades by (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

STAMP_DUTY_CUT = date(2023, 8, 28)   # stamp duty on sells fell from 0.1% to 0.05% on this day
TRANSFER_FEE_RATE = 0.00001          # 0.001% of the amount, both sides
MIN_COMMISSION = 5.0
BOARD_LIMITS = {"main": 0.10, "chinext": 0.20, "star": 0.20, "bse": 0.30}
ST_LIMIT = 0.05
BRANCH_ID = "B001"
INDEX_SYMBOLS = ("000001.SH", "000300.SH")
CHANNELS = ("phone", "sms", "email", "visit", "event")
HORIZON_DAYS = 90                    # churn label window after the last written date (calendar days)


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. `end` is a fixed date so that a run never depends on the clock."""

    clients: int = 20_000
    years: float = 2.0
    seed: int = 20261128
    stocks: int = 300
    assets: str = "daily"            # "daily" or "monthly" rows in daily_assets
    end: date = date(2026, 10, 30)
    chunk_clients: int = 50_000      # clients simulated together; part of the seed stream, so keep it fixed

    def __post_init__(self) -> None:
        if self.clients < 1:
            raise ValueError("clients must be at least 1")
        if not 0.25 <= self.years <= 30:
            raise ValueError("years must be between 0.25 and 30")
        if not 50 <= self.stocks <= 5000:
            raise ValueError("stocks must be between 50 and 5,000")
        if self.assets not in ("daily", "monthly"):
            raise ValueError("assets must be 'daily' or 'monthly'")
        if self.chunk_clients < 1:
            raise ValueError("chunk_clients must be positive")

    @property
    def start(self) -> date:
        days = int(round(self.years * 365.25))
        return date.fromordinal(self.end.toordinal() - days + 1)


@dataclass
class SimSummary:
    """What a run wrote: rows per table, the date range and the ceiling a churn model can reach."""

    out_dir: str
    start: date
    end: date
    rows: dict[str, int] = field(default_factory=dict)
    churn_rate_90d: float = 0.0          # among clients alive on `end`
    mean_churn_probability: float = 0.0
    ceiling_auc: float = 0.0             # AUC of churn_probability_90d against churns_in_next_90d
    seconds: float = 0.0
    export_dir: str | None = None


def stamp_duty_rate(days: np.ndarray) -> np.ndarray:
    """Stamp duty rate on sells per trade date (numpy datetime64[D])."""
    cut = np.datetime64(STAMP_DUTY_CUT, "D")
    return np.where(days < cut, 0.001, 0.0005)


def round_cents(x: np.ndarray) -> np.ndarray:
    """Money to the cent, half away from zero as the back office does."""
    return np.sign(x) * np.floor(np.abs(x) * 100.0 + 0.5 + 1e-9) / 100.0
