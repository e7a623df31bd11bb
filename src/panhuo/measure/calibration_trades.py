"""Calibration through the real outcome measurement: campaigns on simulated trades, looked at K times. Pure.

`calibration.py` draws each member's outcome as a Bernoulli from the simulator's truth, a shortcut of its own
that never runs the code a branch's report runs. Here a campaign is launched `window_days` before the end of a
simulated branch, and its outcome is what `measure.outcomes.member_outcomes` (the report's own SQL, measure
"resumed") reads from the trades table:
- control members keep the trades the simulator wrote for them: their natural behaviour;
- a treated member with a positive true uplift u gets, with probability q = u / (1 - natural), one extra trade on
  a uniformly drawn day of the window (it only changes the outcome of a member who would not have traded, so the
  expected rise is u); a treated member with backlash (u < 0) loses the window's trades with probability
  -u / natural. `--null` adds and removes nothing: the true effect is exactly zero.
The true lift at a look after d days is the expected effect over all members given the trades the simulator
wrote: mean of (1 - traded by day d) x q x d / window for the uplifted, minus traded by day d x s for backlash.

Each campaign is looked at K times (days window/K, 2 window/K, …, window); a campaign is "declared a success"
when any look's 95% interval lies above zero. Under the null the share of such campaigns is the false-positive
rate of checking the report K times; with the fixed-sample interval it grows with K, which is what this module
is for: it measures the readout, it does not fix it. CUPED: the variance a pre-period covariate (trading in the
same span before launch, the report's `before`) would remove, 1 - Var(y - θx)/Var(y) with θ = Cov(y, x)/Var(x).
The population (natural probability, uplift) is read at the end of the simulation, 'window_days' after launch.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from panhuo.measure.calibration import Population, load_population
from panhuo.measure.holdout import assign_holdout
from panhuo.measure.lift import lift_binary
from panhuo.measure.outcomes import MemberRow, member_outcomes

END = date(2026, 10, 30)
_INDUCED = pa.schema([("client_id", pa.string()), ("trade_date", pa.date32()), ("symbol", pa.string()),
                      ("amount", pa.float64()), ("commission", pa.float64())])


@dataclass(frozen=True)
class Look:
    day: int
    true_lift: float
    estimate: float
    ci_low: float
    ci_high: float

    @property
    def covered(self) -> bool:
        return self.ci_low <= self.true_lift <= self.ci_high

    @property
    def success(self) -> bool:
        return self.ci_low > 0


@dataclass(frozen=True)
class MeasuredRun:
    seed: int
    members: int
    looks: tuple[Look, ...]
    cuped_reduction: float      # at the last look


class _Store:
    """What member_outcomes needs of a Warehouse: a DuckDB connection with `trades` and `daily_assets`."""

    def __init__(self, sim_dir: Path):
        self.con = duckdb.connect()
        d = Path(sim_dir)
        self.con.execute(f"CREATE TABLE base AS SELECT client_id, trade_date, symbol, amount, commission "
                         f"FROM read_parquet('{d / 'trades.parquet'}')")
        self.con.execute(f"CREATE VIEW daily_assets AS SELECT * FROM read_parquet('{d / 'daily_assets.parquet'}')")

    def set_campaign(self, *, launch: date, induced: pa.Table, suppressed: pa.Table) -> None:
        """trades = the simulator's trades, without the suppressed members' trades after launch, plus the induced."""
        self.con.register("induced", induced)
        self.con.register("suppressed", suppressed)
        # A view cannot take parameters; the launch is a date object, so its ISO form is a safe literal.
        self.con.execute(f"""CREATE OR REPLACE TEMP VIEW trades AS
            SELECT * FROM base WHERE NOT (trade_date > DATE '{launch.isoformat()}'
                                          AND client_id IN (SELECT client_id FROM suppressed))
            UNION ALL SELECT client_id, trade_date, symbol, amount, commission FROM induced""")

    def first_trade_after(self, launch: date) -> dict[str, date]:
        rows = self.con.execute("SELECT client_id, min(trade_date) FROM base WHERE trade_date > $l GROUP BY 1",
                                {"l": launch}).fetchall()
        return dict(rows)


def _draw(pop: Population, idx: np.ndarray, treated: np.ndarray, rng: np.random.Generator, *, null: bool,
          window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per member: probability of an induced trade q, its day, probability of suppression s, and the draws."""
    up, nat = pop.uplift[idx], pop.natural[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where((up > 0) & (nat < 1), np.clip(up / (1 - nat), 0, 1), 0.0)
        s = np.where((up < 0) & (nat > 0), np.clip(-up / nat, 0, 1), 0.0)
    if null:
        q, s = np.zeros_like(q), np.zeros_like(s)
    day = rng.integers(1, window + 1, len(idx))
    induced = treated & (rng.random(len(idx)) < q)
    suppressed = treated & (rng.random(len(idx)) < s)
    return q, s, day, np.stack([induced, suppressed])


def run_measured_campaign(store: _Store, pop: Population, *, seed: int, launch: date, window_days: int = 30,
                          looks: int = 1, null: bool = False, control_share: float = 0.5,
                          target_share: float = 1.0,
                          on_look: Callable[[int, np.ndarray, np.ndarray, np.ndarray, float], None] | None = None,
                          ) -> MeasuredRun:
    """One campaign measured on the trades at `looks` looks. `on_look(day, y, x, treated, true_lift)` receives
    each look's measured outcomes, pre-period covariate and groups, e.g. for another readout (a confidence
    sequence) to be checked on the same measurement."""
    rng = np.random.default_rng([seed, 11])
    pool = np.flatnonzero(pop.alive)
    idx = np.sort(rng.choice(pool, size=max(4, int(round(len(pool) * target_share))), replace=False))
    split = assign_holdout([(str(i), (pop.advisor_id[i], int(pop.tier[i]))) for i in idx],
                           control_share=control_share, seed=seed)
    control = np.array([a.is_control for a in sorted(split, key=lambda a: int(a.member_id))])
    q, s, day, (induced, suppressed) = _draw(pop, idx, ~control, rng, null=null, window=window_days)
    ids = [str(pop.client_id[i]) for i in idx]
    store.set_campaign(
        launch=launch,
        induced=pa.table({"client_id": [c for c, k in zip(ids, induced, strict=True) if k],
                          "trade_date": [launch + timedelta(days=int(d)) for d, k in zip(day, induced, strict=True) if k],
                          "symbol": ["INDUCED"] * int(induced.sum()), "amount": [1000.0] * int(induced.sum()),
                          "commission": [5.0] * int(induced.sum())}, schema=_INDUCED),
        suppressed=pa.table({"client_id": [c for c, k in zip(ids, suppressed, strict=True) if k]},
                            schema=pa.schema([("client_id", pa.string())])))
    first = store.first_trade_after(launch)
    natural_day = np.array([(first[c] - launch).days if c in first else 10**6 for c in ids])
    members = [MemberRow(client_id=c) for c in ids]
    position = {c: k for k, c in enumerate(ids)}
    out, cuped = [], float("nan")
    for k in range(1, looks + 1):
        d = max(1, round(window_days * k / looks))
        rows = member_outcomes(store, members=members, launch=launch, window_days=d, measure="resumed")
        y = np.empty(len(ids))
        x = np.empty(len(ids))
        for r in rows:
            y[position[r["client_id"]]] = r["outcome"]
            x[position[r["client_id"]]] = r["before"]
        traded = natural_day <= d
        truth = np.where(q > 0, (~traded) * q * np.minimum(d, window_days) / window_days, 0.0) - traded * s
        with warnings.catch_warnings():       # an early look may have no trader in a group: a NaN interval
            warnings.simplefilter("ignore", RuntimeWarning)
            lift = lift_binary(y[~control], y[control])
        out.append(Look(d, float(truth.mean()), lift.lift, lift.ci_low, lift.ci_high))
        if on_look:
            on_look(d, y.copy(), x.copy(), ~control, float(truth.mean()))
        if k == looks and y.var() > 0 and x.var() > 0:
            theta = np.cov(y, x)[0, 1] / x.var(ddof=1)
            cuped = float(1 - np.var(y - theta * x, ddof=1) / np.var(y, ddof=1))
    return MeasuredRun(seed=seed, members=len(ids), looks=tuple(out), cuped_reduction=cuped)


@dataclass
class MeasuredCalibration:
    null: bool
    runs: list[MeasuredRun] = field(default_factory=list)

    def summary(self) -> dict:
        last = [r.looks[-1] for r in self.runs]
        every = [look for r in self.runs for look in r.looks]
        ever = float(np.mean([any(look.success for look in r.looks) for r in self.runs]))
        cuped = [r.cuped_reduction for r in self.runs if not np.isnan(r.cuped_reduction)]
        return {"runs": len(self.runs), "looks": len(self.runs[0].looks) if self.runs else 0, "null": self.null,
                "measured_on": "simulated trades via measure.outcomes.member_outcomes (resumed)",
                "coverage": round(float(np.mean([x.covered for x in last])), 4),
                "coverage_every_look": round(float(np.mean([x.covered for x in every])), 4),
                # ever declared a success (95% interval above zero at any look)
                ("false_positive_rate" if self.null else "success_rate"): round(ever, 4),
                "mean_width": round(float(np.mean([x.ci_high - x.ci_low for x in last])), 5),
                "mean_true_lift": round(float(np.mean([x.true_lift for x in last])), 5),
                "mean_estimate": round(float(np.mean([x.estimate for x in last])), 5),
                "cuped_variance_reduction": round(float(np.mean(cuped)), 4) if cuped else None}


def calibrate_measured(*, runs: int, looks: int = 1, null: bool = False, clients: int = 600, years: float = 1.0,
                       per_branch: int = 1, window_days: int = 30, control_share: float = 0.5,
                       target_share: float = 1.0, seed: int = 1,
                       on_run: Callable[[int], None] | None = None) -> MeasuredCalibration:
    """`runs` campaigns measured on simulated trades; a new simulated branch every `per_branch` campaigns."""
    from panhuo.simulate import SimConfig, simulate

    if runs < 1 or per_branch < 1 or looks < 1 or window_days < looks:
        raise ValueError("runs, per_branch and looks must be positive, and window_days at least looks")
    result = MeasuredCalibration(null=null)
    launch = END - timedelta(days=window_days)
    store = pop = None
    with tempfile.TemporaryDirectory(prefix="panhuo-calib-trades-") as tmp:
        for k in range(runs):
            if k % per_branch == 0:
                out = Path(tmp) / f"b{k // per_branch}"
                simulate(SimConfig(clients=clients, years=years, seed=seed * 100_003 + k // per_branch, stocks=60,
                                   end=END, chunk_clients=max(clients, 1)), out, workers=1)
                if store is not None:
                    store.con.close()
                store, pop = _Store(out), load_population(out)
            result.runs.append(run_measured_campaign(store, pop, seed=seed * 1_000_003 + k, launch=launch,
                                                     window_days=window_days, looks=looks, null=null,
                                                     control_share=control_share, target_share=target_share))
            if on_run:
                on_run(k + 1)
        if store is not None:
            store.con.close()
    return result
