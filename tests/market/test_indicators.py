"""Indicators against the reference vectors in ../shared/data/ta_reference (TA-Lib and 通达信/MyTT)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from panhuo.market import indicators as ind
from tests.conftest import shared_data

TOL = 1e-8


def _close(ours, ref, name):
    ref = np.asarray(ref, dtype=float)
    ours = np.asarray(ours, dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(ref)), f"{name}: warm-up differs " \
        f"(ours first {np.argmax(~np.isnan(ours))}, ref first {np.argmax(~np.isnan(ref))})"
    m = ~np.isnan(ref)
    err = np.abs(ours[m] - ref[m]) / np.maximum(1.0, np.abs(ref[m]))
    assert err.max() <= TOL, f"{name}: max rel error {err.max():.3g}"


def _computed(df: pd.DataFrame) -> dict[str, np.ndarray]:
    h, lo, c, v = (df[k].to_numpy(float) for k in ("high", "low", "close", "volume"))
    out = {}
    for n in (5, 10, 20, 30, 60):
        out[f"talib_SMA_{n}"] = out[f"tdx_MA_{n}"] = ind.ma(c, n)
    for n in (10, 12, 26):
        out[f"talib_EMA_{n}"] = ind.ema(c, n, "talib")
    out["tdx_EMA_12"], out["tdx_EMA_26"] = ind.ema(c, 12), ind.ema(c, 26)
    out["tdx_SMA_close_3_1"] = ind.sma_cn(c, 3, 1)
    for n in (6, 12, 14, 24):
        out[f"talib_RSI_{n}"] = ind.rsi(c, n, "talib")
    for n in (6, 12, 24):
        out[f"tdx_RSI_{n}"] = ind.rsi(c, n, "tdx")
    out["talib_MACD_dif"], out["talib_MACD_dea"], out["talib_MACD_hist"] = ind.macd(c, convention="talib")
    out["tdx_MACD_dif"], out["tdx_MACD_dea"], out["tdx_MACD_bar"] = ind.macd(c, convention="tdx")
    out["talib_BBANDS_mid"], out["talib_BBANDS_upper"], out["talib_BBANDS_lower"] = ind.boll(c, 20, 2)
    out["tdx_BOLL_mid"], out["tdx_BOLL_upper_popstd"], out["tdx_BOLL_lower_popstd"] = ind.boll(c, 20, 2)
    _, out["tdx_BOLL_upper_samplestd"], out["tdx_BOLL_lower_samplestd"] = ind.boll(c, 20, 2, ddof=1)
    out["talib_ATR_14"] = ind.atr(h, lo, c, 14, "talib")
    out["tdx_ATR_14_MA"] = ind.atr(h, lo, c, 14, "tdx")
    out["talib_TRANGE"] = out["tdx_TR"] = ind.true_range(h, lo, c)
    out["talib_STOCH_9_3_3_SMA_k"], out["talib_STOCH_9_3_3_SMA_d"] = ind.stoch(h, lo, c, 9, 3, 3)
    k, d, j = ind.kdj(h, lo, c, 9, 3, 3, "talib")
    out["talib_KDJ_9_3_3_RMA_k"], out["talib_KDJ_9_3_3_RMA_d"], out["talib_KDJ_9_3_3_RMA_j"] = k, d, j
    out["tdx_KDJ_k"], out["tdx_KDJ_d"], out["tdx_KDJ_j"] = ind.kdj(h, lo, c, 9, 3, 3, "tdx")
    out["talib_OBV"] = ind.obv(c, v)
    out["talib_WILLR_14"] = -ind.wr(h, lo, c, 14)
    out["tdx_WR_10"] = ind.wr(h, lo, c, 10)
    out["talib_CCI_14"] = out["tdx_CCI_14"] = ind.cci(h, lo, c, 14)
    return out


REFERENCES = ["indicators_on_talib_regtest.csv", "indicators_sh.600519_2020_2023_unadjusted.csv",
              "indicators_sh000001_2015_2023.csv"]


@pytest.mark.parametrize("name", REFERENCES)
def test_every_reference_column_matches(name):
    df = pd.read_csv(shared_data("ta_reference", name))
    ours = _computed(df)
    checked = 0
    for col, values in ours.items():
        if col in df.columns:
            _close(values, df[col], f"{name}:{col}")
            checked += 1
    assert checked >= 45


def test_kdj_goldens_from_talib_issue_365():
    bars = pd.read_csv(shared_data("ta_reference", "talib_regtest_ohlcv_252.csv"))
    gold = pd.read_csv(shared_data("ta_reference", "talib_regtest_kdj_oracle_goldens.csv"))
    h, lo, c = (bars[k].to_numpy(float) for k in ("high", "low", "close"))
    for (arm, n, m1, m2), g in gold.groupby(["arm", "fastk_period", "slowk_period", "slowd_period"]):
        if arm == "TULIP":
            k, d, j = ind.kdj(h, lo, c, n, m1, m2, "talib")
        else:
            k, d = ind.stoch(h, lo, c, n, m1, m2)
            j = 3 * k - 2 * d
        rows = g["bar"].to_numpy()
        np.testing.assert_allclose(k[rows], g["K"], atol=1e-8)
        np.testing.assert_allclose(d[rows], g["D"], atol=1e-8)
        np.testing.assert_allclose(j[rows], g["J"], atol=1e-8)


def test_published_talib_tables():
    bars = pd.read_csv(shared_data("ta_reference", "talib_regtest_ohlcv_252.csv"))
    exp = pd.read_csv(shared_data("ta_reference", "talib_regtest_published_expected.csv"))
    c = bars["close"].to_numpy(float)
    dif, dea, hist = ind.macd(c, 12, 26, 9, "talib")
    macd_out = {"macd": dif, "macdsignal": dea, "macdhist": hist}
    n = 0
    for r in exp.itertuples():
        m = re.search(r"timeperiod=(\d+)", r.params)
        p = int(m.group(1)) if m else None
        if r.function == "SMA":
            ours = ind.ma(c, p)
        elif r.function == "EMA":
            ours = ind.ema(c, p, "talib")
        elif r.function == "RSI":
            ours = ind.rsi(c, p, "talib")
        elif r.function == "MACD":
            ours = macd_out[r.output]
        else:
            continue   # WMA, CMO: not panhuo indicators
        assert ours[r.abs_bar] == pytest.approx(r.talib_0_8_2_value, abs=1e-6)   # stored to 6 decimals
        assert ours[r.abs_bar] == pytest.approx(r.expected, abs=0.01)   # TA-Lib's own table tolerance
        assert int(np.argmax(~np.isnan(ours))) == r.out_beg_idx
        n += 1
    assert n >= 10


def test_panel_matches_single_series_and_respects_listing():
    """Columns are independent: a stock listed later gets its own warm-up from its first bar."""
    rng = np.random.default_rng(1)
    c = 10 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 3)), axis=0))
    c[:40, 1] = np.nan
    h, lo = c * 1.01, c * 0.99
    for f in (lambda x: ind.ema(x, 12, "talib"), lambda x: ind.rsi(x, 6, "tdx"), lambda x: ind.macd(x, convention="talib")[2],
              lambda x: ind.ma(x, 20), lambda x: ind.boll(x)[1]):
        whole = f(c)
        np.testing.assert_allclose(whole[40:, 1], f(c[40:, 1]), rtol=1e-12, equal_nan=True)
        assert np.isnan(whole[:40, 1]).all()
    k, d, j = ind.kdj(h, lo, c)
    assert np.isnan(k[:48, 1]).all() and not np.isnan(k[48, 1])


def test_volume_ratio_against_hand_values():
    v = np.array([100, 100, 100, 100, 100, 300, 50.0])
    r = ind.volume_ratio(v, 5)
    assert np.isnan(r[:5]).all()
    assert r[5] == pytest.approx(3.0)
    assert r[6] == pytest.approx(50 / 140)


def test_talib_wheel_agrees_on_random_panel():
    """Cross-check against the installed ta-lib wheel when present (a test reference, never a product dependency)."""
    talib = pytest.importorskip("talib")
    rng = np.random.default_rng(7)
    c = 20 * np.exp(np.cumsum(rng.normal(0, 0.02, 400)))
    h, lo = c * (1 + rng.uniform(0, 0.02, 400)), c * (1 - rng.uniform(0, 0.02, 400))
    np.testing.assert_allclose(ind.rsi(c, 14, "talib"), talib.RSI(c, 14), atol=1e-8, equal_nan=True)
    np.testing.assert_allclose(ind.atr(h, lo, c, 14, "talib"), talib.ATR(h, lo, c, 14), atol=1e-8, equal_nan=True)
    np.testing.assert_allclose(ind.macd(c, convention="talib")[0], talib.MACD(c)[0], atol=1e-8, equal_nan=True)
    np.testing.assert_allclose(ind.ema(c, 30, "talib"), talib.EMA(c, 30), atol=1e-8, equal_nan=True)


def test_column_blocks_on_threads_give_identical_results(monkeypatch):
    from panhuo.market import blocks

    rng = np.random.default_rng(11)
    c = 10 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 200)), axis=0))
    c[:50, 7] = np.nan
    h, lo = c * 1.01, c * 0.99
    whole = [ind.kdj(h, lo, c), ind.boll(c), ind.macd(c, convention="talib"), ind.atr(h, lo, c)]
    monkeypatch.setattr(blocks, "BLOCK_CELLS", 64 * 300)
    monkeypatch.setenv("PANHUO_THREADS", "2")
    blocked = [ind.kdj(h, lo, c), ind.boll(c), ind.macd(c, convention="talib"), ind.atr(h, lo, c)]
    for a, b in zip(whole, blocked, strict=True):
        for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("n", [1, 3, 9, 20, 61])
def test_rolling_windows_match_pandas_with_gaps(n):
    """The compiled window loops (market.kernels) against pandas on columns with late listings and
    mid-series NaN (suspensions): NaN wherever the window is short or holds a NaN."""
    rng = np.random.default_rng(n)
    a = 10 * np.exp(np.cumsum(rng.normal(0, 0.03, (400, 7)), axis=0))
    a[:37, 2] = np.nan
    a[100:104, 3] = np.nan
    a[rng.random(a.shape) < 0.01] = np.nan
    a[:, 5] = 4.2                                  # flat: variance exactly zero
    roll = pd.DataFrame(a).rolling(n, min_periods=n)
    np.testing.assert_allclose(ind.rolling_sum(a, n), roll.sum().to_numpy(), rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(ind.ma(a, n), roll.mean().to_numpy(), rtol=1e-10, equal_nan=True)
    np.testing.assert_array_equal(ind.rolling_max(a, n), roll.max().to_numpy())
    np.testing.assert_array_equal(ind.rolling_min(a, n), roll.min().to_numpy())
    for ddof in (0, 1):
        if n > ddof:
            np.testing.assert_allclose(ind.rolling_std(a, n, ddof), roll.std(ddof=ddof).to_numpy(),
                                       rtol=1e-8, atol=1e-9, equal_nan=True)   # pandas: online update
    assert (ind.rolling_std(a, n)[n - 1:, 5] == 0).all()
