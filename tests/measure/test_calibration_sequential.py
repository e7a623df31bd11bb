"""`panhuo campaign calibrate --looks K [--null]`: repeated looks at campaigns on simulated branches."""

from __future__ import annotations

from panhuo.measure.calibration import calibrate_sequential


def test_the_calibration_reads_each_campaign_at_every_look_and_reports_the_figures():
    null = calibrate_sequential(runs=8, looks=10, null=True, clients=400, per_branch=4, seed=3)
    assert null["runs"] == 8 and null["looks"] == 10 and null["mean_true_lift"] == 0.0
    assert 0 <= null["false_positive_rate"] <= 0.25 and 0 <= null["coverage"] <= 1
    assert null["cuped_variance_reduction"] > 0                       # pre-period activity predicts resuming
    assert null["mean_width"] > null["one_look_interval"]["mean_width"]
    real = calibrate_sequential(runs=8, looks=10, clients=400, per_branch=4, seed=3)
    assert real["false_positive_rate"] is None and real["mean_true_lift"] > 0


def test_the_readout_is_also_checked_on_the_reports_own_measurement_of_simulated_trades():
    from panhuo.measure.calibration_readout import calibrate_readout_on_trades

    null = calibrate_readout_on_trades(runs=4, looks=5, null=True, clients=400, per_branch=2, seed=4)
    assert null["measured_on"].startswith("simulated trades") and null["false_positive_rate"] is not None
    assert 0 <= null["coverage"] <= 1 and null["cuped_variance_reduction"] > 0
