"""Models, pools, chips and switch suggestions; every model's signals replayed by the event-loop reference."""

from __future__ import annotations

import numpy as np
import pytest

from panhuo.market import chips, data, reasons
from panhuo.market.backtest import BacktestConfig, run_backtest
from panhuo.market.models import MODELS, get_model, models_for
from panhuo.market.models.sector_leader import industry_rank, row_nanmedian
from panhuo.market.panel import build_panel
from panhuo.market.pool import daily_pool
from panhuo.market.switch import RISK_DISCLOSURE, Holding, NotRegisteredAdvisor, suggest_switch
from tests.conftest import shared_data
from tests.market.helpers import tiny_panel
from tests.market.reference_backtest import reference_backtest


@pytest.fixture(scope="module")
def real_panel():
    bars, inst = data.load_baostock(shared_data("ashare_csi300_daily_baostock", "stocks_daily_2020_2023.csv.gz"),
                                    shared_data("ashare_mainboard_qfq_tushare", "stocklist_industry.csv"))
    return build_panel(bars, inst)


def test_registry():
    assert list(MODELS) == ["high_sell_low_buy", "rebound", "chip_concentration", "sector_leader", "dark_horse"]
    assert {m.name for m in models_for("weak")} == {"high_sell_low_buy", "rebound"}
    with pytest.raises(KeyError):
        get_model("nope")


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_runs_and_the_reference_agrees(real_panel, name):
    """On 40 stocks over 2021–2022 the vectorised backtest and the slow event loop give identical fills."""
    small = real_panel.window("2020-01-02", "2022-12-30")
    cols = np.arange(0, small.shape[1], 5)
    sub = type(small)(**{k: (v[:, cols] if isinstance(v, np.ndarray) and v.ndim == 2 else
                             v[cols] if isinstance(v, np.ndarray) and v.ndim == 1 and v.size == small.shape[1] else v)
                         for k, v in small.__dict__.items() if k != "extra"}, extra={})
    screen = MODELS[name].build(sub)
    cap = np.where((np.arange(sub.shape[0]) // 40) % 3 == 0, 0.25, 0.75)
    cfg = BacktestConfig(capital=1_000_000, max_positions=5)
    r = run_backtest(sub, screen.signals, start="2021-01-04", end="2022-12-30", position_cap=cap, config=cfg)
    fills, equity = reference_backtest(sub, screen.signals, start="2021-01-04", end="2022-12-30", position_cap=cap,
                                       config=cfg)
    assert r.fills.equals(fills)
    np.testing.assert_allclose(r.equity, equity, rtol=1e-11)
    assert screen.signals.entries.any()


@pytest.mark.parametrize("name", list(MODELS))
def test_pool_is_ranked_with_reasons(real_panel, name):
    model = MODELS[name]
    screen = model.build(real_panel)
    days = np.flatnonzero(screen.signals.entries.sum(axis=1) >= 2)
    assert days.size, f"{name} never picks two stocks on one day"
    day = real_panel.dates[days[-1]]
    pool = daily_pool(real_panel, model, day, top=5, screen=screen)
    assert len(pool) >= 2 and [e.rank for e in pool] == list(range(1, len(pool) + 1))
    assert all(pool[i].score >= pool[i + 1].score for i in range(len(pool) - 1))
    assert all(e.reason and e.model == name and str(e.date) == str(day) for e in pool)
    for lang in ("zh", "en"):                       # every figure the reason quotes is known, in both languages
        texts = [e.reason.text(lang) for e in pool]
        assert all(texts) and "nan" not in " ".join(texts)
    assert pool[0].reason.code == name and str(pool[0].reason) == pool[0].reason.text("zh")
    assert reasons.render(pool[0].reason.as_json(), "en") == pool[0].reason.text("en")


def test_industry_rank_by_hand():
    v = np.array([[0.1, 0.3, 0.2, 0.5, np.nan]])
    pct, med = industry_rank(v, np.array(["银行", "银行", "银行", "电力", "电力"]))
    np.testing.assert_allclose(pct[0, :4], [0.0, 1.0, 0.5, 1.0])
    assert np.isnan(pct[0, 4])
    np.testing.assert_allclose(med[0, :4], [0.2, 0.2, 0.2, 0.5])


def test_row_nanmedian_matches_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(30, 7))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[0] = np.nan
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        np.testing.assert_allclose(row_nanmedian(x), np.nanmedian(x, axis=1), equal_nan=True)


def test_column_blocks_give_the_same_screen(real_panel, monkeypatch):
    from panhuo.market import blocks
    from panhuo.market.models import chip_concentration

    whole = chip_concentration.build(real_panel)
    monkeypatch.setattr(blocks, "BLOCK_CELLS", 64 * real_panel.shape[0])     # force blocks of 64 symbols
    monkeypatch.setenv("PANHUO_THREADS", "2")
    blocked = chip_concentration.build(real_panel)
    assert np.array_equal(whole.signals.entries, blocked.signals.entries)
    np.testing.assert_array_equal(whole.signals.score, blocked.signals.score)
    rows, cols = np.nonzero(whole.signals.entries)
    for r, c in zip(rows[-5:], cols[-5:], strict=True):
        assert blocked.reason(r, c) == whole.reason(r, c)
    assert len(blocked.blocks) == -(-real_panel.shape[1] // 64)


def test_chip_moments_agree_with_the_histogram():
    rng = np.random.default_rng(3)
    c = 10 * np.exp(np.cumsum(rng.normal(0, 0.02, (150, 4)), axis=0))
    h, lo = c * (1 + rng.uniform(0.005, 0.03, c.shape)), c * (1 - rng.uniform(0.005, 0.03, c.shape))
    r = rng.uniform(0.01, 0.08, c.shape)
    mom = chips.chip_moments(h, lo, r)
    edges, w = chips.chip_histogram(h, lo, r, bins=400)
    assert np.allclose(w.sum(axis=1), 1.0)
    mids = np.log(edges[:, :-1] * edges[:, 1:]) / 2
    mean = (w * mids).sum(axis=1)
    std = np.sqrt((w * (mids - mean[:, None]) ** 2).sum(axis=1))
    np.testing.assert_allclose(mean, mom.mean_log_cost[-1], atol=2e-4)
    np.testing.assert_allclose(std, mom.std_log_cost[-1], rtol=0.02)


def test_chips_concentrate_when_a_stock_trades_flat():
    flat = np.full((100, 1), 10.0)
    trend = 10 * np.exp(np.linspace(0, 0.5, 100))[:, None]
    p = np.hstack([flat, trend])
    mom = chips.chip_moments(p * 1.01, p * 0.99, np.full(p.shape, 0.05))
    conc = mom.concentration()[-1]
    assert conc[0] < 0.02 < conc[1]
    assert mom.profit_ratio(p)[-1, 1] > 0.8     # a rising stock: most chips below the price


def test_dark_horse_finds_a_breakout_on_volume():
    base = [10.0 + 0.3 * np.sin(i / 5) for i in range(130)]
    prices = {"600000.SH": base + [(10.4, 11.2)], "600004.SH": base + [(10.2, 10.25)]}
    p, d = tiny_panel(prices, start=__import__("datetime").date(2022, 1, 3))
    p.volume[-1, 0] = 5e6                       # five times the usual volume on the breakout day
    s = MODELS["dark_horse"].build(p)
    assert s.signals.entries[-1].tolist() == [True, False]
    r = s.reason(p.shape[0] - 1, 0)
    assert "突破" in r.text("zh") and "broke out" in r.text("en") and r.params["vol_ratio"] > 2


def test_switch_requires_registered_advisor_and_names_model_and_date(real_panel):
    holdings = [Holding("000002.SZ", 1000, cost_price=30.0), Holding("600519.SH", 100, cost_price=1500.0)]
    with pytest.raises(NotRegisteredAdvisor):
        suggest_switch(real_panel, holdings, "2023-10-23", regime="weak", sender_is_registered_advisor=False)
    sug = suggest_switch(real_panel, holdings, "2023-10-23", regime="weak", sender_is_registered_advisor=True,
                         model_names=["rebound", "high_sell_low_buy"])
    assert sug.disclosure == RISK_DISCLOSURE and sug.requires_review
    assert "000002.SZ" in {w.symbol for w in sug.weak}            # Vanke in Oct 2023: falling, far below cost
    assert "600519.SH" not in {w.symbol for w in sug.weak}
    assert sug.candidates and all(c.model in {"rebound", "high_sell_low_buy"} for c in sug.candidates)
    assert all(str(c.date) == "2023-10-23" and c.symbol not in {"000002.SZ", "600519.SH"} for c in sug.candidates)
    vanke = next(w for w in sug.weak if w.symbol == "000002.SZ")
    loss = next(r for r in vanke.reasons if r.code == "weak.loss")
    assert loss.params["loss"] == pytest.approx(1 - vanke.close / 30.0) and "below the cost price 30.00" in loss.text("en")
