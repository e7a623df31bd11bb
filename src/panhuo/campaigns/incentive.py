"""Each advisor's campaign incentive, computed from the outcomes by the campaign's rule. Pure Python.

The rule pays per *incremental* reactivated client in the advisor's treatment group, never per trade:
    incremental = successes among the advisor's treatment members - their count x the control success rate
    incentive   = min(per_client x max(incremental, 0), cap per advisor)
A member counts as a success once (binary measures: outcome 1; the others: more than the span before), so no
client is worth more than `per_client` however much they trade (the per-client cap of the anti-churning rule).
For volume / frequency / commission measures, C1-C2 members and members whose turnover jumped after contact
never count, in treatment or control (证券法 Art. 57: no reward for churning a conservative client).
The control rate is the whole campaign's: an advisor's own control group holds a handful of clients (10% of
theirs), too few to subtract from, and the holdout is stratified by advisor so the pooled rate is unbiased.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

CONSERVATIVE = {"C1", "C2"}


@dataclass(frozen=True)
class IncentiveMember:
    group: str                # "treatment" | "control"
    advisor: str
    outcome: float | None     # None: not measured yet
    risk_level: str = ""
    turnover_flag: bool = False


@dataclass(frozen=True)
class AdvisorIncentive:
    advisor: str
    treated: int              # treatment members that count (measured, not barred)
    successes: int
    expected: float           # successes the control rate predicts without contact
    incremental: float
    amount: float             # CNY, to the cent
    capped: bool


def _counts(m: IncentiveMember, *, churn_sensitive: bool) -> bool:
    if m.outcome is None:
        return False
    return not (churn_sensitive and (m.risk_level in CONSERVATIVE or m.turnover_flag))


def _success(m: IncentiveMember, *, binary: bool) -> bool:
    return m.outcome >= 1.0 if binary else m.outcome > 0.0


def advisor_incentives(members: list[IncentiveMember], *, per_client: float | None, cap: float | None,
                       binary: bool, churn_sensitive: bool) -> list[AdvisorIncentive]:
    """One row per advisor with treatment members, by name; empty when the campaign has no per-client amount or
    no control member is measured yet (without the control rate nothing is known to be incremental)."""
    if not per_client or per_client <= 0:
        return []
    counted = [m for m in members if _counts(m, churn_sensitive=churn_sensitive)]
    control = [m for m in counted if m.group == "control"]
    if not control:
        return []
    rate = sum(_success(m, binary=binary) for m in control) / len(control)
    by_advisor: dict[str, list[IncentiveMember]] = defaultdict(list)
    for m in members:
        if m.group == "treatment":
            by_advisor[m.advisor]          # an advisor with nothing measured yet still gets a (zero) row
    for m in counted:
        if m.group == "treatment":
            by_advisor[m.advisor].append(m)
    rows = []
    for advisor, treated in sorted(by_advisor.items()):
        wins = sum(_success(m, binary=binary) for m in treated)
        expected = rate * len(treated)
        incremental = max(wins - expected, 0.0)
        amount = per_client * incremental
        capped = cap is not None and amount > cap
        rows.append(AdvisorIncentive(advisor=advisor, treated=len(treated), successes=wins,
                                     expected=round(expected, 2), incremental=round(incremental, 2),
                                     amount=round(min(amount, cap) if capped else amount, 2), capped=capped))
    return rows
