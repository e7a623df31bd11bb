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


def lift_binary(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> Lift:
    """treated / control: 0/1 outcomes per member."""
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) == 0 or len(c) == 0:
        raise ValueError("both groups need members")
    xt, xc = int(t.sum()), int(c.sum())
    low, high = confint_proportions_2indep(xt, len(t), xc, len(c), method="newcomb", compare="diff", alpha=alpha)
    # The score test agrees with the score-based interval far better than the Wald test at small counts.
    test = test_proportions_2indep(xt, len(t), xc, len(c), method="score", compare="diff")
    return Lift(len(t), len(c), xt / len(t), xc / len(c), xt / len(t) - xc / len(c), float(low), float(high),
                float(test.pvalue), "newcombe")


def lift_continuous(treated: np.ndarray, control: np.ndarray, *, alpha: float = 0.05) -> Lift:
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    if len(t) < 2 or len(c) < 2:
        raise ValueError("both groups need at least two members")
    res = stats.ttest_ind(t, c, equal_var=False)
    ci = res.confidence_interval(confidence_level=1 - alpha)
    return Lift(len(t), len(c), float(t.mean()), float(c.mean()), float(t.mean() - c.mean()), float(ci.low),
                float(ci.high), float(res.pvalue), "welch")
