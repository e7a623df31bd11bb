"""Ground truth: the churn probability a client's latent state implies, response to contact, true uplift.

After the last written day the simulator keeps each client's hazard of starting to leave (lambda) frozen, and
a leaving client is gone with daily probability q. Over the H trading days of the horizon the chance of a
churn event is then exact:

    active:  sum over u of lambda (1-lambda)^u * g(H-1-u),   leaving: g(H),   g(k) = 1 - (1-r)^k
    r = q for a client who keeps the money in (the event is being gone),
    r = 1 - (1-d)(1-q) for a drainer, whose drain starts with daily probability d and moves the money out
    within a day or two (sell, then transfer the settled cash).

The drain's day of lag and the trickle withdrawals before it make this a close approximation rather than an
identity; the calibration (mean probability vs. observed rate) is reported beside the ceiling AUC.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def churn_probability(state: np.ndarray, draining: np.ndarray, lam: np.ndarray, q: np.ndarray, d: np.ndarray,
                      drainer: np.ndarray, total: np.ndarray, horizon: int) -> np.ndarray:
    """P(churn event within `horizon` trading days | latent state on the last written day)."""
    # daily chance that a leaving client's event happens: gone (q) or, for a drainer, the drain starts (d)
    r = np.where(drainer, 1.0 - (1.0 - d) * (1.0 - q), q)
    k = np.arange(horizon)[::-1]                           # chances left after entering on horizon day u
    g = 1.0 - (1.0 - r[:, None]) ** k
    u = np.arange(horizon)
    p_active = (lam[:, None] * (1.0 - lam[:, None]) ** u * g).sum(axis=1)
    p_leave = 1.0 - (1.0 - r) ** horizon
    p_leave = np.where(draining, np.where(total >= 1.0, 1.0, 1.0 - (1.0 - q) ** horizon), p_leave)
    p = np.where(state == 1, p_active, np.where(state == 2, p_leave, 0.0))
    return np.clip(p, 0.0, 1.0)


def roc_auc(score: np.ndarray, label: np.ndarray) -> float:
    """Mann-Whitney AUC with ties counted half (no scikit-learn import on the simulator's path)."""
    label = label.astype(bool)
    pos, neg = int(label.sum()), int((~label).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


def true_uplift(rng: np.random.Generator, base_response: np.ndarray, rate_end: np.ndarray,
                do_not_contact: np.ndarray) -> np.ndarray:
    """Causal rise in P(at least one trade within 21 trading days) from one phone contact.

    A contact can only move clients who would not have traded anyway, so the uplift shrinks with the natural
    trading probability; a few clients react against being called (negative uplift), most of all those who
    asked not to be contacted.
    """
    natural = 1.0 - (1.0 - np.clip(rate_end, 0.0, 1.0)) ** 21
    lift = 0.6 * base_response * (1.0 - natural)
    backlash = (rng.random(len(lift)) < np.where(do_not_contact, 0.5, 0.04)) * rng.uniform(0.01, 0.06, len(lift))
    return np.round(lift - backlash, 5)
