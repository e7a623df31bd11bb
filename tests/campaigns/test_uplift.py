"""The two-model uplift estimate and the Qini coefficient on data whose uplift is known."""

from __future__ import annotations

import numpy as np
import pytest

from panhuo.campaigns.uplift import TwoModelUplift, qini_coefficient, qini_curve


def _campaign(rng, n=3000):
    X = rng.normal(size=(n, 3))
    treated = rng.random(n) < 0.5
    uplift = np.where(X[:, 0] > 0.5, 0.3, 0.0)          # persuadable: only where the first feature is high
    y = (rng.random(n) < 0.2 + np.where(treated, uplift, 0.0)).astype(int)
    return X, treated, y, uplift


def test_two_model_finds_the_persuadable():
    rng = np.random.default_rng(0)
    X, t, y, _ = _campaign(rng)
    Xn, tn, yn, up = _campaign(rng)
    score = TwoModelUplift().fit(X, t, y).predict(Xn)
    k = int(0.3 * len(score))
    by_model = up[np.argsort(-score)[:k]].sum()
    by_noise = up[np.argsort(-Xn[:, 1])[:k]].sum()
    assert by_model > 1.6 * by_noise
    assert qini_coefficient(score, tn, yn) > 0.5 * qini_coefficient(up, tn, yn) > 0
    assert abs(qini_coefficient(Xn[:, 1], tn, yn)) < 0.5 * qini_coefficient(score, tn, yn)


def test_qini_curve_ends_at_the_overall_incremental_count():
    treated = np.array([1, 1, 0, 0, 1, 0], bool)
    y = np.array([1, 0, 0, 1, 1, 0])
    x, q = qini_curve(np.arange(6)[::-1], treated, y)
    assert x[0] == 0 and x[-1] == 1 and q[0] == 0
    assert q[-1] == pytest.approx(2 - 1 * 3 / 3)          # 2 treated returners, 1 control, equal groups
    good = np.array([3, 0, 1, -1, 4, 0])             # treated returners first, the control returner last
    assert qini_coefficient(good, treated, y) > 0 > qini_coefficient(-good, treated, y)


def test_fit_checks_its_inputs():
    with pytest.raises(ValueError):
        TwoModelUplift().fit(np.zeros((10, 2)), np.ones(10, bool), np.zeros(10))
    with pytest.raises(RuntimeError):
        TwoModelUplift().predict(np.zeros((1, 2)))


def test_headroom_score_ranks_those_who_would_not_resume_anyway():
    from panhuo.campaigns.uplift import HeadroomScore

    rng = np.random.default_rng(2)
    n = 4000
    X = rng.normal(size=(n, 2))
    natural = 1 / (1 + np.exp(-2 * X[:, 0]))               # the first feature drives resuming on one's own
    treated = rng.random(n) < 0.5
    y = (rng.random(n) < natural + np.where(treated, 0.2 * (1 - natural), 0)).astype(int)
    score = HeadroomScore().fit(X, treated, y).predict(X)
    assert np.corrcoef(score, 1 - natural)[0, 1] > 0.9
