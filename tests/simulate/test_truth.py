"""The churn probability is the probability of the latent chain the simulator runs after the last day."""

from __future__ import annotations

import numpy as np

from panhuo.simulate.truth import churn_probability, roc_auc


def _chain(rng, lam, r, horizon, leaving, reps=40_000):
    """Monte Carlo of the latent chain: active -> leaving (lam per day) -> event (r per day, from the next day)."""
    state = np.full(reps, 2 if leaving else 1)
    hit = np.zeros(reps, dtype=bool)
    for _ in range(horizon):
        u = rng.random(reps)
        hit |= (state == 2) & (u < r)           # leaving from an earlier day: the event may happen today
        state = np.where((state == 1) & (rng.random(reps) < lam), 2, state)
    return hit.mean()


def test_closed_form_matches_the_latent_chain():
    rng = np.random.default_rng(0)
    horizon = 60
    lam = np.array([0.002, 0.01, 0.03])
    q = np.array([1 / 150, 1 / 60, 1 / 100])
    d = np.array([1 / 50, 1 / 80, 1 / 40])
    for drainer in (False, True):
        r = 1 - (1 - d) * (1 - q) if drainer else q
        for leaving in (False, True):
            state = np.full(3, 2 if leaving else 1)
            p = churn_probability(state, np.zeros(3, bool), lam, q, d, np.full(3, drainer), np.full(3, 1e5), horizon)
            for i in range(3):
                mc = _chain(rng, lam[i], r[i], horizon, leaving)
                assert abs(p[i] - mc) < 4 * np.sqrt(mc * (1 - mc) / 40_000) + 1e-3, (drainer, leaving, i, p[i], mc)


def test_gone_clients_have_zero_probability_and_draining_ones_with_assets_certainty():
    p = churn_probability(np.array([3, 2, 2]), np.array([False, True, True]), np.full(3, 0.01),
                          np.full(3, 0.01), np.full(3, 0.02), np.full(3, True), np.array([5e4, 5e4, 0.0]), 60)
    assert p[0] == 0 and p[1] == 1 and 0 < p[2] < 1


def test_roc_auc_counts_ties_half():
    assert roc_auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert roc_auc(np.array([0.5, 0.5]), np.array([0, 1])) == 0.5
