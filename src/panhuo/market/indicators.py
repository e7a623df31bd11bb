"""Technical indicators, vectorised over every symbol at once.

Inputs are 2-D arrays (rows = dates, columns = symbols) or 1-D series; leading NaN (before a stock lists)
is allowed and each column starts its own warm-up at its first valid value. Two conventions:

* ``"talib"`` — TA-Lib: EMA seeded with the simple average of its first N values, Wilder RSI / ATR seeded
  with simple averages, MACD histogram = DIF − DEA, outputs start after the full lookback.
* ``"tdx"`` — 通达信 / 同花顺 (as in MyTT): EMA(X,N) and SMA(X,N,M) are recursive from the first value,
  MACD bar = 2 × (DIF − DEA), RSI via SMA(·,N,1), KDJ with K = SMA(RSV,3,1) seeded with the first RSV,
  ATR = simple moving average of TR.

Rolling windows, recursive filters and OBV are one-pass compiled loops (`market.kernels`); the rest is numpy.
"""

from __future__ import annotations

import functools
import threading
from typing import Literal

import numpy as np

from panhuo.market import blocks, kernels

Convention = Literal["talib", "tdx"]

def columnwise(fn):
    """Run an indicator on blocks of columns (market.blocks) and stitch the results.

    Indicators are independent per symbol, so a wide panel (5,000 symbols) is cut into blocks of about
    2 M cells: each block's temporaries stay in cache and are recycled by the allocator, instead of
    every intermediate being a fresh 100 MB array the kernel must map and zero; blocks run on the cores.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kw):
        arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.ndim == 2]
        if not arrays:
            return fn(*args, **kw)
        T, N = args[arrays[0]].shape
        step, starts = blocks.block_starts(T, N, blocks.BLOCK_CELLS)
        if len(starts) == 1:
            return fn(*args, **kw)
        # Every block runs on the pool; the first to finish allocates the outputs (their number and dtypes
        # are only known from a result), each copies its own slice in.
        outs: list[np.ndarray] = []
        single = []
        lock = threading.Lock()

        def one(j: int) -> None:
            res = fn(*[a[:, j:j + step] if i in arrays else a for i, a in enumerate(args)], **kw)
            parts = (res,) if not isinstance(res, tuple) else res
            with lock:
                if not outs:
                    outs.extend(np.empty((T, N), dtype=r.dtype) for r in parts)
                    single.append(not isinstance(res, tuple))
            for o, r in zip(outs, parts, strict=True):
                o[:, j:j + step] = r
        blocks.run_blocks(starts, one)
        return outs[0] if single[0] else tuple(outs)
    return wrapper


def _2d(x) -> tuple[np.ndarray, bool]:
    a = np.asarray(x, dtype=float)
    return (a[:, None], True) if a.ndim == 1 else (a, False)


def _out(a: np.ndarray, squeeze: bool) -> np.ndarray:
    return a[:, 0] if squeeze else a


def first_valid(a: np.ndarray) -> np.ndarray:
    """Row of each column's first non-NaN value (len(a) when none)."""
    isn = np.isnan(a)
    if not isn[0].any():                         # the common case: every column valid from row 0
        return np.zeros(a.shape[1], dtype=np.int64)
    v = ~isn
    return np.where(v.any(axis=0), v.argmax(axis=0), a.shape[0])


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """a shifted down k rows (row t holds a[t-k]), NaN-padded."""
    if k == 0:
        return a
    out = np.full_like(a, np.nan)
    out[k:] = a[:-k]
    return out


def _rolling_sum(a: np.ndarray, n: int, div: float = 1.0) -> np.ndarray:
    """Sum of the last n rows over `div`; NaN where the window is incomplete or holds NaN."""
    return kernels.rolling_sum(a, n, float(div), np.empty(a.shape))


@columnwise
def rolling_sum(x, n: int) -> np.ndarray:
    """SUM(X,N): sum of the last n rows."""
    a, sq = _2d(x)
    return _out(_rolling_sum(a, n), sq)


@columnwise
def ma(x, n: int) -> np.ndarray:
    """Simple moving average MA(X,N) (TA-Lib SMA): first value at the N-th bar."""
    a, sq = _2d(x)
    return _out(_rolling_sum(a, n, n), sq)


@columnwise
def rolling_max(x, n: int) -> np.ndarray:
    """HHV(X,N): maximum of the last n rows (NaN until n valid values)."""
    a, sq = _2d(x)
    return _out(kernels.rolling_extreme(a, n, True, np.empty(a.shape), np.empty(a.shape)), sq)


@columnwise
def rolling_min(x, n: int) -> np.ndarray:
    """LLV(X,N): minimum of the last n rows."""
    a, sq = _2d(x)
    return _out(kernels.rolling_extreme(a, n, False, np.empty(a.shape), np.empty(a.shape)), sq)


@columnwise
def rolling_std(x, n: int, ddof: int = 0) -> np.ndarray:
    """Standard deviation of the last n rows (two-pass per window: exact for flat windows, no drift)."""
    a, sq = _2d(x)
    return _out(kernels.rolling_std(a, n, ddof, np.empty(a.shape)), sq)


def _recursive(x: np.ndarray, alpha: float, seed_row: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """y[seed_row] = seed, then y = alpha·x + (1−alpha)·y₋₁ per column; a NaN input carries y forward."""
    return kernels.recursive(x, float(alpha), np.asarray(seed_row, dtype=np.int64), np.asarray(seed, dtype=float),
                             np.empty(x.shape))


def _seed_from_first(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fv = first_valid(a)
    seed = a[np.minimum(fv, a.shape[0] - 1), np.arange(a.shape[1])]
    return fv, seed


def _seed_from_mean(a: np.ndarray, n: int, seed_row: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seed at seed_row (default first valid + n − 1) with the mean of the n values ending there
    (gathered directly: n rows per column, not a full rolling mean)."""
    T, N = a.shape
    if seed_row is None:
        seed_row = first_valid(a) + n - 1
    ok = seed_row < T
    rows = np.clip(seed_row[None, :] - np.arange(n)[:, None], 0, T - 1)
    seed = np.where(ok, a[rows, np.arange(N)[None, :]].sum(axis=0) / n, np.nan)
    return np.where(ok, seed_row, T), seed


@columnwise
def ema(x, n: int, convention: Convention = "tdx") -> np.ndarray:
    """EMA(X,N), alpha = 2/(N+1): 通达信 seeds with the first value, TA-Lib with the SMA of the first N."""
    a, sq = _2d(x)
    row, seed = _seed_from_first(a) if convention == "tdx" else _seed_from_mean(a, n)
    return _out(_recursive(a, 2.0 / (n + 1), row, seed), sq)


@columnwise
def sma_cn(x, n: int, m: int = 1) -> np.ndarray:
    """通达信 SMA(X,N,M): Y = (M·X + (N−M)·Y₋₁)/N, seeded with the first value."""
    a, sq = _2d(x)
    row, seed = _seed_from_first(a)
    return _out(_recursive(a, m / n, row, seed), sq)


@columnwise
def rma(x, n: int) -> np.ndarray:
    """Wilder's moving average (alpha 1/N) seeded with the simple average of the first N values."""
    a, sq = _2d(x)
    row, seed = _seed_from_mean(a, n)
    return _out(_recursive(a, 1.0 / n, row, seed), sq)


@columnwise
def macd(close, fast: int = 12, slow: int = 26, signal: int = 9, convention: Convention = "tdx"
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(DIF, DEA, histogram). 通达信 MACD bar = 2·(DIF − DEA); TA-Lib hist = DIF − DEA.

    TA-Lib seeds both EMAs at the slow EMA's first bar (the fast one with the SMA of its last `fast`
    values there) and reports nothing before the signal line exists.
    """
    a, sq = _2d(close)
    if convention == "tdx":
        dif = ema(a, fast, "tdx") - ema(a, slow, "tdx")
        dea = ema(dif, signal, "tdx")
        return _out(dif, sq), _out(dea, sq), _out(2 * (dif - dea), sq)
    start = first_valid(a) + slow - 1
    f = _recursive(a, 2.0 / (fast + 1), *_seed_from_mean(a, fast, start))
    s = _recursive(a, 2.0 / (slow + 1), *_seed_from_mean(a, slow, start))
    dif = f - s
    dea = _recursive(dif, 2.0 / (signal + 1), *_seed_from_mean(dif, signal))
    rows = np.arange(a.shape[0])[:, None]
    dif = np.where(rows >= start + signal - 1, dif, np.nan)
    return _out(dif, sq), _out(dea, sq), _out(dif - dea, sq)


@columnwise
def rsi(close, n: int = 14, convention: Convention = "tdx") -> np.ndarray:
    """RSI: 通达信 SMA(MAX(C−LC,0),N,1)/SMA(ABS(C−LC),N,1)·100; TA-Lib Wilder seeded with the first N changes."""
    a, sq = _2d(close)
    d = a - _shift(a, 1)
    gain, absd = np.where(np.isnan(d), np.nan, np.maximum(d, 0.0)), np.abs(d)
    if convention == "tdx":
        g, t = sma_cn(gain, n, 1), sma_cn(absd, n, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _out(g / t * 100, sq)
    loss = np.where(np.isnan(d), np.nan, np.maximum(-d, 0.0))
    g, lo = rma(gain, n), rma(loss, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(g + lo > 0, 100 * g / (g + lo), 0.0)
    return _out(np.where(np.isnan(g), np.nan, r), sq)


@columnwise
def rsv(high, low, close, n: int = 9) -> np.ndarray:
    """Raw stochastic value (C − LLV(L,N)) / (HHV(H,N) − LLV(L,N)) · 100."""
    h, sq = _2d(high)
    lo, _ = _2d(low)
    c, _ = _2d(close)
    hh, ll = rolling_max(h, n), rolling_min(lo, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out((c - ll) / (hh - ll) * 100, sq)


@columnwise
def kdj(high, low, close, n: int = 9, m1: int = 3, m2: int = 3, convention: Convention = "tdx"
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, D, J), J = 3K − 2D. 通达信: K = SMA(RSV,m1,1), D = SMA(K,m2,1) seeded with the first RSV.
    TA-Lib KDJ with RMA: Wilder smoothing seeded with simple averages; output from the first D."""
    r, sq = _2d(rsv(high, low, close, n))
    if convention == "tdx":
        k = sma_cn(r, m1, 1)
        d = sma_cn(k, m2, 1)
    else:
        k = rma(r, m1)
        d = rma(k, m2)
        k = np.where(np.isnan(d), np.nan, k)
    return _out(k, sq), _out(d, sq), _out(3 * k - 2 * d, sq)


@columnwise
def stoch(high, low, close, n: int = 9, k_period: int = 3, d_period: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """TA-Lib STOCH with simple-average smoothing: (slow K, slow D), both from the first D."""
    r, sq = _2d(rsv(high, low, close, n))
    k = ma(r, k_period)
    d = ma(k, d_period)
    return _out(np.where(np.isnan(d), np.nan, k), sq), _out(d, sq)


@columnwise
def boll(close, n: int = 20, width: float = 2.0, ddof: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mid, upper, lower) Bollinger bands; ddof=0 population std (TA-Lib, 通达信), ddof=1 sample std."""
    a, sq = _2d(close)
    mid = ma(a, n)
    sd = rolling_std(a, n, ddof)
    return _out(mid, sq), _out(mid + width * sd, sq), _out(mid - width * sd, sq)


@columnwise
def true_range(high, low, close) -> np.ndarray:
    """TR = max(H − L, |H − C₋₁|, |L − C₋₁|), from the second bar."""
    h, sq = _2d(high)
    lo, _ = _2d(low)
    pc = _shift(_2d(close)[0], 1)
    tr = np.maximum(h - lo, np.maximum(np.abs(h - pc), np.abs(lo - pc)))
    return _out(np.where(np.isnan(pc), np.nan, tr), sq)


@columnwise
def atr(high, low, close, n: int = 14, convention: Convention = "tdx") -> np.ndarray:
    """ATR: 通达信 MA(TR,N) (simple); TA-Lib Wilder-smoothed TR seeded with the mean of the first N TR."""
    tr, sq = _2d(true_range(high, low, close))
    return _out(ma(tr, n) if convention == "tdx" else rma(tr, n), sq)


@columnwise
def obv(close, volume) -> np.ndarray:
    """On-balance volume (TA-Lib): starts at the first volume, ± volume by the sign of the close change."""
    c, sq = _2d(close)
    v, _ = _2d(volume)
    return _out(kernels.obv(c, v, first_valid(c), np.empty(c.shape)), sq)


@columnwise
def volume_ratio(volume, n: int = 5) -> np.ndarray:
    """量比 (daily form): today's volume over the average daily volume of the previous n days."""
    v, sq = _2d(volume)
    prev = _shift(ma(v, n), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(np.where(prev > 0, v / prev, np.nan), sq)


@columnwise
def wr(high, low, close, n: int = 10) -> np.ndarray:
    """Williams %R in the 通达信 form: (HHV(H,N) − C)/(HHV(H,N) − LLV(L,N))·100 (TA-Lib WILLR = −WR)."""
    h, sq = _2d(high)
    hh, ll = rolling_max(h, n), rolling_min(_2d(low)[0], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out((hh - _2d(close)[0]) / (hh - ll) * 100, sq)


CHUNK = 256   # columns per inner block of the CCI window loop (within a columnwise block)


@columnwise
def cci(high, low, close, n: int = 14) -> np.ndarray:
    """CCI = (TP − MA(TP,N)) / (0.015 · AVEDEV(TP,N)), TP = (H+L+C)/3."""
    tp, sq = _2d((np.asarray(high, float) + np.asarray(low, float) + np.asarray(close, float)) / 3)
    m = ma(tp, n)
    dev = np.zeros_like(tp)
    for j in range(0, tp.shape[1], CHUNK):
        blk, mb, db = tp[:, j:j + CHUNK], m[:, j:j + CHUNK], dev[:, j:j + CHUNK]
        for k in range(n):
            db[k:] += np.abs(mb[k:] - blk[:blk.shape[0] - k])
    dev[np.isnan(m)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out((tp - m) / (0.015 * dev / n), sq)
