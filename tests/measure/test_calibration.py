"""The report's interval against the simulator's known truth (the full version is bench/bench_campaigns.py)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from panhuo.measure.calibration import (
    UPLIFT_SCALE,
    calibrate,
    load_population,
    natural_probability,
    run_campaign,
)


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    from panhuo.simulate import SimConfig, simulate

    out = tmp_path_factory.mktemp("calib")
    simulate(SimConfig(clients=600, years=1.0, seed=11, stocks=60, end=date(2026, 10, 30), chunk_clients=600), out,
             workers=1)
    return load_population(out)


def test_natural_probability_inverts_the_simulators_uplift(population):
    p = population
    pos = p.uplift > 0
    # where the uplift is positive, the simulator's own formula gives the uplift back (to its rounding)
    rebuilt = UPLIFT_SCALE * p.base_response[pos] * (1 - p.natural[pos])
    assert np.mean(np.abs(rebuilt - p.uplift[pos]) < 1e-4) > 0.9
    assert ((p.natural + p.uplift >= 0) & (p.natural + p.uplift <= 1)).all()
    # a negative uplift falls back on the observed rate and keeps natural + uplift a probability
    assert natural_probability(np.array([0.1]), np.array([-0.05]), np.array([0.0]))[0] == pytest.approx(0.05)


def test_intervals_cover_the_true_lift_in_100_campaigns(population):
    runs = [run_campaign(population, seed=s, control_share=0.10) for s in range(100)]
    coverage = np.mean([r.covered for r in runs])
    assert 0.90 <= coverage <= 0.98, coverage
    # the estimate is unbiased: its mean is within 3 standard errors of the mean true lift
    err = np.array([r.estimate - r.true_lift for r in runs])
    assert abs(err.mean()) < 3 * err.std() / np.sqrt(len(err)) + 1e-3


def test_the_interval_is_not_vacuous(population):
    """The check has teeth: a lift 0.1 away from the truth is covered far less often than the truth."""
    runs = [run_campaign(population, seed=s, control_share=0.5) for s in range(60)]
    assert np.mean([r.covered for r in runs]) >= 0.85
    assert np.mean([r.ci_low <= r.true_lift + 0.1 <= r.ci_high for r in runs]) < 0.4


def test_cli_calibrate_prints_coverage_and_width():
    from typer.testing import CliRunner

    import panhuo.cli  # noqa: F401  (registers the commands)
    from panhuo.cli.app import app

    res = CliRunner().invoke(app, ["campaign", "calibrate", "--runs", "20", "--clients", "300", "--per-branch", "20",
                                   "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["runs"] == 20 and 0 <= data["coverage"] <= 1 and data["mean_width"] > 0


def test_calibrate_refuses_nonsense():
    with pytest.raises(ValueError):
        calibrate(runs=0)
