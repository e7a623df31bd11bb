"""The anytime-valid readout: the confidence sequence holds at every look where a one-look interval does not,
CUPED narrows it without bias, and the sample-ratio check catches a broken split. Pure, against simulation."""

from __future__ import annotations

import math

import numpy as np

from panhuo.measure.sequential import cs_halfwidth, readout, srm_p_value


def _campaign(rng, *, n=400, share=0.2, base=None, effect=0.0, looks=10):
    """A campaign whose members are measured one after another, read at `looks` looks: (ever declared a success
    by the sequence, by the one-look interval, the sequence covered the truth at every look, final readout)."""
    z = rng.random(n) >= share
    x = rng.random(n) if base is None else base
    p = np.clip(0.05 + 0.4 * x + np.where(z, effect, 0.0), 0, 1)
    y = (rng.random(n) < p).astype(float)
    seq = one = False
    covered = True
    r = None
    for k in range(1, looks + 1):
        m = math.ceil(n * k / looks)
        r = readout(y[:m], z[:m], control_share=share, x=x[:m], planned_n=n)
        if r is None:
            continue
        seq |= r.cs_low > 0
        one |= r.fixed_low > 0
        covered &= r.cs_low <= effect <= r.cs_high
    return seq, one, covered, r


def test_at_ten_looks_the_sequence_keeps_false_successes_under_five_percent_where_one_look_intervals_do_not():
    rng = np.random.default_rng(7)
    runs = [_campaign(rng) for _ in range(600)]
    seq = np.mean([r[0] for r in runs])
    one = np.mean([r[1] for r in runs])
    assert seq <= 0.05
    assert one > 0.05 and one > 2 * seq          # looking daily at the ordinary interval inflates false successes


def test_with_a_true_effect_the_sequence_covers_it_at_every_look_and_finds_a_large_one():
    rng = np.random.default_rng(8)
    runs = [_campaign(rng, effect=0.08) for _ in range(400)]
    coverage = np.mean([r[2] for r in runs])
    assert 0.90 <= coverage <= 0.995
    strong = [_campaign(rng, n=2000, effect=0.15) for _ in range(50)]
    assert np.mean([r[0] for r in strong]) > 0.9


def test_cuped_narrows_the_interval_without_moving_its_centre():
    rng = np.random.default_rng(9)
    reductions, errors = [], []
    for _ in range(300):
        *_, r = _campaign(rng, n=1000, effect=0.05)
        reductions.append(r.variance_reduction)
        errors.append(r.lift - 0.05)
    assert np.mean(reductions) > 0.05                        # pre-period activity explains part of the outcome
    assert abs(np.mean(errors)) < 3 * np.std(errors) / math.sqrt(len(errors))     # unbiased
    y, z = np.r_[np.ones(50), np.zeros(50)], np.r_[np.ones(80, bool), np.zeros(20, bool)]
    assert readout(y, z, control_share=0.2).variance_reduction == 0.0               # no covariate, no reduction


def test_the_sequence_is_wider_than_one_look_and_narrows_as_members_are_measured():
    assert cs_halfwidth(1000, 1.0) > 1.96 / math.sqrt(1000)
    assert cs_halfwidth(4000, 1.0, planned_n=4000) < cs_halfwidth(1000, 1.0, planned_n=4000)
    assert cs_halfwidth(1, 1.0) == math.inf


def test_the_sample_ratio_check_flags_a_split_that_is_not_the_design():
    assert srm_p_value(900, 100, 0.10) > 0.5
    assert srm_p_value(500, 500, 0.10) < 1e-6
    y = np.zeros(200)
    z = np.r_[np.ones(100, bool), np.zeros(100, bool)]
    assert readout(y, z, control_share=0.1).srm_flag                   # half in control where 10% was designed
    assert not readout(y, np.r_[np.ones(180, bool), np.zeros(20, bool)], control_share=0.1).srm_flag


def test_an_early_look_with_no_success_yet_still_has_an_interval():
    z = np.r_[np.ones(90, bool), np.zeros(10, bool)]
    r = readout(np.zeros(100), z, control_share=0.1)              # nobody has resumed yet on day 1
    assert r.cs_high - r.cs_low > 0.05 and r.cs_low < 0 < r.cs_high
