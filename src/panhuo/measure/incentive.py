"""Each advisor's campaign incentive: paid for the effect the campaign measured, never for a good book. Pure Python.

The rule, in two steps:

1. **The campaign's pot.** Members are counted as a *success* once (binary measures: outcome 1; the others:
   more than the span before), so no client is worth more than `per_client` however much they trade. The
   campaign's lift in the success rate, treatment against its randomised control, gets a 95% Newcombe interval
   (the report's interval, measure/lift.py). The pot is paid on the interval's lower bound:
       incremental clients = max(lower bound, 0) x counted treatment members,   pot = per_client x incremental
   so nothing is paid unless the interval excludes zero, and then only for the part of the effect the campaign
   is 95% sure of: the pay grows smoothly with the evidence, with no cliff at significance to game.
2. **Shared by contribution.** Each advisor's own effect is their treated members against their OWN control
   members (the holdout is stratified by advisor x tier, so each advisor has a randomised control of their own).
   A handful of control clients gives a noisy estimate, so it is shrunk toward the campaign's effect (empirical
   Bayes, DerSimonian-Laird between-advisor variance): an advisor's share is their treated count x their shrunk
   effect (floored at 0) over the sum of those. With no real difference between advisors the shares follow the
   treated counts; an advisor whose clients resume on their own at 40% has a 40% control too, and gets no more.
   Each advisor's amount is at most the cap; what a cap cuts off is not passed to others.

Why not pay each advisor on their own interval? With 10% control an advisor has 6-15 control clients: a real
10-point effect almost never clears their own interval (nobody is paid for real work), while ten advisors each
tested alone are paid on noise about one campaign in five. Paying the shrunk point estimate floored at zero
still pays on noise (the floor keeps the lucky draws and drops the unlucky ones). The campaign-level bound has the
whole campaign's power, a false-pay rate of at most 2.5% of campaigns with no effect, and then pays for an effect
barely above zero. Over 1,000 simulated campaigns with no effect (tests/campaigns/test_incentive.py, 10 advisors
x 60-150 clients, base rates 5-40%, control 10%) the mean payout is far below 1% of the cap; the rule it replaced
(each advisor's successes beyond the whole campaign's control rate, floored at zero) paid about a third of it.
The cost: a real effect is paid below its point estimate; a larger control share narrows the interval and brings
the pay closer to the measured effect.

For volume / frequency / commission measures, C1-C2 members and members whose turnover jumped after contact never
count, in treatment or control (证券法 Art. 57: no reward for churning a conservative client).
Attribution is to the advisor recorded at launch: their stratum of the randomisation, and the advisor the task
was given to (a client reassigned later is still credited to the advisor who served them in the campaign).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from panhuo.measure.lift import Lift, lift_binary

CONSERVATIVE = {"C1", "C2"}


@dataclass(frozen=True)
class IncentiveMember:
    group: str                # "treatment" | "control"
    advisor: str              # the advisor recorded at launch (the stratum)
    outcome: float | None     # None: not measured yet
    risk_level: str = ""
    turnover_flag: bool = False


@dataclass(frozen=True)
class AdvisorIncentive:
    advisor: str
    treated: int              # treatment members that count (measured, not barred)
    successes: int
    control: int              # the advisor's own control members that count
    control_successes: int
    effect: float | None      # own lift, shrunk toward the campaign's (None: nothing of theirs measured)
    share: float              # of the campaign's incremental clients
    incremental: float        # clients credited: share x the campaign's incremental clients
    amount: float             # CNY, to the cent
    capped: bool


@dataclass(frozen=True)
class CampaignIncentive:
    lift: Lift                # success rate, treatment against control, with its 95% interval
    treated: int
    control: int
    incremental: float        # max(lower bound, 0) x counted treatment members
    pot: float                # per_client x incremental, before the caps
    rows: list[AdvisorIncentive] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return self.incremental > 0

    @property
    def total(self) -> float:
        return round(sum(r.amount for r in self.rows), 2)


def _counts(m: IncentiveMember, *, churn_sensitive: bool) -> bool:
    if m.outcome is None:
        return False
    return not (churn_sensitive and (m.risk_level in CONSERVATIVE or m.turnover_flag))


def _success(m: IncentiveMember, *, binary: bool) -> bool:
    return m.outcome >= 1.0 if binary else m.outcome > 0.0


def _smoothed(x: int, n: int) -> float:
    return (x + 0.5) / (n + 1)       # keeps the variance of 0/n or n/n above zero


def shrunk_effects(groups: dict[str, tuple[int, int, int, int]]) -> dict[str, float | None]:
    """{advisor: own lift shrunk toward the common effect} from {advisor: (treated, successes, control,
    control successes)}, by empirical Bayes with the DerSimonian-Laird between-advisor variance. An advisor
    without treated or control members measured gets the common effect; None when nobody has both."""
    est = {}
    for a, (nt, xt, nc, xc) in groups.items():
        if nt and nc:
            pt, pc = _smoothed(xt, nt), _smoothed(xc, nc)
            est[a] = (xt / nt - xc / nc, pt * (1 - pt) / nt + pc * (1 - pc) / nc)
    if not est:
        return dict.fromkeys(groups)
    w = {a: 1 / v for a, (_, v) in est.items()}
    sw = sum(w.values())
    fixed = sum(w[a] * d for a, (d, _) in est.items()) / sw
    q = sum(w[a] * (d - fixed) ** 2 for a, (d, _) in est.items())
    denom = sw - sum(x * x for x in w.values()) / sw
    tau2 = max(0.0, (q - (len(est) - 1)) / denom) if denom > 0 else 0.0
    w_re = {a: 1 / (v + tau2) for a, (_, v) in est.items()}
    common = sum(w_re[a] * est[a][0] for a in est) / sum(w_re.values())
    return {a: (common + tau2 / (tau2 + est[a][1]) * (est[a][0] - common)) if a in est else common
            for a in groups}


def campaign_incentive(members: list[IncentiveMember], *, per_client: float | None, cap: float | None,
                       binary: bool, churn_sensitive: bool) -> CampaignIncentive | None:
    """The campaign's pot and one row per advisor with treatment members, by name. None when the campaign has no
    per-client amount, or no treatment or no control member is measured yet (nothing is known to be incremental)."""
    if not per_client or per_client <= 0:
        return None
    counted = [m for m in members if _counts(m, churn_sensitive=churn_sensitive)]
    # Every advisor with treatment members gets a row, even with nothing measured yet.
    treating = sorted({m.advisor for m in members if m.group == "treatment"})
    groups: dict[str, list[int]] = {a: [0, 0, 0, 0] for a in treating}   # treated, successes, control, successes
    wins: dict[str, list[float]] = {"treatment": [], "control": []}
    for m in counted:
        if m.group not in wins:
            continue
        ok = _success(m, binary=binary)
        wins[m.group].append(float(ok))
        if m.advisor in groups:            # an advisor with control members only earns nothing
            k = 0 if m.group == "treatment" else 2
            groups[m.advisor][k] += 1
            groups[m.advisor][k + 1] += ok
    if not wins["treatment"] or not wins["control"]:
        return None
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # statsmodels' unused ratios divide by a zero control rate
        lift = lift_binary(wins["treatment"], wins["control"])
    incremental = max(lift.ci_low, 0.0) * len(wins["treatment"])
    effects = shrunk_effects({a: tuple(g) for a, g in groups.items()})
    weight = {a: g[0] * max(effects[a] or 0.0, 0.0) for a, g in groups.items()}
    total = sum(weight.values())
    if total <= 0:                         # no advisor's effect estimate is positive: share by the work done
        weight = {a: float(g[0]) for a, g in groups.items()}
        total = sum(weight.values())
    rows = []
    for a, g in groups.items():
        share = weight[a] / total if total > 0 else 0.0
        amount = per_client * incremental * share
        capped = cap is not None and amount > cap
        rows.append(AdvisorIncentive(advisor=a, treated=g[0], successes=g[1], control=g[2], control_successes=g[3],
                                     effect=round(effects[a], 4) if g[0] and effects[a] is not None else None,
                                     share=round(share, 4), incremental=round(incremental * share, 2),
                                     amount=round(min(amount, cap) if capped else amount, 2), capped=capped))
    return CampaignIncentive(lift=lift, treated=len(wins["treatment"]), control=len(wins["control"]),
                             incremental=round(incremental, 2), pot=round(per_client * incremental, 2), rows=rows)
