"""Honest lift: treatment against a randomised control, with a 95% interval and a p-value.

Binary measures (resumed trading within N days, assets retained) use the difference of proportions with
Newcombe's hybrid score interval, which keeps its coverage for small groups and rates near 0 or 1 where the
textbook Wald interval does not. Continuous measures (capped traded amount, trading days, commission) use
Welch's t. Both come from statsmodels / scipy rather than hand-written formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep


@dataclass(frozen=True)
class Lift:
    n_treatment: int
    n_control: int
    treatment_mean: float
    control_mean: float
    lift: float               # absolute: treatment - control
    ci_low: float
    ci_high: float
    p_value: float
    method: str

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


def _p_or_no_evidence(p: float, lift: float) -> float:
    """Both groups all 0 or all 1 (no variance) leave the test undefined (NaN); equal groups are then no evidence
    of a difference (p = 1), which the report shows instead of "nan"."""
    return (1.0 if lift == 0 else 0.0) if np.isnan(p) else p


def lift_binary(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> Lift:
    """treated / control: 0/1 outcomes per member."""
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) == 0 or len(c) == 0:
        raise ValueError("both groups need members")
    xt, xc = int(t.sum()), int(c.sum())
    low, high = confint_proportions_2indep(xt, len(t), xc, len(c), method="newcomb", compare="diff", alpha=alpha)
    # The score test agrees with the score-based interval far better than the Wald test at small counts.
    with np.errstate(divide="ignore", invalid="ignore"):
        test = test_proportions_2indep(xt, len(t), xc, len(c), method="score", compare="diff")
    lift = xt / len(t) - xc / len(c)
    return Lift(len(t), len(c), xt / len(t), xc / len(c), lift, float(low), float(high),
                _p_or_no_evidence(float(test.pvalue), lift), "newcombe")


def lift_continuous(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> Lift:
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) < 2 or len(c) < 2:
        raise ValueError("both groups need at least two members")
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.ttest_ind(t, c, equal_var=False)
        ci = res.confidence_interval(confidence_level=1 - alpha)
    lift = float(t.mean() - c.mean())
    low, high = (lift, lift) if np.isnan(ci.low) else (float(ci.low), float(ci.high))
    return Lift(len(t), len(c), float(t.mean()), float(c.mean()), lift, low, high,
                _p_or_no_evidence(float(res.pvalue), lift), "welch")


@dataclass(frozen=True)
class ClusteredLift(Lift):
    clusters_treatment: int = 0
    clusters_control: int = 0


def _arm_variance(y: np.ndarray, cluster: np.ndarray) -> tuple[float, float, int]:
    """(mean, variance of the mean, clusters) of one arm: the members' mean, its variance from the clusters'
    sums of residuals (the cluster-robust "sandwich" of a ratio mean, with the K/(K-1) small-sample factor)."""
    mean = float(y.mean())
    _, inverse = np.unique(cluster, return_inverse=True)
    sums = np.bincount(inverse, weights=y - mean)
    k = len(sums)
    var = float((sums ** 2).sum() / len(y) ** 2 * (k / (k - 1))) if k > 1 else float("inf")
    return mean, var, k


def lift_clustered(y_treated, cluster_treated, y_control, cluster_control, *, alpha: float = 0.05) -> ClusteredLift:
    """The lift of a campaign randomised by cluster (whole advisors' books in one arm): the difference of the
    members' means, its variance cluster-robust (members of one advisor are not independent: the same person,
    the same call list), the interval and p-value from Student's t with (clusters − 2) degrees of freedom.
    Honest only with enough clusters: with fewer than about 10 per arm the interval is wide and its coverage
    uncertain, which the report says."""
    yt, yc = np.asarray(y_treated, float), np.asarray(y_control, float)
    ct, cc = np.asarray(cluster_treated), np.asarray(cluster_control)
    if len(yt) == 0 or len(yc) == 0 or len(yt) != len(ct) or len(yc) != len(cc):
        raise ValueError("both groups need members, each with its cluster")
    mt, vt, kt = _arm_variance(yt, ct)
    mc, vc, kc = _arm_variance(yc, cc)
    if kt < 2 or kc < 2:
        raise ValueError("each group needs at least two clusters")
    se = float(np.sqrt(vt + vc))
    df = kt + kc - 2
    diff = mt - mc
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(diff) / se, df)) if se > 0 else (0.0 if diff else 1.0)
    return ClusteredLift(len(yt), len(yc), mt, mc, diff, diff - q * se, diff + q * se, p, "cluster_robust_t",
                         clusters_treatment=kt, clusters_control=kc)
