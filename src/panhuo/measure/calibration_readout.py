"""The daily readout (measure/sequential.py) checked on the real outcome measurement: campaigns on simulated
trades measured by `measure.outcomes.member_outcomes` at K looks (calibration_trades.run_measured_campaign, whose
`on_look` hands over each look's outcomes, pre-period covariate and groups). Pure (no Django).

Here the looks are the outcome window growing over the days after launch (every member measured at every look),
the way a manager reads a running campaign; the theorem behind the sequence covers members added over time, so
this checks the sequence beyond its proof, on the measurement the report really runs."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np

from panhuo.measure import calibration_trades as ct
from panhuo.measure.calibration import load_population
from panhuo.measure.sequential import readout


def calibrate_readout_on_trades(*, runs: int, looks: int = 10, null: bool = False, clients: int = 600,
                                years: float = 1.0, per_branch: int = 1, window_days: int = 30,
                                control_share: float = 0.10, target_share: float = 0.5, seed: int = 1,
                                on_run: Callable[[int], None] | None = None) -> dict:
    from panhuo.simulate import SimConfig, simulate

    if runs < 1 or per_branch < 1 or looks < 1 or window_days < looks:
        raise ValueError("runs, per_branch and looks must be positive, and window_days at least looks")
    launch = ct.END - timedelta(days=window_days)
    covered, declared, one_look, widths, reductions, srm = [], [], [], [], [], []
    store = pop = None
    with tempfile.TemporaryDirectory(prefix="panhuo-calib-readout-") as tmp:
        for k in range(runs):
            if k % per_branch == 0:
                out = Path(tmp) / f"b{k // per_branch}"
                simulate(SimConfig(clients=clients, years=years, seed=seed * 100_003 + k // per_branch, stocks=60,
                                   end=ct.END, chunk_clients=max(clients, 1)), out, workers=1)
                if store is not None:
                    store.con.close()
                store, pop = ct._Store(out), load_population(out)
            state = {"covered": True, "declared": False, "one": False, "last": None, "srm": 0}

            def look(day, y, x, treated, truth, state=state):
                r = readout(y, treated, control_share=control_share, x=x if x.var() > 0 else None,
                            planned_n=len(y))
                if r is None:
                    return
                state["covered"] &= r.cs_low <= truth <= r.cs_high
                state["declared"] |= r.cs_low > 0
                state["one"] |= r.fixed_low > 0
                state["srm"] += r.srm_flag
                state["last"] = r

            ct.run_measured_campaign(store, pop, seed=seed * 1_000_003 + k, launch=launch, window_days=window_days,
                                     looks=looks, null=null, control_share=control_share,
                                     target_share=target_share, on_look=look)
            covered.append(state["covered"])
            declared.append(state["declared"])
            one_look.append(state["one"])
            srm.append(state["srm"] / looks)
            if state["last"] is not None:
                widths.append(state["last"].cs_high - state["last"].cs_low)
                reductions.append(state["last"].variance_reduction)
            if on_run:
                on_run(k + 1)
        if store is not None:
            store.con.close()

    def mean(xs):
        return round(float(np.mean(xs)), 4) if xs else None

    return {"runs": runs, "looks": looks, "null": null,
            "measured_on": "simulated trades via measure.outcomes.member_outcomes (resumed)",
            "coverage": mean(covered), "false_positive_rate": mean(declared) if null else None,
            "success_rate": mean(declared), "mean_width": mean(widths), "cuped_variance_reduction": mean(reductions),
            "srm_flag_rate": mean(srm), "one_look_interval": {"ever_significant": mean(one_look)}}
