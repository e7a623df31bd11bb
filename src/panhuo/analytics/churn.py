"""Churn risk: a calibrated gradient-boosted model of "drops out or moves out >= 50% of assets within 90 days".

Dropout itself is never observed, so the model learns from outcomes read from the history after each of
several earlier as-of dates (stacked; the latest one validates and calibrates):

- `churned` (what the model ranks by): moved out at least half of the assets within 90 days, or no trade
  and no deposit in the 120 days after those 90: gone, or on the way out, by the horizon's end.
- `left_` (what the probabilities are calibrated to): the move-out, or the client's last trade or deposit
  falling inside the 90 days. Its rate is close to the true event's (a silent client may still be alive,
  so the broad outcome runs 3-4x the true rate and calibrating to it gave a Brier score against the
  simulator's truth worse than the base rate); the broad outcome ranks better.

The reported validation figures come from a second, purged model whose training outcomes all end by the
validation date (`train`); the served model's own, which overlap it, are kept for comparison.

Training rows are clients holding assets with some activity in the year before the date (one silent for
longer had gone before and only teaches that the gone stay gone). Inputs include what a client on the way
out looks like in the simulator and in a branch: no buys, no deposits, sells and withdrawals, activity
falling against the client's own yearly pace; and how much the advisor has been in touch (days since the
last contact, contacts and conversations in 90 days), each as of the training date from the contacts the
daily run copies into the warehouse. Without contacts (the simulator) those inputs are constant, the trees
never split on them and the scores are what they were. Reasons come from per-feature contributions
(reasons.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from panhuo.analytics.engines import Engine
from panhuo.analytics.features import FEATURES, Windows, feature_ctes, lit, with_ctes
from panhuo.analytics.reasons import top_reasons
from panhuo.warehouse.money import money_sum

HORIZON = 90
MOVED_OUT = 0.5
QUIET = 120       # days of silence after the horizon that say a client has gone (or is on the way out)
N_TRAIN = 6       # monthly training dates before the validation date
N_PURGED = 3      # monthly dates of the purged model that measures the validation figures (see `train`)
# Training reads a sample of clients at each date, not everybody (see `client_sample`): this many clients per
# row wanted, over the share of sampled clients found eligible at the dates read so far (a third at first).
OVERSAMPLE, FIRST_SHARE = 1.3, 1 / 3
MIN_ROWS, MIN_POSITIVES = 200, 20   # below this a model would only fit noise: no score rather than a bad one

# Model inputs: behaviour, assets and flows; no ids or dates. Symbol counts are left out because the
# interval rule behind them is exact only at the latest date, and training looks back in time.
MODEL_FEATURES = [
    "days_since_last_trade", "trading_days_30d", "trading_days_90d", "trading_days_365d", "trades_90d",
    "amount_90d", "commission_365d", "turnover_6m", "assets_now", "asset_change_90d", "net_transfer_30d",
    "net_transfer_90d", "moved_out_share_90d", "transfers_out_90d", "drawdown_from_peak", "return_90d",
    "excess_return_90d", "lifetime_pnl_pct", "unrealised_pnl_pct", "position_level", "holdings_change_90d",
    "instruments_held", "overdue_ratio", "account_age_days", "days_since_last_contact", "contacts_90d",
    "reached_90d", "days_since_last_buy", "buy_share_90d", "days_since_last_deposit", "transfers_in_90d",
    "activity_trend_30d", "activity_trend_90d", "selling_since_buy_days",
]
# Feature columns model_matrix reads: the inputs themselves and what the derived ones are computed from.
INPUT_COLUMNS = [c for c in FEATURES if c in {
    *MODEL_FEATURES, "client_id", "open_date", "assets_now", "assets_90d_ago", "market_value_now",
    "market_value_90d_ago", "trading_days_30d", "trading_days_90d", "trading_days_365d", "days_since_last_trade",
    "days_since_last_buy", "amount_90d", "buy_amount_90d"}]
# The model ranks by the broad outcome and is calibrated to the narrow one (module docstring).
TRAIN_LABEL, CAL_LABEL = "churned", "left_"


def model_matrix(table: pa.Table, as_of: date) -> np.ndarray:
    """Rows x MODEL_FEATURES as float64 (NaN for missing), with the derived columns (ratios, trends, ages)
    computed here."""
    cols = []
    for name in MODEL_FEATURES:
        if name == "asset_change_90d":
            now = _col(table, "assets_now")
            ago = _col(table, "assets_90d_ago")
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where(ago > 0, now / ago - 1, np.nan))
        elif name == "holdings_change_90d":
            now = _col(table, "market_value_now")
            ago = _col(table, "market_value_90d_ago")
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where(ago > 0, now / ago - 1, np.nan))
        elif name == "overdue_ratio":
            # silence measured in the client's own usual gaps between trading days
            gap = 365.0 / np.maximum(_col(table, "trading_days_365d"), 1.0)
            cols.append(_col(table, "days_since_last_trade") / gap)
        elif name == "selling_since_buy_days":
            # days from the last buy to the last trade: a client winding down sells and no longer buys
            cols.append(_col(table, "days_since_last_buy") - _col(table, "days_since_last_trade"))
        elif name == "buy_share_90d":
            amount = _col(table, "amount_90d")
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where(amount > 0, _col(table, "buy_amount_90d") / amount, np.nan))
        elif name.startswith("activity_trend_"):
            # trading days in the last 30 / 90 days against the client's own pace over the year
            n = int(name.removeprefix("activity_trend_").removesuffix("d"))
            year = _col(table, "trading_days_365d") * n / 365
            with np.errstate(divide="ignore", invalid="ignore"):
                cols.append(np.where(year > 0, _col(table, f"trading_days_{n}d") / year, np.nan))
        elif name == "account_age_days":
            opened = table.column("open_date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
            cols.append((np.datetime64(as_of, "D") - opened).astype(float))
        else:
            cols.append(_col(table, name))
    return np.column_stack(cols)


def _col(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)


OUT_MINUS_IN = "CASE WHEN direction = 'out' THEN amount ELSE -amount END"


def outcome_sql(as_of: date, horizon: int = HORIZON, quiet: int = QUIET, *, has_contacts: bool = False,
                sample: str | None = None) -> str:
    """Features at `as_of` plus the outcomes observed after it; clients holding assets only.

    `churned`: moved out at least half of the assets in (D, D + horizon], or no activity (a trade or a
    deposit; withdrawals are how a leaving client empties the account) in the `quiet` days after the
    horizon: gone, or on the way out, by its end.
    `left`: the narrower event of the client's last activity falling inside the horizon (or the move-out).
    `eligible`: some activity in the year before D; a client silent for longer had gone before, and
    would only teach the model that the gone stay gone.
    `has_contacts`: the contact features from the contacts held on or before D (else NULL), as when scoring.
    `sample`: only the clients this condition on the clients table keeps (features.feature_ctes).
    """
    d, h, q = lit(as_of), lit(as_of + timedelta(days=horizon)), lit(as_of + timedelta(days=horizon + quiet))
    y = lit(as_of - timedelta(days=365))
    day = "CAST(transfer_time AS DATE)"
    only = Windows(as_of, sample).only
    ctes = feature_ctes(as_of, has_contacts=has_contacts, sample=sample) + [
        ("act", f"SELECT client_id, trade_date AS d FROM client_days WHERE trade_date > {y} AND trade_date <= {q}{only} "
                f"UNION ALL SELECT client_id, {day} FROM transfers WHERE direction = 'in' AND {day} > {y} "
                f"AND {day} <= {q}{only}"),
        ("fut", f"SELECT client_id, count(*) FILTER (WHERE d <= {d}) AS n_before, "
                f"count(*) FILTER (WHERE d > {d} AND d <= {h}) AS n_window, "
                f"count(*) FILTER (WHERE d > {h}) AS n_after FROM act GROUP BY client_id"),
        ("futx", f"SELECT client_id, {money_sum(OUT_MINUS_IN)} AS out_after "
                 f"FROM transfers WHERE {day} > {d} AND {day} <= {h}{only} GROUP BY client_id"),
    ]
    moved = f"coalesce(futx.out_after, 0) >= {MOVED_OUT} * f.assets_now"
    silent = "coalesce(fut.n_after, 0) = 0"
    # only the model's inputs: the engine then skips the rest, and the training tables stay small
    cols = ", ".join(f"f.{c}" for c in INPUT_COLUMNS)
    select = f"""SELECT {cols}, ({silent} OR {moved}) AS churned,
      (({silent} AND coalesce(fut.n_window, 0) > 0) OR {moved}) AS left_,
      coalesce(fut.n_before, 0) > 0 AS eligible
    FROM features f LEFT JOIN fut ON fut.client_id = f.client_id LEFT JOIN futx ON futx.client_id = f.client_id
    WHERE f.assets_now > 0 ORDER BY f.client_id"""
    return with_ctes(ctes, select)


def rule_score(X: np.ndarray) -> np.ndarray:
    """The recency/frequency rule the model must beat: long silence and few trading days mean risk."""
    recency = np.nan_to_num(X[:, MODEL_FEATURES.index("days_since_last_trade")], nan=3650.0)
    freq = X[:, MODEL_FEATURES.index("trading_days_365d")]
    return recency / (1.0 + freq)


@dataclass
class ChurnReport:
    train_dates: list[date]
    valid_date: date | None
    n_train: int = 0
    n_valid: int = 0
    positive_rate: float = float("nan")
    auc: float = float("nan")
    rule_auc: float = float("nan")
    brier: float = float("nan")
    note: str = ""
    # "purged": auc and brier come from a model whose training outcomes all end by the validation date, the
    # honest out-of-time figures; "overlapping": history was too short for that, and they come from the
    # served model, whose latest training outcomes run past the validation date (optimistic).
    validation: str = ""
    purged_dates: list[date] = field(default_factory=list)
    auc_overlapping: float = float("nan")   # the served model on the same validation rows, for comparison

    def as_dict(self) -> dict:
        # NaN (no model) becomes null, so --json output stays strict JSON
        return {k: (None if isinstance(v, float) and v != v else v)
                for k, v in ((k, getattr(self, k)) for k in self.__dataclass_fields__)}


@dataclass
class ChurnModel:
    """LightGBM with Platt calibration. Settings here; data in `fit`."""

    n_estimators: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_child_samples: int = 40
    max_train_rows: int = 250_000
    seed: int = 0
    feature_names: list[str] = field(default_factory=lambda: list(MODEL_FEATURES))

    def fit(self, X: np.ndarray, y: np.ndarray, X_valid: np.ndarray, y_valid: np.ndarray,
            y_cal: np.ndarray | None = None) -> dict[str, float]:
        """Train on (X, y); validate on (X_valid, y_valid) and calibrate to `y_cal` on the same rows
        (default y_valid)."""
        import lightgbm as lgb

        if X.shape[1] != len(self.feature_names):
            raise ValueError("X does not match feature_names")
        if len(np.unique(y)) < 2 or len(np.unique(y_valid)) < 2:
            raise ValueError("training and validation need both outcomes")
        rng = np.random.default_rng(self.seed)
        if len(y) > self.max_train_rows:  # a uniform sample keeps the fit within the time budget
            keep = rng.choice(len(y), self.max_train_rows, replace=False)
            X, y = X[keep], y[keep]
        self.model_ = lgb.LGBMClassifier(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate, num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples, subsample=0.8, subsample_freq=1, colsample_bytree=0.9,
            # one thread: OpenMP threads spin-waiting on a shared 2-core machine made training ~50x slower
            # deterministic needs the histogram layout fixed too: left to itself LightGBM times row- and
            # column-wise construction and keeps the faster, which can differ between two runs
            random_state=self.seed, deterministic=True, force_col_wise=True, n_jobs=1, verbose=-1)
        with threadpool_limits(limits=1, user_api="blas"):
            self.model_.fit(X, y)
            auc = float(roc_auc_score(y_valid, self.margin(X_valid)))
            return {"auc": auc, **self._calibrate(X_valid, y_valid if y_cal is None else y_cal)}

    def _calibrate(self, X_valid, y_valid) -> dict[str, float]:
        margin = self.margin(X_valid).reshape(-1, 1)
        # Brier by two-fold cross-fitting of the calibrator, so it is not scored on the rows it was fit to.
        folds = np.arange(len(y_valid)) % 2
        cal = np.empty(len(y_valid))
        for k in (0, 1):
            fit_rows = folds != k
            if len(np.unique(y_valid[fit_rows])) < 2:
                cal[~fit_rows] = y_valid[fit_rows].mean()
                continue
            lr = LogisticRegression(C=1e6).fit(margin[fit_rows], y_valid[fit_rows])
            cal[~fit_rows] = lr.predict_proba(margin[~fit_rows])[:, 1]
        self.calibrator_ = LogisticRegression(C=1e6).fit(margin, y_valid)
        return {"brier": float(brier_score_loss(y_valid, cal)),
                "brier_uncalibrated": float(brier_score_loss(y_valid, 1 / (1 + np.exp(-margin.ravel()))))}

    def margin(self, X: np.ndarray, chunk: int = 100_000) -> np.ndarray:
        parts = _in_two_threads(lambda start: self.model_.predict(X[start:start + chunk], raw_score=True),
                                range(0, len(X), chunk))
        return np.concatenate(parts) if parts else np.zeros(0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.calibrator_.predict_proba(self.margin(X).reshape(-1, 1))[:, 1]

    def reasons(self, X: np.ndarray, k: int = 3) -> tuple[list[list[str]], list[list[str]]]:
        return top_reasons(self.contributions(X), X, self.feature_names, k)

    def contributions(self, X: np.ndarray, chunk: int = 100_000) -> np.ndarray:
        """Per-feature contributions to the raw score along each row's decision paths (Saabas): every split
        credits its feature with the change in the node's expected value. Rows x features; they add up,
        with `bias_`, to the raw score. TreeSHAP (pred_contrib) costs ~0.6 ms a row, far too slow for a
        million clients a day; this is a leaf lookup and a few additions per tree."""
        tables = self._path_tables()
        out = np.zeros((len(self.feature_names), len(X)))    # feature-major: each update is contiguous

        def fill(start: int) -> None:
            leaves = np.ascontiguousarray(self.model_.predict(X[start:start + chunk], pred_leaf=True).T)
            part = out[:, start:start + chunk]
            for t, (cols, table) in enumerate(tables):
                for j, f in enumerate(cols):
                    part[f] += table[:, j].take(leaves[t])

        _in_two_threads(fill, range(0, len(X), chunk))
        return out.T

    def _path_tables(self) -> list[tuple[np.ndarray, np.ndarray]]:
        if getattr(self, "tables_", None) is not None:
            return self.tables_
        tables, bias = [], 0.0
        for tree in self.model_.booster_.dump_model()["tree_info"]:
            root = tree["tree_structure"]
            rows: dict[int, dict[int, float]] = {}

            if "leaf_index" in root:       # a stump: a constant, no feature to credit
                bias += root["leaf_value"]
                tables.append((np.array([], int), np.zeros((1, 0))))
                continue
            bias += root["internal_value"]
            _walk(root, root["internal_value"], {}, rows)
            cols = np.array(sorted({f for acc in rows.values() for f in acc}), int)
            table = np.zeros((max(rows) + 1, len(cols)))
            for leaf, acc in rows.items():
                for j, f in enumerate(cols):
                    table[leaf, j] = acc.get(f, 0.0)
            tables.append((cols, table))
        self.tables_, self.bias_ = tables, bias
        return tables


def _in_two_threads(work, starts) -> list:
    """`work` over each chunk start, two at a time, results in order. A chunk's rows are computed as they would
    be alone, so the numbers are the same as one thread's; LightGBM's one-thread predict and numpy's take and
    add run without the GIL, so scoring a million clients uses both cores."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(work, starts))


def _walk(node: dict, value: float, acc: dict[int, float], rows: dict[int, dict[int, float]]) -> None:
    """Collect, per leaf, the change in expected value credited to each split feature on the way down."""
    if "leaf_index" in node:
        rows[node["leaf_index"]] = acc
        return
    for child in (node["left_child"], node["right_child"]):
        v = child.get("leaf_value", child.get("internal_value"))
        f = node["split_feature"]
        _walk(child, v, {**acc, f: acc.get(f, 0.0) + v - value}, rows)


def training_dates(as_of: date, *, n_train: int = N_TRAIN, step_days: int = 30, horizon: int = HORIZON,
                   quiet: int = QUIET) -> tuple[list[date], date]:
    """Validation at the latest date whose outcome (horizon and quiet spell) is known; training dates step back."""
    valid = as_of - timedelta(days=horizon + quiet)
    return [valid - timedelta(days=step_days * k) for k in range(n_train, 0, -1)], valid


def purged_dates(valid: date, *, n: int = N_PURGED, step_days: int = 30, horizon: int = HORIZON,
                 quiet: int = QUIET) -> list[date]:
    """Training dates whose outcome windows (horizon and quiet spell) end by `valid`: the latest is
    valid - (horizon + quiet), so no training outcome overlaps the validation outcomes."""
    last = valid - timedelta(days=horizon + quiet)
    return [last - timedelta(days=step_days * k) for k in range(n - 1, -1, -1)]


def client_sample(d: date, fraction: float) -> str | None:
    """A condition keeping `fraction` of the clients, by md5 of the client id and the date: uniform, the same
    on every run, different at each date, and drawn alike by DuckDB and Spark (both give md5 as the same hex
    text, compared here as text). None when every client is wanted."""
    if fraction >= 1:
        return None
    return f"substr(md5(client_id || '|{d.isoformat()}'), 1, 8) < '{int(fraction * 16 ** 8):08x}'"


def _outcomes(engine: Engine, d: date, sample: str | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = engine.query(outcome_sql(d, has_contacts=engine.has_table("contacts"), sample=sample))

    def flag(name: str) -> np.ndarray:
        return np.asarray(t.column(name).to_numpy(zero_copy_only=False), bool)

    return model_matrix(t, d), flag(TRAIN_LABEL).astype(int), flag(CAL_LABEL).astype(int), flag("eligible")


def train(engine: Engine, as_of: date, *, model: ChurnModel | None = None, n_train: int = N_TRAIN,
          step_days: int = 30, earliest: date | None = None, progress=None) -> tuple[ChurnModel | None, ChurnReport]:
    """Fit on the engine's history before `as_of`; returns (None, report) when history is too short."""
    model = model or ChurnModel()
    train_at, valid_at = training_dates(as_of, n_train=n_train, step_days=step_days)
    purged = purged_dates(valid_at, step_days=step_days)
    if earliest is not None:  # a training date needs some history behind it to have features at all
        train_at = [d for d in train_at if d >= earliest + timedelta(days=180)]
        purged = [d for d in purged if d >= earliest + timedelta(days=180)]
    report = ChurnReport(train_dates=train_at, valid_date=valid_at)
    if not train_at:
        report.note = "not enough history for a time-based split"
        return None, report
    rng = np.random.default_rng(model.seed)
    n_clients = engine.query("SELECT count(*) AS n FROM clients").column("n")[0].as_py()
    seen = [0.0, 0]     # clients read and eligible rows found, over the dates read so far

    def outcomes(d: date, wanted: int):
        # Each date keeps a uniform sample of `wanted` eligible rows, so only a sample of clients needs its
        # features computed: at a million clients that cuts each date's GROUP BYs several-fold. A branch whose
        # clients fit in the sample reads them all (and gets the same model as without sampling).
        share = max(seen[1] / seen[0] if seen[0] else FIRST_SHARE, 0.02)
        fraction = OVERSAMPLE * wanted / (share * n_clients) if n_clients else 1.0
        out = _outcomes(engine, d, client_sample(d, fraction))
        seen[0] += min(fraction, 1.0) * n_clients
        seen[1] += int(out[3].sum())
        return out

    def stacked(dates: list[date]) -> tuple[np.ndarray, np.ndarray]:
        # Each date keeps a uniform sample of its share of max_train_rows: the stacked matrix of a million
        # clients at seven dates would hold several GiB, and the fit samples that many rows anyway.
        per_date = -(-model.max_train_rows // len(dates))
        Xs, ys = [], []
        for d in dates:
            X, y, _, ok = outcomes(d, per_date)
            rows = np.flatnonzero(ok)
            if len(rows) > per_date:
                rows = np.sort(rng.choice(rows, per_date, replace=False))
            Xs.append(X[rows])
            ys.append(y[rows])
            del X
            if progress is not None:
                progress()
        return np.vstack(Xs), np.concatenate(ys)

    X, y = stacked(train_at)
    Xv, yv, yc, ok = outcomes(valid_at, model.max_train_rows)
    rows = np.flatnonzero(ok)
    if len(rows) > model.max_train_rows:
        rows = np.sort(rng.choice(rows, model.max_train_rows, replace=False))
    Xv, yv, yc = Xv[rows], yv[rows], yc[rows]
    if progress is not None:
        progress()
    report.n_train, report.n_valid = len(y), len(yv)
    report.positive_rate = float(np.concatenate([y, yv]).mean()) if len(y) + len(yv) else float("nan")
    if len(y) < MIN_ROWS or y.sum() < MIN_POSITIVES or yv.sum() < MIN_POSITIVES // 4:
        report.note = f"too little history to train ({len(y)} rows, {int(y.sum())} churned)"
        return None, report
    try:
        metrics = model.fit(X, y, Xv, yv, y_cal=yc)
    except ValueError as exc:
        report.note = str(exc)
        return None, report
    del X, y
    report.rule_auc = float(roc_auc_score(yv, rule_score(Xv)))
    report.auc_overlapping = metrics["auc"]
    report.auc, report.brier, report.validation = metrics["auc"], metrics["brier"], "overlapping"
    # The served model's latest training outcomes run up to 180 days past the validation date, the same
    # months the validation outcomes fall in, which flatters its validation figures (by 0.01-0.04 AUC on the
    # simulator). A second model trained only on outcomes that end by the validation date measures what the
    # method achieves on months it has not seen; it is not served, because its older training months rank
    # today's clients worse than the recent ones do.
    if purged:
        Xp, yp = stacked(purged)
        if len(yp) >= MIN_ROWS and yp.sum() >= MIN_POSITIVES:
            try:
                honest = replace(model).fit(Xp, yp, Xv, yv, y_cal=yc)
            except ValueError:
                honest = None
            if honest is not None:
                report.auc, report.brier, report.validation = honest["auc"], honest["brier"], "purged"
                report.purged_dates = purged
    return model, report


def score(model: ChurnModel, table: pa.Table, as_of: date) -> tuple[np.ndarray, list, list]:
    """churn_risk and reasons zh / en for the population the model was trained on: clients holding assets with
    a trade or a deposit in the last year. The others get NaN: without assets there is nothing left to lose,
    and a client silent for over a year has already gone (reactivation, not retention, is the question)."""
    X = model_matrix(table, as_of)
    active = (np.nan_to_num(_col(table, "trading_days_365d"), nan=0.0) > 0) | (
        np.nan_to_num(_col(table, "days_since_last_deposit"), nan=np.inf) < 365)   # as outcome_sql's `eligible`
    eligible = (np.nan_to_num(_col(table, "assets_now"), nan=0.0) > 0) & active
    risk = np.full(len(X), np.nan)
    zh: list[list[str]] = [[] for _ in range(len(X))]
    en: list[list[str]] = [[] for _ in range(len(X))]
    if eligible.any():
        idx = np.flatnonzero(eligible)
        risk[idx] = model.predict_proba(X[idx])
        rz, re = model.reasons(X[idx])
        for i, a, b in zip(idx, rz, re, strict=True):
            zh[i], en[i] = a, b
    return risk, zh, en
