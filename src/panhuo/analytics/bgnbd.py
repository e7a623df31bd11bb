"""BG/NBD ("beta-geometric / negative binomial") model of repeat activity: P(alive) and expected future activity.

Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2). A client is
described by (frequency x, recency t_x, age T): x repeat active periods after the first, t_x the time of the
last one and T the time since the first, all measured from the first. The likelihood depends on the data
only through these triples, so the fit runs over the distinct triples weighted by how many clients share
each one: a million clients collapse to far fewer rows, and the analytic gradient keeps L-BFGS short.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special
from threadpoolctl import threadpool_limits

__all__ = ["BGNBDParams", "BGNBDFit", "collapse", "fit", "log_likelihood", "p_alive",
           "conditional_expected", "expected_unconditional", "prob_n_in_t"]

GRAD_TOL = 1e-8   # largest |d neg-log-likelihood / d log-parameter| of a converged fit, per unit of likelihood


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class BGNBDFit:
    params: BGNBDParams
    log_likelihood: float
    n_clients: int
    n_patterns: int
    iterations: int
    converged: bool

    def as_dict(self) -> dict:
        return {**self.params.as_dict(), "log_likelihood": self.log_likelihood, "n_clients": self.n_clients,
                "n_patterns": self.n_patterns, "iterations": self.iterations, "converged": self.converged}


def _check(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if not (len(x) == len(t_x) == len(T)):
        raise ValueError("frequency, recency and T must have the same length")
    if len(x) == 0:
        raise ValueError("no clients to fit")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T + 1e-9):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 when frequency is 0")


def collapse(x, t_x, T, *, return_inverse: bool = False):
    """The distinct (x, t_x, T) triples and how many clients have each (and, if asked, each row's triple)."""
    if not return_inverse:
        import polars as pl

        # a hash group-by is ~4x faster than sorting a million float triples
        g = pl.DataFrame({"x": np.asarray(x, float), "t": np.asarray(t_x, float), "T": np.asarray(T, float)}
                         ).group_by(["x", "t", "T"]).len().sort(["x", "t", "T"])
        return g["x"].to_numpy(), g["t"].to_numpy(), g["T"].to_numpy(), g["len"].to_numpy().astype(float)
    data = np.column_stack([np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)])
    # lexsort + run boundaries is much faster than np.unique(axis=0) on a million float rows
    order = np.lexsort((data[:, 2], data[:, 1], data[:, 0]))
    s = data[order]
    new = np.empty(len(s), bool)
    new[0] = True
    np.any(s[1:] != s[:-1], axis=1, out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(s))).astype(float)
    u = s[starts]
    if return_inverse:
        inverse = np.empty(len(s), np.int64)
        inverse[order] = np.cumsum(new) - 1
        return u[:, 0], u[:, 1], u[:, 2], counts, inverse
    return u[:, 0], u[:, 1], u[:, 2], counts


class _Data:
    """The fit's data arranged for speed: the gamma-function terms depend on x alone, and x takes few
    distinct values, so they are evaluated once per distinct x with the summed weights of its rows."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
        self.xs, self.xi = np.unique(x, return_inverse=True)
        self.Wx = np.bincount(self.xi, weights=w, minlength=len(self.xs))
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.pos = x > 0
        self.xs_pos = self.xs > 0


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    # multiply-and-sum rather than BLAS ddot: a threaded BLAS on a busy machine is many times slower
    return float(np.multiply(u, v).sum())


def _neg_ll_and_grad(theta: np.ndarray, d: _Data) -> tuple[float, np.ndarray]:
    p = np.exp(theta)
    r, alpha, a, b = p
    xs, Wx, x, w = d.xs, d.Wx, d.x, d.w
    # per distinct x: A1 + A2 of FHL 2005 (eq. 6) and their derivatives
    A12 = (special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha) + special.gammaln(a + b)
           + special.gammaln(b + xs) - special.gammaln(b) - special.gammaln(a + b + xs))
    dig_abx = special.digamma(a + b + xs)
    g_r_x = special.digamma(r + xs) - special.digamma(r) + np.log(alpha)
    g_a_x = special.digamma(a + b) - dig_abx
    g_b_x = special.digamma(a + b) + special.digamma(b + xs) - special.digamma(b) - dig_abx
    with np.errstate(divide="ignore", invalid="ignore"):
        c4 = np.where(d.xs_pos, np.log(a) - np.log(b + xs - 1), -np.inf)
        inv_b = np.where(d.xs_pos, 1 / (b + xs - 1), 0.0)
    # per row: the mixture of "alive at T" and "dropped out after the last transaction"
    lT = np.log(alpha + d.T)
    lt = np.log(alpha + d.t_x)
    rx = r + x
    A3 = -rx * lT
    # log(e^A3 + e^A4) = A3 + log1p(e^D) with D = A4 - A3 (capped: beyond 700, log1p(e^D) is D itself)
    D = np.minimum(c4[d.xi] + rx * (lT - lt), 700.0)
    e = np.exp(D)
    mix = A3 + np.log1p(e)
    w2 = e / (1.0 + e)
    w1 = 1.0 - w2
    ll = _dot(Wx, A12) + _dot(w, mix)
    ww2 = w * w2
    g = np.array([
        _dot(Wx, g_r_x) - _dot(w * w1, lT) - _dot(ww2, lt),
        Wx.sum() * r / alpha - _dot(w * rx, w1 / (alpha + d.T) + w2 / (alpha + d.t_x)),
        _dot(Wx, g_a_x) + ww2.sum() / a,
        _dot(Wx, g_b_x) - _dot(ww2, inv_b[d.xi]),
    ]) * p                                   # chain rule for log-parameters
    return -float(ll), -g


def log_likelihood(params: BGNBDParams, x, t_x, T, weights=None) -> float:
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    theta = np.log([params.r, params.alpha, params.a, params.b])
    return -_neg_ll_and_grad(theta, _Data(x, t_x, T, w))[0]


def fit(frequency, recency, T, weights=None, *, start: BGNBDParams | None = None, max_iter: int = 1000) -> BGNBDFit:
    """Maximum-likelihood fit. Pass `weights` when the rows already are distinct triples with counts."""
    x, t_x, T = (np.asarray(v, float) for v in (frequency, recency, T))
    _check(x, t_x, T)
    if weights is None:
        x, t_x, T, w = collapse(x, t_x, T)
    else:
        w = np.asarray(weights, float)
    # Start alpha near the time scale of the data so the log-space search begins in the right decade.
    p0 = start or BGNBDParams(1.0, float(max(np.average(T, weights=w), 1e-6)), 1.0, 1.0)
    theta0 = np.log([p0.r, p0.alpha, p0.a, p0.b])
    # One BLAS thread: L-BFGS-B's tiny 4-parameter algebra is many times slower when BLAS threads spin.
    with threadpool_limits(limits=1, user_api="blas"):
        res = optimize.minimize(_neg_ll_and_grad, theta0, args=(_Data(x, t_x, T, w),), jac=True,
                                method="L-BFGS-B", options={"maxiter": max_iter, "gtol": 1e-9, "ftol": 1e-15})
    r, alpha, a, b = np.exp(res.x)
    # Converged means first-order optimal. L-BFGS-B can also stop with "ABNORMAL" when its line search finds
    # no further decrease at the optimum itself (seen at a gradient of 1e-9 on one machine where another
    # stopped normally at 1e-4), so the gradient decides, relative to the log-likelihood's size.
    stationary = float(np.max(np.abs(res.jac))) <= GRAD_TOL * max(1.0, abs(float(res.fun)))
    return BGNBDFit(BGNBDParams(float(r), float(alpha), float(a), float(b)), float(-res.fun), int(w.sum()),
                    int(len(w)), int(res.nit), bool(res.success or stationary))


def p_alive(params: BGNBDParams, x, t_x, T) -> np.ndarray:
    """P(the client is still active at T | x, t_x, T); 1 for clients with no repeat activity."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, special.expit(-log_ratio), 1.0)


def conditional_expected(params: BGNBDParams, t: float, x, t_x, T) -> np.ndarray:
    """E[number of repeat active periods in (T, T+t] | x, t_x, T] (FHL 2005, eq. 10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    head = (a + b + x - 1) / (a - 1) * (1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp)
    return head * p_alive(params, x, t_x, T)


def expected_unconditional(params: BGNBDParams, t) -> np.ndarray:
    """E[X(t)] for a client just acquired (FHL 2005, eq. 9)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = np.asarray(t, float)
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)


def prob_n_in_t(params: BGNBDParams, n: int, t: float) -> float:
    """P(X(t) = n) for a client just acquired (FHL 2005, eq. 8)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    lbeta_ab = special.betaln(a, b)
    log_nb = (special.gammaln(r + n) - special.gammaln(r) - special.gammaln(n + 1)
              + r * np.log(alpha / (alpha + t)) + n * np.log(t / (alpha + t)))
    first = np.exp(special.betaln(a, b + n) - lbeta_ab + log_nb)
    if n == 0:
        return float(first)
    j = np.arange(n)
    partial = np.exp(special.gammaln(r + j) - special.gammaln(r) - special.gammaln(j + 1)
                     + r * np.log(alpha / (alpha + t)) + j * np.log(t / (alpha + t))).sum()
    return float(first + np.exp(special.betaln(a + 1, b + n - 1) - lbeta_ab) * (1 - partial))
