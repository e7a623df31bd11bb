"""What a trading model hands the backtester: where to buy, where to sell, and how to rank candidates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Signals:
    """Decisions made at the close of each day (rows = dates, columns = symbols), acted on at the next open.

    `entries` marks buy candidates, `exits` marks positions to sell, `score` ranks candidates (higher is
    better; NaN never chosen first), `max_hold` sells after that many sessions (0 = no limit).
    """

    entries: np.ndarray
    exits: np.ndarray
    score: np.ndarray
    max_hold: int = 0

    def __post_init__(self) -> None:
        if not (self.entries.shape == self.exits.shape == self.score.shape):
            raise ValueError("entries, exits and score must have the same shape")
        self.entries = np.asarray(self.entries, dtype=bool)
        self.exits = np.asarray(self.exits, dtype=bool)
        self.score = np.asarray(self.score, dtype=float)
        nan = np.isnan(self.score)
        if nan.any():
            self.score = np.where(nan, -np.inf, self.score)


def crossover(fast: np.ndarray, slow: np.ndarray) -> Signals:
    """Buy when fast crosses above slow, sell when it crosses below; earlier crosses rank equal (score 0)."""
    above = fast > slow
    prev = np.vstack([np.zeros((1, above.shape[1]), dtype=bool), above[:-1]])
    valid = ~np.isnan(fast) & ~np.isnan(slow)
    return Signals(entries=above & ~prev & valid, exits=~above & prev & valid, score=np.zeros(above.shape))
