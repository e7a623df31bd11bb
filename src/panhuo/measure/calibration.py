"""Does the report's 95% interval cover the true lift? Campaigns drawn on simulated branches. Pure (no Django).

Reading of the simulator's truth (simulate/truth.py): `true_uplift` is the causal rise in P(at least one
trade within 21 trading days) from one phone contact, built as 0.6 x base_response x (1 - natural) - backlash,
where natural = 1 - (1 - r)^21 and r is the client's daily trading probability on the last written day. So
the *natural probability* of resuming trading within the window is that `natural`, which the truth table does
not store; we recover it:
- when the uplift is positive, natural = 1 - uplift / (0.6 x base_response) exactly for the ~96% of clients
  without backlash (for the rest it reads natural slightly too high, which shifts the baseline only);
- when it is zero or negative (backlash dominates), from the client's observed rate: trading days in the last
  63 trading days / 63, turned into a 21-day probability the same way.
It is then raised where needed so that natural + uplift stays a probability.

A simulated campaign draws each member's outcome: treatment ~ Bernoulli(natural + uplift), control ~
Bernoulli(natural). Its true lift is the mean true uplift over ALL its eligible members (treatment and control
alike): that is what a randomised comparison estimates. The mean over the treatment group is reported beside
it. Coverage counts the runs whose interval holds the true lift over all members.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from panhuo.measure.holdout import assign_holdout
from panhuo.measure.lift import lift_binary

UPLIFT_SCALE = 0.6          # simulate/truth.py: lift = 0.6 x base_response x (1 - natural)
WINDOW = 21                 # trading days the truth's probabilities refer to
RECENT = 63                 # trading days used for the observed rate


@dataclass(frozen=True)
class Population:
    """What a simulated branch's truth says about each client, in one order."""

    client_id: np.ndarray
    advisor_id: np.ndarray
    tier: np.ndarray            # asset tercile at the end, for the holdout's strata
    alive: np.ndarray
    natural: np.ndarray
    uplift: np.ndarray
    dormancy: np.ndarray        # days since last trade at the end (the usual targeting score)
    base_response: np.ndarray
    pre_activity: np.ndarray | None = None   # trading days in the last 63 / 63: CUPED's pre-period covariate


def natural_probability(base_response: np.ndarray, uplift: np.ndarray, observed_rate: np.ndarray) -> np.ndarray:
    base = np.asarray(base_response, float)
    up = np.asarray(uplift, float)
    observed = 1.0 - (1.0 - np.clip(observed_rate, 0.0, 1.0)) ** WINDOW
    with np.errstate(divide="ignore", invalid="ignore"):
        inverted = 1.0 - up / (UPLIFT_SCALE * base)
    nat = np.where((up > 0) & (base > 0), inverted, observed)
    nat = np.clip(nat, 0.0, 1.0)
    return np.clip(np.maximum(nat, -up), 0.0, 1.0 - np.maximum(up, 0.0))


def load_population(sim_dir: Path) -> Population:
    """Join truth, clients and the last months of trades and assets of one simulated branch."""
    d = Path(sim_dir)
    con = duckdb.connect()
    try:
        rows = con.execute(f"""
            WITH days AS (SELECT DISTINCT trade_date FROM read_parquet('{d / 'trades.parquet'}')),
            recent AS (SELECT trade_date FROM days ORDER BY trade_date DESC LIMIT {RECENT}),
            tr AS (SELECT client_id, count(DISTINCT trade_date) FILTER (WHERE trade_date IN (SELECT * FROM recent))
                          AS recent_days, max(trade_date) AS last_trade
                   FROM read_parquet('{d / 'trades.parquet'}') GROUP BY client_id),
            last_day AS (SELECT max(date) AS d FROM read_parquet('{d / 'daily_assets.parquet'}')),
            assets AS (SELECT client_id, total_assets FROM read_parquet('{d / 'daily_assets.parquet'}')
                       WHERE date = (SELECT d FROM last_day))
            SELECT t.client_id, coalesce(c.advisor_id, '-') AS advisor_id, t.alive_at_end, t.base_response,
                   t.true_uplift, coalesce(tr.recent_days, 0) AS recent_days,
                   coalesce(date_diff('day', tr.last_trade, (SELECT d FROM last_day)), 9999) AS dormancy,
                   coalesce(ntile(3) OVER (ORDER BY coalesce(a.total_assets, 0)), 1) AS tier
            FROM read_parquet('{d / 'truth.parquet'}') t
            JOIN read_parquet('{d / 'clients.parquet'}') c USING (client_id)
            LEFT JOIN tr USING (client_id) LEFT JOIN assets a USING (client_id)
            ORDER BY t.client_id""").fetchnumpy()
    finally:
        con.close()
    natural = natural_probability(rows["base_response"], rows["true_uplift"],
                                  np.asarray(rows["recent_days"], float) / RECENT)
    return Population(client_id=np.asarray(rows["client_id"]), advisor_id=np.asarray(rows["advisor_id"]),
                      tier=np.asarray(rows["tier"]), alive=np.asarray(rows["alive_at_end"], bool),
                      natural=natural, uplift=np.asarray(rows["true_uplift"], float),
                      dormancy=np.asarray(rows["dormancy"], float),
                      base_response=np.asarray(rows["base_response"], float),
                      pre_activity=np.asarray(rows["recent_days"], float) / RECENT)


@dataclass(frozen=True)
class CampaignRun:
    seed: int
    members: int
    true_lift: float            # mean true uplift over all members
    true_lift_treated: float    # over the treatment group
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def covered(self) -> bool:
        return self.ci_low <= self.true_lift <= self.ci_high


def run_campaign(pop: Population, *, seed: int, control_share: float = 0.10, target_share: float = 1.0,
                 members: np.ndarray | None = None) -> CampaignRun:
    """One randomised campaign over living clients (a random `target_share` of them, or the given indices)."""
    rng = np.random.default_rng([seed, 7])
    if members is None:
        pool = np.flatnonzero(pop.alive)
        members = np.sort(rng.choice(pool, size=max(2, int(round(len(pool) * target_share))), replace=False))
    split = assign_holdout([(str(i), (pop.advisor_id[i], int(pop.tier[i]))) for i in members],
                           control_share=control_share, seed=seed)
    control = np.array([a.is_control for a in sorted(split, key=lambda a: int(a.member_id))])
    idx = np.sort(members)
    p = pop.natural[idx] + np.where(control, 0.0, pop.uplift[idx])
    y = (rng.random(len(idx)) < p).astype(float)
    lift = lift_binary(y[~control], y[control])
    return CampaignRun(seed=seed, members=len(idx), true_lift=float(pop.uplift[idx].mean()),
                       true_lift_treated=float(pop.uplift[idx][~control].mean()), estimate=lift.lift,
                       ci_low=lift.ci_low, ci_high=lift.ci_high, p_value=lift.p_value)


@dataclass
class Calibration:
    runs: list[CampaignRun] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return float(np.mean([r.covered for r in self.runs])) if self.runs else float("nan")

    @property
    def mean_width(self) -> float:
        return float(np.mean([r.ci_high - r.ci_low for r in self.runs])) if self.runs else float("nan")

    def summary(self) -> dict:
        return {"runs": len(self.runs), "coverage": round(self.coverage, 4), "mean_width": round(self.mean_width, 5),
                "mean_true_lift": round(float(np.mean([r.true_lift for r in self.runs])), 5),
                "mean_estimate": round(float(np.mean([r.estimate for r in self.runs])), 5),
                "mean_members": round(float(np.mean([r.members for r in self.runs])), 1)}


def calibrate(*, runs: int, clients: int = 600, years: float = 1.0, per_branch: int = 1, control_share: float = 0.10,
              target_share: float = 0.5, seed: int = 1, on_run: Callable[[int], None] | None = None) -> Calibration:
    """`runs` campaigns; a new simulated branch (its own seed) every `per_branch` campaigns."""
    if runs < 1 or per_branch < 1:
        raise ValueError("runs and per_branch must be positive")
    result = Calibration()
    for k, pop in _populations(runs=runs, per_branch=per_branch, clients=clients, years=years, seed=seed):
        result.runs.append(run_campaign(pop, seed=seed * 1_000_003 + k, control_share=control_share,
                                        target_share=target_share))
        if on_run:
            on_run(k + 1)
    return result


def _populations(*, runs: int, per_branch: int, clients: int, years: float, seed: int):
    """(k, population) for campaign k of `runs`: a new simulated branch (its own seed) every `per_branch`."""
    from panhuo.simulate import SimConfig, simulate

    pop = None
    with tempfile.TemporaryDirectory(prefix="panhuo-calib-") as tmp:
        for k in range(runs):
            if k % per_branch == 0:
                out = Path(tmp) / f"b{k // per_branch}"
                simulate(SimConfig(clients=clients, years=years, seed=seed * 100_003 + k // per_branch, stocks=60,
                                   end=date(2026, 10, 30), chunk_clients=max(clients, 1)), out, workers=1)
                pop = load_population(out)
            yield k, pop


# ---- daily looks: the anytime-valid readout (measure/sequential.py) --------------------------------------------

@dataclass(frozen=True)
class SequentialRun:
    seed: int
    members: int
    looks: int
    covered: bool               # the confidence sequence held the true lift at every look
    fixed_covered: bool         # the one-look 95% interval did, at every look
    declared: bool              # some look's sequence excluded zero on the positive side ("a success")
    fixed_declared: bool        # some look's one-look interval did
    width: float                # the sequence's width at the last look
    fixed_width: float
    variance_reduction: float   # CUPED at the last look
    srm_flags: int              # looks whose sample-ratio check failed
    true_lift: float


def run_sequential(pop: Population, *, seed: int, looks: int = 10, null: bool = False, control_share: float = 0.10,
                   target_share: float = 0.5) -> SequentialRun:
    """One campaign read at `looks` looks. Members are measured in an order that does not depend on their group
    (their task's due date and window), so look k holds the first k/looks of them in a random order; at each look
    the readout uses CUPED on pre-period activity. With `null` nobody responds to contact (uplift 0)."""
    from panhuo.measure.sequential import readout

    rng = np.random.default_rng([seed, 11])
    pool = np.flatnonzero(pop.alive)
    members = np.sort(rng.choice(pool, size=max(4, int(round(len(pool) * target_share))), replace=False))
    split = assign_holdout([(str(i), (pop.advisor_id[i], int(pop.tier[i]))) for i in members],
                           control_share=control_share, seed=seed)
    control = np.array([a.is_control for a in sorted(split, key=lambda a: int(a.member_id))])
    uplift = np.zeros(len(members)) if null else pop.uplift[members]
    p = pop.natural[members] + np.where(control, 0.0, uplift)
    y = (rng.random(len(members)) < p).astype(float)
    x = pop.pre_activity[members] if pop.pre_activity is not None else None
    order = rng.permutation(len(members))
    n = len(members)
    covered = fixed_covered = True
    declared = fixed_declared = False
    srm = 0
    last = None
    for k in range(1, looks + 1):
        idx = order[: int(math.ceil(n * k / looks))]
        r = readout(y[idx], ~control[idx], control_share=control_share, x=None if x is None else x[idx],
                    planned_n=n)
        if r is None:
            continue
        truth = float(uplift[idx].mean())
        covered &= r.cs_low <= truth <= r.cs_high
        fixed_covered &= r.fixed_low <= truth <= r.fixed_high
        declared |= r.cs_low > 0
        fixed_declared |= r.fixed_low > 0
        srm += r.srm_flag
        last = r
    return SequentialRun(seed=seed, members=n, looks=looks, covered=covered, fixed_covered=fixed_covered,
                         declared=declared, fixed_declared=fixed_declared,
                         width=last.cs_high - last.cs_low if last else float("nan"),
                         fixed_width=last.fixed_high - last.fixed_low if last else float("nan"),
                         variance_reduction=last.variance_reduction if last else float("nan"), srm_flags=srm,
                         true_lift=float(uplift.mean()))


def summarise_sequential(runs: list[SequentialRun], *, null: bool) -> dict:
    def mean(xs):
        return round(float(np.mean(xs)), 4) if xs else float("nan")

    return {"runs": len(runs), "looks": runs[0].looks if runs else 0, "null": null,
            "coverage": mean([r.covered for r in runs]),
            "false_positive_rate": mean([r.declared for r in runs]) if null else None,
            "success_rate": mean([r.declared for r in runs]),
            "mean_width": mean([r.width for r in runs]),
            "cuped_variance_reduction": mean([r.variance_reduction for r in runs]),
            "srm_flag_rate": mean([r.srm_flags / r.looks for r in runs]),
            "one_look_interval": {"coverage_all_looks": mean([r.fixed_covered for r in runs]),
                                  "ever_significant": mean([r.fixed_declared for r in runs]),
                                  "mean_width": mean([r.fixed_width for r in runs])},
            "mean_true_lift": round(float(np.mean([r.true_lift for r in runs])), 5) if runs else None,
            "mean_members": mean([r.members for r in runs])}


def calibrate_sequential(*, runs: int, looks: int = 10, null: bool = False, clients: int = 600, years: float = 1.0,
                         per_branch: int = 1, control_share: float = 0.10, target_share: float = 0.5, seed: int = 1,
                         on_run: Callable[[int], None] | None = None) -> dict:
    """`runs` campaigns read at `looks` looks each, on simulated branches (a new one every `per_branch`)."""
    if runs < 1 or per_branch < 1 or looks < 1:
        raise ValueError("runs, looks and per_branch must be positive")
    out: list[SequentialRun] = []
    for k, pop in _populations(runs=runs, per_branch=per_branch, clients=clients, years=years, seed=seed):
        out.append(run_sequential(pop, seed=seed * 1_000_003 + k, looks=looks, null=null,
                                  control_share=control_share, target_share=target_share))
        if on_run:
            on_run(k + 1)
    return summarise_sequential(out, null=null)
