"""Who is persuadable? A two-model uplift estimate from a past campaign, the Qini curve, and the check on the
simulator. Pure (no Django); scikit-learn only.

Two models (the "T-learner"): P(resume | x, contacted) and P(resume | x, not contacted), each fitted on its
own group of a randomised campaign; the uplift is their difference. It needs the past campaign's control
group, which is one more reason the holdout exists. Each model is a smooth additive logistic regression
(splines of each feature): the effect of a contact is a few percentage points, and a pair of boosted trees fits
the noise of the two groups, whose difference then swamps that effect (measured: on the simulator the tree pair
fell below the dormancy ranking, the spline pair beat it; docs/campaigns.md).

Qini (Radcliffe): rank members by a score; after the top k, incremental returners = Y_t(k) - Y_c(k) N_t(k)/N_c(k).
The Qini coefficient here is the area between that curve and the straight line of random targeting, over the
share targeted from 0 to 1 (so it is in incremental returners; 0 is no better than random).

On this simulator the truth's uplift is 0.6 x base_response x (1 - natural); base_response grows with what a
branch can see (used to trade often, now fading, more assets, longer tenure; simulate/clients.py) times noise,
so a model of observables can beat the dormancy score (days since last trade), which ranks (1 - natural) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, SplineTransformer, StandardScaler

FEATURES = ("days_since_last_trade", "trading_days_21", "trading_days_63", "trading_days_252", "trades_252",
            "log_amount_252", "log_assets", "assets_change_63", "age", "tenure_days", "fading_63", "fading_21")
# fading_k: log of the last k trading days' trading rate against the year's (below 0: trading less than it used
# to). An additive model cannot form this ratio from its two counts, and "used to trade often, now fading" is
# the material's own reactivation target (过往交易频繁现在休眠): on the bench's branch pairs it lifts the model
# from 1.28 to 1.31 x dormancy's incremental returners (docs/campaigns.md).


def _signed_log(X: np.ndarray) -> np.ndarray:
    return np.sign(X) * np.log1p(np.abs(X))


def spline_logit(*, knots: int = 4, C: float = 0.3) -> Pipeline:
    """Additive logistic regression on splines of each (log-scaled) feature: smooth, few parameters."""
    return make_pipeline(FunctionTransformer(_signed_log), SplineTransformer(n_knots=knots, degree=2),
                         StandardScaler(), LogisticRegression(C=C, max_iter=3000))


def observable_features(sim_dir: Path, client_ids: np.ndarray) -> np.ndarray:
    """What a branch can see on its last day (no truth): trading recency and frequency, assets, age, tenure."""
    d = Path(sim_dir)
    con = duckdb.connect()
    try:
        con.register("ids", pa.table({"client_id": list(map(str, client_ids)), "pos": np.arange(len(client_ids))}))
        rows = con.execute(f"""
            WITH t AS (SELECT * FROM read_parquet('{d / 'trades.parquet'}')),
            a AS (SELECT * FROM read_parquet('{d / 'daily_assets.parquet'}')),
            last AS (SELECT max(date) AS d FROM a),
            days AS (SELECT trade_date, row_number() OVER (ORDER BY trade_date DESC) AS k
                     FROM (SELECT DISTINCT trade_date FROM t)),
            tr AS (SELECT client_id,
                     date_diff('day', max(trade_date), (SELECT d FROM last)) AS since,
                     count(DISTINCT trade_date) FILTER (WHERE k <= 21) AS td21,
                     count(DISTINCT trade_date) FILTER (WHERE k <= 63) AS td63,
                     count(DISTINCT trade_date) FILTER (WHERE k <= 252) AS td252,
                     count(*) FILTER (WHERE k <= 252) AS n252,
                     sum(amount) FILTER (WHERE k <= 252) AS amt252
                   FROM t JOIN days USING (trade_date) GROUP BY client_id),
            ae AS (SELECT client_id,
                     arg_max(total_assets, date) AS assets_end,
                     arg_max(total_assets, date) FILTER (WHERE date <= (SELECT d FROM last) - INTERVAL 91 DAY)
                       AS assets_then
                   FROM a GROUP BY client_id),
            c AS (SELECT client_id, date_diff('year', birth_date, (SELECT d FROM last)) AS age,
                         date_diff('day', open_date, (SELECT d FROM last)) AS tenure
                  FROM read_parquet('{d / 'clients.parquet'}'))
            SELECT coalesce(since, 9999), coalesce(td21, 0), coalesce(td63, 0), coalesce(td252, 0), coalesce(n252, 0),
                   ln(1 + coalesce(amt252, 0)), ln(1 + coalesce(assets_end, 0)),
                   CASE WHEN coalesce(assets_then, 0) > 0 THEN assets_end / assets_then - 1 ELSE 0 END,
                   coalesce(age, 45), greatest(coalesce(tenure, 0), 0),
                   ln((coalesce(td63, 0) + 1) / (coalesce(td252, 0) * 63 / 252 + 1)),
                   ln((coalesce(td21, 0) + 1) / (coalesce(td252, 0) * 21 / 252 + 1))
            FROM ids LEFT JOIN tr USING (client_id) LEFT JOIN ae USING (client_id) LEFT JOIN c USING (client_id)
            ORDER BY ids.pos""").fetchall()
    finally:
        con.close()
    return np.asarray(rows, dtype=float).reshape(len(client_ids), len(FEATURES))


class TwoModelUplift:
    """Settings in the constructor, data in fit (inputs checked up front)."""

    def __init__(self, *, knots: int = 4, C: float = 0.3):
        self.params = {"knots": knots, "C": C}
        self.treated_model = self.control_model = None

    def fit(self, X: np.ndarray, treated: np.ndarray, y: np.ndarray) -> TwoModelUplift:
        X, treated, y = np.asarray(X, float), np.asarray(treated, bool), np.asarray(y, int)
        if len(X) != len(treated) or len(X) != len(y):
            raise ValueError("X, treated and y must have the same length")
        for group in (treated, ~treated):
            if group.sum() < 20 or len(np.unique(y[group])) < 2:
                raise ValueError("each group needs at least 20 members and both outcomes")
        self.treated_model = spline_logit(**self.params).fit(X[treated], y[treated])
        self.control_model = spline_logit(**self.params).fit(X[~treated], y[~treated])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.treated_model is None:
            raise RuntimeError("fit first")
        X = np.asarray(X, float)
        return self.treated_model.predict_proba(X)[:, 1] - self.control_model.predict_proba(X)[:, 1]


def _spline_basis(knots: int) -> Pipeline:
    return make_pipeline(FunctionTransformer(_signed_log), SplineTransformer(n_knots=knots, degree=2),
                         StandardScaler())


class PersuasionUplift:
    """One model of both groups with the structure of a contact: P(resume | x, t) = n(x) + t · r(x) · (1 − n(x)).

    n(x) is the chance of resuming on one's own, r(x) the share of the others a contact persuades; both are
    logistic in splines of the (signed-log) features, fitted together by penalised maximum likelihood (L-BFGS)
    on all members of the past campaign. The uplift is r(x) · (1 − n(x)). Against the two-model estimate: n(x)
    learns from both groups (twice the data), and the effect is a smooth share of the headroom rather than the
    difference of two noisy fits, so a small effect is not swamped by each group's noise. It assumes a contact
    moves only clients who would not have resumed anyway (no backlash term), which is the domain's assumption
    too (docs/campaigns.md, *Uplift targeting*). Penalties: `lam_n` on n's weights, `lam_r` on r's (stronger:
    r is learnt from the treatment group's excess over n only; 30 beat 10 on every set of simulated branches it
    was tried on, docs/campaigns.md)."""

    def __init__(self, *, knots: int = 4, lam_n: float = 1.0, lam_r: float = 30.0):
        self.params = {"knots": knots, "lam_n": lam_n, "lam_r": lam_r}
        self.basis = self.weights = None

    def fit(self, X: np.ndarray, treated: np.ndarray, y: np.ndarray) -> PersuasionUplift:
        from scipy.optimize import minimize
        from scipy.special import expit

        X, t, y = np.asarray(X, float), np.asarray(treated, float), np.asarray(y, float)
        if len(X) != len(t) or len(X) != len(y):
            raise ValueError("X, treated and y must have the same length")
        for group in (t > 0, t == 0):
            if group.sum() < 20 or len(np.unique(y[group])) < 2:
                raise ValueError("each group needs at least 20 members and both outcomes")
        self.basis = _spline_basis(self.params["knots"]).fit(X)
        B = np.c_[np.ones(len(X)), self.basis.transform(X)]
        k, n_obs = B.shape[1], len(y)
        lam_n, lam_r = self.params["lam_n"], self.params["lam_r"]

        def loss(w):
            a, b = w[:k], w[k:]
            n, r = expit(B @ a), expit(B @ b)
            p = np.clip(1 - (1 - n) * (1 - t * r), 1e-9, 1 - 1e-9)
            g = (y - p) / (p * (1 - p))                          # d loglik / d p
            ga = B.T @ (g * (1 - t * r) * n * (1 - n)) - lam_n * np.r_[0, a[1:]]
            gb = B.T @ (g * t * (1 - n) * r * (1 - r)) - lam_r * np.r_[0, b[1:]]
            ll = (y * np.log(p) + (1 - y) * np.log(1 - p)).sum()
            ll -= 0.5 * (lam_n * a[1:] @ a[1:] + lam_r * b[1:] @ b[1:])
            return -ll / n_obs, -np.r_[ga, gb] / n_obs

        w0 = np.zeros(2 * k)
        w0[0], w0[k] = -1.0, -2.0
        self.weights = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 3000}).x
        return self

    def _parts(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from scipy.special import expit

        if self.weights is None:
            raise RuntimeError("fit first")
        B = np.c_[np.ones(len(X)), self.basis.transform(np.asarray(X, float))]
        k = B.shape[1]
        return expit(B @ self.weights[:k]), expit(B @ self.weights[k:])

    def predict(self, X: np.ndarray) -> np.ndarray:
        n, r = self._parts(X)
        return r * (1 - n)


class HeadroomScore:
    """A structural alternative: contact can only move a client who would not have traded anyway, so rank by
    the headroom 1 - P(resume | x, not contacted). One model fitted on ALL members of the past campaign (the
    treatment flag as a feature), so it uses twice the data of each two-model half and none of the noisy
    difference. It assumes uplift grows with the headroom; it cannot find persuadability that does not."""

    def __init__(self, *, max_iter: int = 150, learning_rate: float = 0.05, min_samples_leaf: int = 40,
                 seed: int = 0):
        self.params = {"max_iter": max_iter, "learning_rate": learning_rate, "min_samples_leaf": min_samples_leaf,
                       "random_state": seed}
        self.model = None

    def fit(self, X: np.ndarray, treated: np.ndarray, y: np.ndarray) -> HeadroomScore:
        X, treated, y = np.asarray(X, float), np.asarray(treated, float), np.asarray(y, int)
        if len(X) != len(treated) or len(X) != len(y) or len(np.unique(y)) < 2:
            raise ValueError("X, treated and y must have the same length and both outcomes")
        self.model = HistGradientBoostingClassifier(**self.params).fit(np.c_[X, treated], y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit first")
        X = np.asarray(X, float)
        return 1.0 - self.model.predict_proba(np.c_[X, np.zeros(len(X))])[:, 1]


def qini_curve(score: np.ndarray, treated: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share targeted, incremental returners) after each member in score order, starting at (0, 0)."""
    order = np.argsort(-np.asarray(score, float), kind="stable")
    t = np.asarray(treated, bool)[order]
    yy = np.asarray(y, float)[order]
    yt, yc = np.cumsum(yy * t), np.cumsum(yy * ~t)
    nt, nc = np.cumsum(t), np.cumsum(~t)
    inc = yt - yc * np.divide(nt, nc, out=np.zeros(len(nt)), where=nc > 0)
    n = len(order)
    return np.concatenate([[0.0], np.arange(1, n + 1) / n]), np.concatenate([[0.0], inc])


def qini_coefficient(score: np.ndarray, treated: np.ndarray, y: np.ndarray) -> float:
    x, q = qini_curve(score, treated, y)
    random_line = x * q[-1]
    return float(np.trapezoid(q - random_line, x))


def qini_draws(score: np.ndarray, treated: np.ndarray, y: np.ndarray, *, n_boot: int = 300,
               seed: int = 0) -> np.ndarray:
    """Bootstrap draws of the Qini coefficient: members resampled with replacement (the campaign's observed
    outcomes; the score is held fixed, as it was fitted elsewhere)."""
    score, treated, y = np.asarray(score, float), np.asarray(treated, bool), np.asarray(y, float)
    rng = np.random.default_rng([seed, 5])
    return np.array([qini_coefficient(score[i], treated[i], y[i])
                     for i in (rng.integers(0, len(y), len(y)) for _ in range(n_boot))])


def qini_interval(score: np.ndarray, treated: np.ndarray, y: np.ndarray, *, n_boot: int = 300, seed: int = 0,
                  alpha: float = 0.05) -> tuple[float, float]:
    """Percentile bootstrap interval of the Qini coefficient (qini_draws)."""
    low, high = np.quantile(qini_draws(score, treated, y, n_boot=n_boot, seed=seed), [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def pooled_qini_interval(draws: list[np.ndarray], *, alpha: float = 0.05) -> tuple[float, float]:
    """The interval of the mean Qini over independent campaigns (branches): the mean of their bootstrap draws,
    draw by draw. Each campaign's own interval is wide at 10,000 members; the mean over five is √5 narrower."""
    low, high = np.quantile(np.mean(np.vstack(draws), axis=0), [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


@dataclass(frozen=True)
class TargetingCheck:
    share: float
    uplift_top: float        # expected clients brought back (sum of true uplift) in the top share by the model
    dormancy_top: float      # the same for the top share by days since last trade
    headroom_top: float      # ... by HeadroomScore
    random_top: float
    oracle_top: float        # ... by the true uplift itself
    qini_model: float
    qini_dormancy: float
    two_model_top: float = 0.0              # ... by TwoModelUplift (the previous model), for comparison
    qini_interval: tuple[float, float] = (0.0, 0.0)   # the model's Qini, 95% bootstrap interval
    qini_two_model: float = 0.0
    qini_draws: tuple[float, ...] = ()                # its bootstrap draws (to pool campaigns: pooled_qini_interval)


def targeting_check(*, X_train, treated_train, y_train, X_next, uplift_next, dormancy_next, treated_next, y_next,
                    share: float = 0.3, seed: int = 0) -> TargetingCheck:
    """Fit on a past campaign, rank the next campaign's population, count true incremental returners (the truth
    is only counted here, never given to a model). The model is `PersuasionUplift`; `TwoModelUplift` beside it."""
    score = PersuasionUplift().fit(X_train, treated_train, y_train).predict(X_next)
    two = TwoModelUplift().fit(X_train, treated_train, y_train).predict(X_next)
    k = int(round(share * len(score)))
    top = np.argsort(-score, kind="stable")[:k]
    dorm = np.argsort(-np.asarray(dormancy_next, float), kind="stable")[:k]
    head = np.argsort(-HeadroomScore(seed=seed).fit(X_train, treated_train, y_train).predict(X_next),
                      kind="stable")[:k]
    rnd = np.random.default_rng(seed).choice(len(score), k, replace=False)
    up = np.asarray(uplift_next, float)
    draws = qini_draws(score, treated_next, y_next, seed=seed)
    return TargetingCheck(share=share, uplift_top=float(up[top].sum()), dormancy_top=float(up[dorm].sum()),
                          headroom_top=float(up[head].sum()), random_top=float(up[rnd].sum()),
                          oracle_top=float(up[np.argsort(-up, kind="stable")[:k]].sum()),
                          qini_model=qini_coefficient(score, treated_next, y_next),
                          qini_dormancy=qini_coefficient(dormancy_next, treated_next, y_next),
                          two_model_top=float(up[np.argsort(-two, kind="stable")[:k]].sum()),
                          qini_interval=tuple(float(q) for q in np.quantile(draws, [0.025, 0.975])),
                          qini_two_model=qini_coefficient(two, treated_next, y_next),
                          qini_draws=tuple(map(float, draws)))
