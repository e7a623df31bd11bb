"""Holdout assignment and lift statistics, checked against known truths."""

from __future__ import annotations

from collections import Counter

import numpy as np

from panhuo.measure.holdout import assign_holdout
from panhuo.measure.lift import lift_binary, lift_continuous


def _members(n=2000):
    return [(f"C{i:05d}", (f"A{i % 9}", "vip" if i % 5 == 0 else "std")) for i in range(n)]


def test_holdout_is_seeded_stratified_and_proportional():
    members = _members()
    a = assign_holdout(members, control_share=0.1, seed=42)
    b = assign_holdout(list(reversed(members)), control_share=0.1, seed=42)
    assert [(x.member_id, x.is_control) for x in a] == [(x.member_id, x.is_control) for x in b]
    assert assign_holdout(members, control_share=0.1, seed=43) != a
    by_stratum = Counter(x.stratum for x in a)
    control = Counter(x.stratum for x in a if x.is_control)
    for stratum, n in by_stratum.items():
        assert abs(control[stratum] - n * 0.1) < 1, stratum
    assert abs(sum(x.is_control for x in a) - 200) <= len(by_stratum)


def test_binary_interval_covers_the_true_lift_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    true_t, true_c, runs, covered = 0.22, 0.15, 400, 0
    for _ in range(runs):
        lift = lift_binary(rng.random(900) < true_t, rng.random(100) < true_c)
        covered += lift.ci_low <= true_t - true_c <= lift.ci_high
    assert 0.92 <= covered / runs <= 0.985


def test_no_effect_is_rarely_significant_and_a_big_one_is_found():
    rng = np.random.default_rng(11)
    false_alarms = sum(lift_binary(rng.random(500) < 0.2, rng.random(500) < 0.2).significant for _ in range(300))
    assert false_alarms / 300 < 0.09
    big = lift_binary(rng.random(2000) < 0.35, rng.random(400) < 0.15)
    assert big.significant and big.ci_low > 0.1


def test_continuous_lift_uses_welch():
    rng = np.random.default_rng(3)
    lift = lift_continuous(rng.normal(1.5, 1, 800), rng.normal(1.0, 3, 120))
    assert lift.method == "welch"
    assert lift.ci_low < 0.5 < lift.ci_high


def test_groups_without_variance_give_no_evidence_instead_of_nan():
    """Nobody in either group resumed (or everybody did): the test is undefined, and the report says p = 1 (no
    evidence of a difference) instead of showing nan; a real difference without variance is p = 0."""
    from panhuo.measure.lift import lift_binary, lift_continuous

    for value in (0.0, 1.0):
        r = lift_binary(np.full(50, value), np.full(40, value))
        assert r.lift == 0 and r.p_value == 1.0 and r.ci_low < 0 < r.ci_high
    same = lift_continuous(np.full(50, 3.0), np.full(40, 3.0))
    assert (same.p_value, same.ci_low, same.ci_high) == (1.0, 0.0, 0.0)
    assert lift_continuous(np.full(50, 3.0), np.full(40, 2.0)).p_value == 0.0
