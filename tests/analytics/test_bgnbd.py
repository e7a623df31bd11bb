"""BG/NBD against Fader, Hardie & Lee (2005) on CDNOW and the reference values of ../shared/data/btyd_cdnow/SOURCE.md."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from panhuo.analytics import bgnbd
from tests.conftest import shared_data

PAPER = bgnbd.BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.fixture(scope="module")
def summary() -> pl.DataFrame:
    return pl.read_csv(shared_data("btyd_cdnow", "cdnow_customers_summary.csv"))


@pytest.fixture(scope="module")
def fitted(summary) -> bgnbd.BGNBDFit:
    return bgnbd.fit(summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy())


def test_fit_reproduces_published_parameters_to_three_figures(fitted):
    p = fitted.params
    assert (sig3(p.r), sig3(p.alpha), sig3(p.a), sig3(p.b)) == (0.243, 4.41, 0.793, 2.43)
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert fitted.n_clients == 2357 and fitted.n_patterns < 2357 and fitted.converged


def test_converged_means_the_gradient_vanished_not_that_the_optimizer_stopped(summary):
    """An early stop is not convergence; the simulator truth test covers the other side on a machine where
    L-BFGS-B ends "ABNORMAL" at the optimum (gradient 1e-9)."""
    x, t, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    assert not bgnbd.fit(x, t, T, max_iter=2).converged
    assert bgnbd.fit(x, t, T, start=bgnbd.BGNBDParams(5.0, 50.0, 5.0, 0.2)).converged   # far start, same optimum


def test_fit_from_raw_transactions_with_the_day_collapsed_recipe():
    tx = _read_cdnow()
    end = date(1997, 9, 30)
    days = tx.filter(pl.col("date") <= end).unique(["cust", "date"])
    s = days.group_by("cust").agg(x=pl.len() - 1, first=pl.col("date").min(), last=pl.col("date").max())
    s = s.with_columns(t_x=(pl.col("last") - pl.col("first")).dt.total_days() / 7,
                       T=(pl.lit(end) - pl.col("first")).dt.total_days() / 7)
    assert s["x"].sum() == 2457 and (s["x"] == 0).sum() == 1411
    res = bgnbd.fit(s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy())
    p = res.params
    # CLVTools' full-precision estimate on exact dates
    assert p.r == pytest.approx(0.2425945, rel=2e-4) and p.alpha == pytest.approx(4.4136019, rel=2e-4)
    assert p.a == pytest.approx(0.7929199, rel=2e-4) and p.b == pytest.approx(2.4258881, rel=2e-4)
    assert res.log_likelihood == pytest.approx(-9582.429, abs=0.01)
    holdout = tx.filter(pl.col("date") > end).unique(["cust", "date"]).group_by("cust").len()
    actual = s.join(holdout, on="cust", how="left").fill_null(0)
    pred = bgnbd.conditional_expected(p, 39, actual["x"].to_numpy(), actual["t_x"].to_numpy(), actual["T"].to_numpy())
    assert holdout["len"].sum() == 1882
    assert pred.sum() == pytest.approx(1653.4, abs=0.5)
    assert np.corrcoef(pred, actual["len"].to_numpy())[0, 1] == pytest.approx(0.626, abs=0.001)


def _read_cdnow() -> pl.DataFrame:
    rows = [line.split() for line in shared_data("btyd_cdnow", "CDNOW_sample.txt").read_text().splitlines() if line]
    return pl.DataFrame({"cust": [int(r[1]) for r in rows],
                         "date": [date(int(r[2][:4]), int(r[2][4:6]), int(r[2][6:])) for r in rows]})


def test_weighted_fit_equals_row_by_row_fit(summary):
    x, t, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    ux, ut, uT, w = bgnbd.collapse(x, t, T)
    assert w.sum() == len(x)
    weighted = bgnbd.fit(ux, ut, uT, weights=w)
    assert bgnbd.log_likelihood(weighted.params, x, t, T) == pytest.approx(weighted.log_likelihood, rel=1e-12)


def test_hardie_spreadsheet_values(fitted):
    assert float(bgnbd.conditional_expected(fitted.params, 39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)
    got = bgnbd.expected_unconditional(fitted.params, [0.1429, 1, 3, 31.8571, 32, 78])
    np.testing.assert_allclose(got, [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], atol=1e-3)


def test_btyd_probabilities_at_paper_parameters():
    assert bgnbd.prob_n_in_t(PAPER, 10, 2) == pytest.approx(1.07869e-07, rel=1e-4)
    assert bgnbd.prob_n_in_t(PAPER, 0, 39) == pytest.approx(0.5737864, rel=1e-6)
    ref = [0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638, 0.0005517902,
           0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260]
    np.testing.assert_allclose([bgnbd.prob_n_in_t(PAPER, n, 30) for n in range(11, 21)], ref, rtol=1e-6)


def test_p_alive_behaves(fitted):
    p = fitted.params
    # no repeat activity: alive by assumption; long silence after busy activity: probably gone
    assert bgnbd.p_alive(p, 0, 0, 30)[()] == 1.0
    recent, stale = bgnbd.p_alive(p, [5, 5], [30, 5], [31, 31])
    assert 0.8 < recent <= 1.0 and stale < 0.2 and recent > stale


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError):
        bgnbd.fit([1, 2], [3.0, 1.0], [2.0, 5.0])   # recency beyond T
    with pytest.raises(ValueError):
        bgnbd.fit([0], [1.0], [2.0])                # recency without repeat activity


def test_alive_fit_cli(summary, tmp_path):
    from panhuo.cli import app

    path = tmp_path / "s.csv"
    summary.write_csv(path)
    res = CliRunner().invoke(app, ["alive", "fit", "--summary", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert round(out["r"], 3) == 0.243 and round(out["b"], 2) == 2.43
    assert out["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)
    res = CliRunner().invoke(app, ["alive", "fit", "--summary", str(tmp_path / "missing.csv"), "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["ok"] is False
