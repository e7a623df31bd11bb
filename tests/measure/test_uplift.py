"""The two-model uplift estimate and the Qini coefficient on data whose uplift is known."""

from __future__ import annotations

import numpy as np
import pytest

from panhuo.measure.uplift import TwoModelUplift, qini_coefficient, qini_curve


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
    from panhuo.measure.uplift import HeadroomScore

    rng = np.random.default_rng(2)
    n = 4000
    X = rng.normal(size=(n, 2))
    natural = 1 / (1 + np.exp(-2 * X[:, 0]))               # the first feature drives resuming on one's own
    treated = rng.random(n) < 0.5
    y = (rng.random(n) < natural + np.where(treated, 0.2 * (1 - natural), 0)).astype(int)
    score = HeadroomScore().fit(X, treated, y).predict(X)
    assert np.corrcoef(score, 1 - natural)[0, 1] > 0.9


def test_uplift_targets_more_returners_than_dormancy_on_the_simulator(tmp_path):
    """A campaign on one simulated branch fits the models; on another branch the two-model's top 30% holds more
    true incremental returners than the top 30% by days since last trade (here 1.32x; over 4 seeds of this size
    1.04-1.32x). PersuasionUplift, better on large campaigns (the full bench: 83.9 against 77.6), falls below
    dormancy on this small pair (20.7 against 24.9): at this size both models are noisy (docs/campaigns.md), so
    only its sanity is asserted here."""
    from datetime import date

    from panhuo.measure.calibration import load_population
    from panhuo.measure.uplift import observable_features, targeting_check
    from panhuo.simulate import SimConfig, simulate

    branches = []
    for seed, n in ((911, 12_000), (912, 4000)):
        simulate(SimConfig(clients=n, years=1.0, seed=seed, stocks=60, end=date(2026, 10, 30), chunk_clients=10_000),
                 tmp_path / str(seed), workers=1)
        pop = load_population(tmp_path / str(seed))
        live = np.flatnonzero(pop.alive)
        branches.append((pop, live, observable_features(tmp_path / str(seed), pop.client_id)[live]))
    rng = np.random.default_rng(3)
    draws = []
    for pop, live, _ in branches:
        treated = rng.random(len(live)) < 0.5
        y = (rng.random(len(live)) < pop.natural[live] + np.where(treated, pop.uplift[live], 0.0)).astype(int)
        draws.append((treated, y))
    (pa, _, xa), (pb, lb, xb) = branches
    r = targeting_check(X_train=xa, treated_train=draws[0][0], y_train=draws[0][1], X_next=xb,
                        uplift_next=pb.uplift[lb], dormancy_next=pb.dormancy[lb], treated_next=draws[1][0],
                        y_next=draws[1][1], share=0.3)
    assert r.two_model_top > 1.1 * r.dormancy_top
    assert r.dormancy_top > r.random_top
    assert r.random_top * 0.5 < r.uplift_top < r.oracle_top
    assert r.qini_interval[0] < r.qini_model < r.qini_interval[1]


def test_persuasion_model_finds_who_a_contact_moves():
    """Resuming on one's own follows the first feature, being persuaded the second: the model separates them."""
    from panhuo.measure.uplift import PersuasionUplift, qini_interval

    rng = np.random.default_rng(4)

    def campaign(n=8000):
        X = rng.normal(size=(n, 3))
        natural = 1 / (1 + np.exp(-(X[:, 0] - 1)))
        persuaded = 0.4 / (1 + np.exp(-2 * X[:, 1]))
        treated = rng.random(n) < 0.5
        up = persuaded * (1 - natural)
        y = (rng.random(n) < natural + np.where(treated, up, 0)).astype(int)
        return X, treated, y, up

    X, t, y, _ = campaign()
    Xn, tn, yn, up = campaign()
    model = PersuasionUplift().fit(X, t, y)
    score = model.predict(Xn)
    assert np.corrcoef(score, up)[0, 1] > 0.8
    k = int(0.3 * len(score))
    assert up[np.argsort(-score)[:k]].sum() > 1.5 * up[np.argsort(-Xn[:, 2])[:k]].sum()
    low, high = qini_interval(score, tn, yn, n_boot=100)
    assert 0 < low < qini_coefficient(score, tn, yn) < high
    with pytest.raises(ValueError):
        PersuasionUplift().fit(np.zeros((10, 2)), np.ones(10, bool), np.zeros(10))
    with pytest.raises(RuntimeError):
        PersuasionUplift().predict(np.zeros((1, 2)))


def test_the_mean_over_campaigns_has_a_narrower_interval_than_each_one():
    """Five independent campaigns ranked by the same kind of score: the interval of their mean Qini is about √5
    narrower than a single campaign's and holds the mean."""
    from panhuo.measure.uplift import pooled_qini_interval, qini_draws

    rng = np.random.default_rng(8)
    draws, qinis, widths = [], [], []
    for k in range(5):
        n = 4000
        x = rng.normal(size=n)
        treated = rng.random(n) < 0.5
        y = (rng.random(n) < 0.1 + np.where(treated, 0.08 / (1 + np.exp(-2 * x)), 0)).astype(int)
        d = qini_draws(x, treated, y, n_boot=200, seed=k)
        draws.append(d)
        qinis.append(qini_coefficient(x, treated, y))
        widths.append(np.subtract(*np.quantile(d, [0.975, 0.025])))
    low, high = pooled_qini_interval(draws)
    assert low < np.mean(qinis) < high
    assert 0.3 * np.mean(widths) < high - low < 0.65 * np.mean(widths)
