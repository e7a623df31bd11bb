"""Readouts safe to check every day: an anytime-valid interval for the lift, CUPED, and a sample-ratio check.

**Confidence sequence.** A 95% interval computed afresh at every look is wrong more than 5% of the time over many
looks: with ten looks at a campaign without effect one of them shows "significant" far more often than 1 in 20.
A confidence sequence (CS) holds at *every* look at once with probability ≥ 95%, so a manager may look daily.
We use the asymptotic CS with the normal-mixture (Robbins) boundary of

- S. R. Howard, A. Ramdas, J. McAuliffe, J. Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
  sequences", Annals of Statistics 49(2), 2021 (the normal-mixture boundary, their eq. (14)), and
- I. Waudby-Smith, D. Arbour, R. Sinha, E. H. Kennedy, A. Ramdas, "Time-uniform central limit theory and
  asymptotic confidence sequences", Annals of Statistics 2024 (arXiv 2103.06476), Theorem 2.2 and their
  randomised-experiment example: the mean of i.i.d. pseudo-outcomes with a plug-in variance,

    μ̂_n ± σ̂_n · sqrt( 2 (n ρ² + 1) / (n² ρ²) · log( sqrt(n ρ² + 1) / α ) ),

  with ρ² = (−2 log α + log(−2 log α + 1)) / n* chosen to make it tightest at the planned size n*.

The lift of a randomised campaign with treatment probability p is the mean of the inverse-probability
pseudo-outcomes φ_i = (Z_i / p − (1 − Z_i) / (1 − p)) · (y_i − m(x_i)), unbiased for the difference of the two
groups' rates for any m that does not depend on Z_i (E[Z/p − (1−Z)/(1−p)] = 0). m is a constant (the mean) without
a covariate, and the CUPED regression on pre-period activity with one (below). Members enter the readout as
their outcome is measured, in an order that does not depend on their group, so the looks are the partial sums of
an i.i.d. sequence, the setting the theorem covers.

**CUPED** (Deng, Xu, Kohavi, Walker, "Improving the sensitivity of online controlled experiments by utilizing
pre-experiment data", WSDM 2013): m(x) = ȳ + θ (x − x̄) with θ = cov(x, y) / var(x) from all members (pooled, so it
does not depend on the split). The variance of φ falls by about corr(x, y)², and so does the interval's width².

**Sample-ratio check** at every look: a chi-square test of the treatment and control counts against the
designed control share. A p-value below 0.001 means the split is not what it was designed to be (members lost
from one group, a broken randomisation) and the readout should not be trusted until it is explained.

**Clusters.** A campaign randomised by advisor (whole books in one arm) passes `cluster`: each cluster's pseudo-
outcomes are summed and divided by the mean cluster size, so the sequence's i.i.d. units are the clusters (the
assignment is), n counts clusters, and the sample-ratio check counts clusters against the designed share.

Pure numpy / scipy (no Django).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

SRM_ALPHA = 0.001


def cs_rho2(planned_n: int, alpha: float = 0.05) -> float:
    """ρ² making the normal-mixture boundary tightest at `planned_n` observations (Waudby-Smith et al. eq. (8))."""
    la = -2 * math.log(alpha)
    return (la + math.log(la + 1)) / max(planned_n, 1)


def cs_halfwidth(n: int, sigma: float, *, alpha: float = 0.05, planned_n: int | None = None) -> float:
    """Half-width of the two-sided asymptotic confidence sequence after n observations of s.d. sigma."""
    if n < 2:
        return math.inf
    rho2 = cs_rho2(planned_n or n, alpha)
    return sigma * math.sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * math.log(math.sqrt(n * rho2 + 1) / alpha))


def pseudo_outcomes(y, treated, *, p_treat: float, x=None) -> tuple[np.ndarray, np.ndarray]:
    """(φ without covariate, φ with CUPED on x) for outcomes y of members with treatment indicator `treated`."""
    y = np.asarray(y, float)
    z = np.asarray(treated, bool)
    w = np.where(z, 1.0 / p_treat, -1.0 / (1.0 - p_treat))
    plain = w * (y - y.mean())
    if x is None:
        return plain, plain
    x = np.asarray(x, float)
    vx = x.var()
    theta = float(np.cov(x, y, bias=True)[0, 1] / vx) if vx > 0 else 0.0
    return plain, w * (y - y.mean() - theta * (x - x.mean()))


@dataclass(frozen=True)
class Readout:
    n: int
    n_treatment: int
    n_control: int
    lift: float                 # treatment rate − control rate (difference in means)
    cs_low: float               # anytime-valid 95%
    cs_high: float
    fixed_low: float            # the ordinary 95% interval at this look (valid for one look only)
    fixed_high: float
    variance_reduction: float   # CUPED: 1 − var(φ cuped) / var(φ)
    srm_p: float                # sample-ratio check
    clusters_treatment: int = 0  # a campaign randomised by advisor: the clusters in each arm (0: not clustered)
    clusters_control: int = 0

    @property
    def srm_flag(self) -> bool:
        return self.srm_p < SRM_ALPHA

    @property
    def declared_success(self) -> bool:
        return self.cs_low > 0


def srm_p_value(n_treatment: int, n_control: int, control_share: float) -> float:
    n = n_treatment + n_control
    if n == 0 or not 0 < control_share < 1:
        return 1.0
    expected = np.array([n * (1 - control_share), n * control_share])
    return float(stats.chisquare([n_treatment, n_control], expected).pvalue)


def _by_cluster(phi: np.ndarray, inverse: np.ndarray, k: int) -> np.ndarray:
    """Cluster-level pseudo-outcomes: each cluster's sum of its members' φ over the mean cluster size, so their
    mean is the members' mean of φ and the clusters, not the members, are the independent units."""
    return np.bincount(inverse, weights=phi, minlength=k) / (len(phi) / k)


def readout(y, treated, *, control_share: float, x=None, planned_n: int | None = None,
            alpha: float = 0.05, cluster=None) -> Readout | None:
    """The readout at one look over the members measured so far (None until both groups have two members).

    With `cluster` (a campaign randomised by advisor: whole books in one arm), the units of the confidence
    sequence and of the sample-ratio check are the clusters: members of one advisor share the advisor, so they
    are not independent, and counting them as if they were gives an interval too narrow. `planned_n` is then in
    clusters. None until both groups have two clusters."""
    y = np.asarray(y, float)
    z = np.asarray(treated, bool)
    nt, nc = int(z.sum()), int((~z).sum())
    if nt < 2 or nc < 2:
        return None
    p = 1.0 - control_share
    plain, adjusted = pseudo_outcomes(y, z, p_treat=p, x=x)
    if cluster is not None:
        return _clustered(y, z, x, plain, adjusted, np.asarray(cluster), control_share=control_share,
                          planned_n=planned_n, alpha=alpha)
    lift = float(y[z].mean() - y[~z].mean())
    # Centre on the difference in means; the IPW pseudo-outcomes carry the variance (their mean differs from the
    # difference in means only by the realised share's deviation from p, which vanishes as n grows).
    use = adjusted if x is not None else plain
    sd = float(use.std(ddof=1))
    if np.isin(y, (0.0, 1.0)).all():
        # A 0/1 outcome early in a campaign is often all zeros in a group, and a plug-in variance of zero gives an
        # interval of zero width: floor it by the pseudo-outcome's variance at add-one (Laplace) smoothed rates.
        # CUPED's reduction is kept: the floor applies to the unadjusted variance, then scales with it.
        rt, rc = (y[z].sum() + 1) / (nt + 2), (y[~z].sum() + 1) / (nc + 2)
        floor = math.sqrt(rt * (1 - rt) / p + rc * (1 - rc) / (1 - p))
        sd_plain = float(plain.std(ddof=1))
        sd = sd * max(sd_plain, floor) / sd_plain if sd_plain > 0 else floor
    n = len(y)
    h = cs_halfwidth(n, sd, alpha=alpha, planned_n=planned_n or n)
    se = float(math.sqrt(y[z].var(ddof=1) / nt + y[~z].var(ddof=1) / nc))
    reduction = 1.0 - float(adjusted.var() / plain.var()) if x is not None and plain.var() > 0 else 0.0
    centre = lift if x is None else lift - _cuped_shift(y, z, x)
    return Readout(n=n, n_treatment=nt, n_control=nc, lift=centre, cs_low=centre - h, cs_high=centre + h,
                   fixed_low=lift - 1.959964 * se, fixed_high=lift + 1.959964 * se, variance_reduction=reduction,
                   srm_p=srm_p_value(nt, nc, control_share))


def _clustered(y, z, x, plain, adjusted, cluster, *, control_share, planned_n, alpha) -> Readout | None:
    keys, inverse = np.unique(cluster, return_inverse=True)
    k = len(keys)
    arm = np.zeros(k, bool)
    arm[inverse[z]] = True                     # a cluster's arm (every member of a cluster shares it)
    kt, kc = int(arm.sum()), int((~arm).sum())
    if kt < 2 or kc < 2:
        return None
    phi_plain = _by_cluster(plain, inverse, k)
    use = _by_cluster(adjusted if x is not None else plain, inverse, k)
    sd = float(use.std(ddof=1))
    if np.isin(y, (0.0, 1.0)).all():
        # the floor of the unclustered readout (add-one smoothed rates), for cluster sums of mean size m: var / m
        p = 1.0 - control_share
        rt, rc = (y[z].sum() + 1) / (z.sum() + 2), (y[~z].sum() + 1) / ((~z).sum() + 2)
        floor = math.sqrt((rt * (1 - rt) / p + rc * (1 - rc) / (1 - p)) * k / len(y))
        sd_plain = float(phi_plain.std(ddof=1))
        sd = sd * max(sd_plain, floor) / sd_plain if sd_plain > 0 else floor
    h = cs_halfwidth(k, sd, alpha=alpha, planned_n=planned_n or k)
    lift = float(y[z].mean() - y[~z].mean())
    # the one-look interval, cluster-robust (measure.lift.lift_clustered's variance, normal quantile)
    var = 0.0
    for arm_mask in (z, ~z):
        ya, ia = y[arm_mask], inverse[arm_mask]
        sums = np.bincount(ia, weights=ya - ya.mean(), minlength=k)
        ka = int((np.bincount(ia, minlength=k) > 0).sum())
        var += float((sums ** 2).sum() / len(ya) ** 2 * ka / (ka - 1))
    se = math.sqrt(var)
    reduction = 1.0 - float(use.var() / phi_plain.var()) if x is not None and phi_plain.var() > 0 else 0.0
    centre = lift if x is None else lift - _cuped_shift(y, z, x)
    return Readout(n=len(y), n_treatment=int(z.sum()), n_control=int((~z).sum()), lift=centre, cs_low=centre - h,
                   cs_high=centre + h, fixed_low=lift - 1.959964 * se, fixed_high=lift + 1.959964 * se,
                   variance_reduction=reduction, srm_p=srm_p_value(kt, kc, control_share),
                   clusters_treatment=kt, clusters_control=kc)


def _cuped_shift(y, z, x) -> float:
    """θ × (x̄ treatment − x̄ control): the part of the difference the groups brought from before."""
    x = np.asarray(x, float)
    vx = x.var()
    if vx <= 0:
        return 0.0
    theta = float(np.cov(x, y, bias=True)[0, 1] / vx)
    return theta * float(x[z].mean() - x[~z].mean())
