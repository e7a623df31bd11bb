"""Calibration through the report's own measurement: campaigns launched on simulated trades, read at K looks."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from panhuo.measure.calibration import load_population
from panhuo.measure.calibration_trades import END, _Store, calibrate_measured, run_measured_campaign
from panhuo.simulate import SimConfig, simulate


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    out = tmp_path_factory.mktemp("calib") / "b"
    simulate(SimConfig(clients=300, years=1.0, seed=41, stocks=60, end=END, chunk_clients=300), out, workers=1)
    store = _Store(out)
    yield store, load_population(out)
    store.con.close()


def test_under_the_null_nothing_is_added_and_the_truth_is_zero(branch):
    store, pop = branch
    launch = END - timedelta(days=30)
    seen = []
    run = run_measured_campaign(store, pop, seed=3, launch=launch, looks=3, null=True,
                                on_look=lambda day, y, x, treated, truth: seen.append((day, len(y), truth)))
    assert [(d, t) for d, _, t in seen] == [(10, 0.0), (20, 0.0), (30, 0.0)] and seen[0][1] == run.members
    assert [look.day for look in run.looks] == [10, 20, 30]
    assert all(look.true_lift == 0 for look in run.looks)
    assert store.con.execute("SELECT count(*) FROM induced").fetchall()[0][0] == 0


def test_the_effect_reaches_the_report_through_the_trades_table(branch):
    """The same campaign (same seed, same split) with and without the effect: the induced trades are read by
    member_outcomes' SQL, so the measured lift rises by about the true lift."""
    store, pop = branch
    launch = END - timedelta(days=30)
    null = run_measured_campaign(store, pop, seed=5, launch=launch, looks=1, null=True)
    real = run_measured_campaign(store, pop, seed=5, launch=launch, looks=1, null=False)
    assert store.con.execute("SELECT count(*) FROM induced WHERE symbol = 'INDUCED'").fetchall()[0][0] > 0
    assert real.looks[-1].true_lift > 0
    assert real.looks[-1].estimate > null.looks[-1].estimate
    gain = real.looks[-1].estimate - null.looks[-1].estimate
    assert gain == pytest.approx(real.looks[-1].true_lift, abs=0.05)


def test_summary_reports_false_positives_over_looks_coverage_and_cuped():
    s = calibrate_measured(runs=6, looks=5, null=True, clients=300, per_branch=6, seed=2).summary()
    assert s["runs"] == 6 and s["looks"] == 5 and s["null"] is True and s["mean_true_lift"] == 0
    assert 0 <= s["false_positive_rate"] <= 1 and 0 <= s["coverage"] <= 1 and s["mean_width"] > 0
    assert s["cuped_variance_reduction"] is not None and 0 <= s["cuped_variance_reduction"] < 1
    assert np.isfinite(s["mean_estimate"])


def test_refuses_nonsense():
    with pytest.raises(ValueError):
        calibrate_measured(runs=1, looks=40, window_days=30)
