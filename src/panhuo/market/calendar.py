"""The trading calendar: the exchange's sessions, taken from the data (an index trades every session).

SSE and SZSE share one calendar; weekends and the published holidays are closed. Rather than hard-code
holiday tables that go stale, the calendar is the set of dates on which the index (or any bars) has a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np


class TradingCalendar:
    def __init__(self, sessions: Iterable):
        s = np.unique(np.asarray(list(sessions) if not isinstance(sessions, np.ndarray) else sessions,
                                 dtype="datetime64[D]"))
        if s.size == 0:
            raise ValueError("a trading calendar needs at least one session")
        self.sessions = s

    @classmethod
    def from_bars(cls, bars) -> TradingCalendar:
        """Sessions = the distinct trade_date values of a canonical bars frame."""
        return cls(bars["trade_date"].unique().to_numpy())

    def __len__(self) -> int:
        return int(self.sessions.size)

    def __contains__(self, day) -> bool:
        return self.is_session(day)

    def is_session(self, day) -> bool:
        d = np.datetime64(day, "D")
        i = np.searchsorted(self.sessions, d)
        return bool(i < self.sessions.size and self.sessions[i] == d)

    def _check(self, d: np.datetime64) -> None:
        if d < self.sessions[0] or d > self.sessions[-1]:
            raise ValueError(f"{d} is outside the calendar ({self.sessions[0]} .. {self.sessions[-1]})")

    def previous(self, day, *, inclusive: bool = False) -> date:
        """The last session before `day` (on or before, if inclusive)."""
        d = np.datetime64(day, "D")
        i = np.searchsorted(self.sessions, d, side="right" if inclusive else "left") - 1
        if i < 0:
            raise ValueError(f"no session before {d}")
        return self.sessions[i].astype(object)

    def next(self, day, *, inclusive: bool = False) -> date:
        """The first session after `day` (on or after, if inclusive)."""
        d = np.datetime64(day, "D")
        i = np.searchsorted(self.sessions, d, side="left" if inclusive else "right")
        if i >= self.sessions.size:
            raise ValueError(f"no session after {d} in the calendar")
        return self.sessions[i].astype(object)

    def offset(self, day, n: int) -> date:
        """The session n sessions after (n > 0) or before (n < 0) the session `day`."""
        d = np.datetime64(day, "D")
        self._check(d)
        if not self.is_session(d):
            raise ValueError(f"{d} is not a session")
        i = int(np.searchsorted(self.sessions, d)) + n
        if not 0 <= i < self.sessions.size:
            raise ValueError(f"{n} sessions from {d} is outside the calendar")
        return self.sessions[i].astype(object)

    def between(self, start, end) -> np.ndarray:
        """Sessions with start <= session <= end."""
        lo = np.searchsorted(self.sessions, np.datetime64(start, "D"), side="left")
        hi = np.searchsorted(self.sessions, np.datetime64(end, "D"), side="right")
        return self.sessions[lo:hi]

    def count(self, start, end) -> int:
        return int(self.between(start, end).size)
