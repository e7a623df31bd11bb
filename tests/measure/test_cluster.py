"""Randomisation by advisor: whole books in one arm, and a readout whose units are the advisors."""

from __future__ import annotations

import numpy as np

from panhuo.measure.holdout import assign_clusters
from panhuo.measure.lift import lift_binary, lift_clustered
from panhuo.measure.sequential import readout


def _branch(rng, *, advisors=40, per=30, share=0.5, effect=0.0, spread=0.8, seed=0):
    """Members of `advisors` books; each advisor has their own rate (a random effect on the log-odds), so members
    of one book resemble each other. Whole books go to an arm by `assign_clusters`."""
    ids = [(f"m{a:02d}-{i:02d}", f"A{a:02d}") for a in range(advisors) for i in range(per)]
    split = {s.member_id: s.is_control for s in assign_clusters(ids, control_share=share, seed=seed)}
    adv = np.array([c for _, c in ids])
    control = np.array([split[m] for m, _ in ids])
    logit = -1.5 + rng.normal(0, spread, advisors)[np.repeat(np.arange(advisors), per)]
    rate = 1 / (1 + np.exp(-logit)) + np.where(control, 0.0, effect)
    y = (rng.random(len(ids)) < rate).astype(float)
    return y, ~control, adv


def test_every_advisor_book_is_in_one_arm():
    members = [(f"c{i}", f"A{i % 13}") for i in range(400)] + [("loner", None), ("x", "")]
    out = assign_clusters(members, control_share=0.3, seed=5)
    assert len(out) == len(members)
    arm_of: dict = {}
    for a in out:
        arm_of.setdefault(a.stratum, set()).add(a.is_control)
    assert all(len(arms) == 1 for arms in arm_of.values())
    advisors = {k for k in arm_of if k[0].startswith("c:")}
    assert len(advisors) == 13
    assert 3 <= sum(next(iter(arm_of[k])) for k in advisors) <= 5        # 13 × 0.3 = 3.9 books in control
    assert out == assign_clusters(list(reversed(members)), control_share=0.3, seed=5)     # order does not matter
    shares = [np.mean([a.is_control for a in assign_clusters(members, control_share=0.3, seed=s)
                       if a.stratum[0].startswith("c:")]) for s in range(200)]
    assert abs(np.mean(shares) - 0.3) < 0.03


def test_the_interval_widens_under_intra_advisor_correlation():
    rng = np.random.default_rng(1)
    y, t, adv = _branch(rng)
    ind = lift_binary(y[t], y[~t])
    clu = lift_clustered(y[t], adv[t], y[~t], adv[~t])
    assert clu.clusters_treatment + clu.clusters_control == 40
    assert (clu.ci_high - clu.ci_low) > 1.8 * (ind.ci_high - ind.ci_low)
    # without correlation between a book's members the two agree closely
    y0, t0, adv0 = _branch(rng, spread=0.0)
    ind0, clu0 = lift_binary(y0[t0], y0[~t0]), lift_clustered(y0[t0], adv0[t0], y0[~t0], adv0[~t0])
    assert 0.8 < (clu0.ci_high - clu0.ci_low) / (ind0.ci_high - ind0.ci_low) < 1.25
    seq = readout(y, t, control_share=0.5, cluster=adv)
    flat = readout(y, t, control_share=0.5)
    assert seq.clusters_treatment + seq.clusters_control == 40
    assert (seq.cs_high - seq.cs_low) > 1.5 * (flat.cs_high - flat.cs_low)


def test_calibration_under_the_null_stays_honest():
    """200 branches with no effect and correlated books: the cluster-robust interval covers zero about 95% of the
    time and the confidence sequence almost always; the member-level interval, blind to the clusters, does not."""
    rng = np.random.default_rng(7)
    cover_clu = cover_ind = cover_cs = 0
    runs = 200
    for s in range(runs):
        y, t, adv = _branch(rng, seed=s)
        clu = lift_clustered(y[t], adv[t], y[~t], adv[~t])
        ind = lift_binary(y[t], y[~t])
        seq = readout(y, t, control_share=0.5, cluster=adv)
        cover_clu += clu.ci_low <= 0 <= clu.ci_high
        cover_ind += ind.ci_low <= 0 <= ind.ci_high
        cover_cs += seq.cs_low <= 0 <= seq.cs_high
    assert cover_clu / runs >= 0.91
    assert cover_cs / runs >= 0.95
    assert cover_ind / runs < 0.8
