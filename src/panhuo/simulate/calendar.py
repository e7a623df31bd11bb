"""A-share trading calendar: weekdays minus the exchange's long holidays.

The Spring Festival dates are a fixed table (lunar calendar); the shorter holidays that move with the lunar
calendar (Dragon Boat, Mid-Autumn) are left out, which costs at most two trading days a year.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

SPRING_FESTIVAL = {
    2010: date(2010, 2, 14), 2011: date(2011, 2, 3), 2012: date(2012, 1, 23), 2013: date(2013, 2, 10),
    2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28),
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8), 2036: date(2036, 1, 28), 2037: date(2037, 2, 15),
}


def holidays(year: int) -> set[date]:
    days = {date(year, 1, 1), date(year, 4, 4), date(year, 4, 5)}
    days |= {date(year, 5, d) for d in range(1, 6)} | {date(year, 10, d) for d in range(1, 8)}
    sf = SPRING_FESTIVAL.get(year)
    if sf is not None:
        days |= {sf + timedelta(days=k) for k in range(-1, 6)}
    return days


def trading_days(start: date, end: date) -> np.ndarray:
    """Trading days in [start, end] as datetime64[D]."""
    off: set[date] = set()
    for y in range(start.year, end.year + 1):
        off |= holidays(y)
    out = []
    d = start
    while d <= end:
        if d.weekday() < 5 and d not in off:
            out.append(d)
        d += timedelta(days=1)
    return np.array(out, dtype="datetime64[D]")


def month_end_mask(days: np.ndarray) -> np.ndarray:
    """True on the last trading day of each calendar month (and on the last day given)."""
    months = days.astype("datetime64[M]")
    mask = np.ones(len(days), dtype=bool)
    mask[:-1] = months[1:] != months[:-1]
    return mask
