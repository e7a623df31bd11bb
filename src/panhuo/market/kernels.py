"""Compiled loops behind the indicators (numba), one pass over a dates × symbols block each.

Why compiled loops and not numpy: a rolling or recursive indicator in numpy is either a Python loop over the
2,500 dates (each step a small ufunc call holding the GIL) or ten full-array passes with temporaries; here
each is one pass with per-column state, NaN tested once per cell. Loops run dates outer and symbols inner,
so every access is a contiguous row. Kernels release the GIL (`nogil`), so the column blocks of
`market.blocks` run on all cores; `cache=True` keeps the compiled code on disk for the next process.
Output (and scratch) arrays come from the caller: numpy allocates them with transparent huge pages, which
makes first touching a 100 MB result far cheaper than numba's own allocation does.

NaN conventions are those of `market.indicators`: a window value is NaN until it holds n valid values and
whenever it holds a NaN; each column starts at its own first valid value.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}   # x/0 gives inf/NaN, no raise
# Explicit signatures on any-layout arrays: compiled (or loaded from the cache) once at import, so no call
# pays for compiling a new layout; inputs typed read-only also take writable arrays (and Arrow's read-only views).
_A2 = types.Array(types.float64, 2, "A")
_R2 = types.Array(types.float64, 2, "A", readonly=True)
_I1, _F1 = types.Array(types.int64, 1, "A", readonly=True), types.Array(types.float64, 1, "A", readonly=True)
_i, _f, _b = types.int64, types.float64, types.boolean


@njit(**_JIT, inline="always")
def _slide(a, t, j, n, s, k, c):
    """Move column j's window of n rows to end at row t: add row t, drop row t - n (NaNs skipped).
    The sum is kept minus the column's first valid value `c[j]`, so it stays small and accurate."""
    x = a[t, j]
    if x == x:
        if c[j] != c[j]:
            c[j] = x
        s[j] += x - c[j]
        k[j] += 1
    if t >= n:
        xo = a[t - n, j]
        if xo == xo:
            s[j] -= xo - c[j]
            k[j] -= 1


@njit(_A2(_R2, _i, _f, _A2), **_JIT)
def rolling_sum(a, n, div, out):
    """Sum of the last n rows. Values are summed minus the column's first valid value, which keeps the
    running sum small, so adding and subtracting along 2,500 rows stays accurate to ~1e-12 relative.
    The sum is divided by `div` on the way out (n for a moving average, saving a pass)."""
    T, N = a.shape
    s = np.zeros(N)
    k = np.zeros(N, np.int64)
    c = np.full(N, np.nan)
    for t in range(T):
        for j in range(N):
            _slide(a, t, j, n, s, k, c)
            out[t, j] = (s[j] + n * c[j]) / div if k[j] == n else np.nan
    return out


@njit(_A2(_R2, _i, _i, _A2), **_JIT)
def rolling_std(a, n, ddof, out):
    """Standard deviation of the last n rows, two-pass per window (exact mean first, then squared
    deviations), so a flat window gives exactly 0 and long series do not drift."""
    T, N = a.shape
    s = np.zeros(N)
    k = np.zeros(N, np.int64)
    c = np.full(N, np.nan)
    m = np.empty(N)
    acc = np.empty(N)
    for t in range(T):
        for j in range(N):
            _slide(a, t, j, n, s, k, c)
            m[j] = s[j] / n + c[j]
            acc[j] = 0.0
        if t < n - 1:
            out[t] = np.nan
            continue
        for i in range(t - n + 1, t + 1):
            for j in range(N):
                d = a[i, j] - m[j]
                acc[j] += d * d
        for j in range(N):
            out[t, j] = np.sqrt(acc[j] / (n - ddof)) if k[j] == n else np.nan
    return out


@njit(_A2(_R2, _i, _b, _A2, _A2), **_JIT)
def rolling_extreme(a, n, want_max, suffix, out):
    """Max (or min) of the last n rows in O(1) per cell (van Herk / Gil–Werman): rows are cut into
    segments of n; a window spans the suffix of one segment and the prefix of the next."""
    T, N = a.shape
    sign = 1.0 if want_max else -1.0
    for t in range(T - 1, -1, -1):
        end = (t % n) == n - 1 or t == T - 1
        for j in range(N):
            x = a[t, j]
            v = sign * x if x == x else -np.inf
            suffix[t, j] = v if end or v > suffix[t + 1, j] else suffix[t + 1, j]
    prefix = np.full(N, -np.inf)
    k = np.zeros(N, np.int64)
    for t in range(T):
        start = (t % n) == 0
        for j in range(N):
            x = a[t, j]
            v = -np.inf
            if x == x:
                v = sign * x
                k[j] += 1
            if t >= n and a[t - n, j] == a[t - n, j]:
                k[j] -= 1
            prefix[j] = v if start or v > prefix[j] else prefix[j]
            if k[j] == n:
                w = suffix[t - n + 1, j]
                out[t, j] = sign * (w if w > prefix[j] else prefix[j])
            else:
                out[t, j] = np.nan
    return out


@njit(_A2(_R2, _f, _I1, _F1, _A2), **_JIT)
def recursive(x, alpha, seed_row, seed, y):
    """y[seed_row] = seed, then y = alpha·x + (1−alpha)·y₋₁ per column; NaN before the seed row, and a
    NaN input carries y forward."""
    T, N = x.shape
    prev = np.empty(N)
    beta = 1.0 - alpha
    for t in range(T):
        for j in range(N):
            r = seed_row[j]
            if t < r:
                y[t, j] = np.nan
                continue
            if t == r:
                v = seed[j]
            else:
                xt = x[t, j]
                v = prev[j] if xt != xt else alpha * xt + beta * prev[j]
            prev[j] = v
            y[t, j] = v
    return y


@njit(_A2(_R2, _R2, _I1, _A2), **_JIT)
def obv(close, volume, first, out):
    """On-balance volume from each column's first valid close: the first volume, then ± volume by the sign
    of the close change (0 when either close is NaN)."""
    T, N = close.shape
    acc = np.zeros(N)
    for t in range(T):
        for j in range(N):
            f = first[j]
            if t < f:
                out[t, j] = np.nan
                continue
            if t == f:
                acc[j] += volume[t, j]
            else:
                d = close[t, j] - close[t - 1, j]
                if d > 0:
                    acc[j] += volume[t, j]
                elif d < 0:
                    acc[j] -= volume[t, j]
            out[t, j] = acc[j]
    return out
