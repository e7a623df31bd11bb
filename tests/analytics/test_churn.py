"""The churn model: on public bank data (a known AUC), and on a simulated branch against its ground truth."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from panhuo.analytics.churn import (
    HORIZON,
    MODEL_FEATURES,
    QUIET,
    ChurnModel,
    client_sample,
    model_matrix,
    outcome_sql,
    rule_score,
)
from panhuo.analytics.engines import DuckDBEngine
from panhuo.analytics.pipeline import analytics_run
from panhuo.analytics.reasons import describe, top_reasons
from tests.analytics.simbranch import simulated_branch
from tests.conftest import shared_data


def test_bank_churn_auc_near_published(capsys):
    df = pl.read_csv(shared_data("bank_churn", "churn_modelling_train80.csv"))
    df = df.with_columns(germany=(pl.col("Geography") == "Germany").cast(int),
                         spain=(pl.col("Geography") == "Spain").cast(int), male=(pl.col("Gender") == "Male").cast(int))
    names = ["CreditScore", "Age", "Tenure", "Balance", "NumOfProducts", "HasCrCard", "IsActiveMember",
             "EstimatedSalary", "germany", "spain", "male"]
    X, y = df.select(names).to_numpy().astype(float), df["Exited"].to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X_fit, X_cal, y_fit, y_cal = train_test_split(X_tr, y_tr, test_size=0.25, random_state=0, stratify=y_tr)
    model = ChurnModel(feature_names=names)
    metrics = model.fit(X_fit, y_fit, X_cal, y_cal)
    p = model.predict_proba(X_te)
    auc = roc_auc_score(y_te, p)
    print(f"bank churn: AUC {auc:.4f}, Brier {brier_score_loss(y_te, p):.4f}, validation {metrics}")
    assert 0.84 <= auc <= 0.92          # SOURCE.md: a GBM on this data lands near 0.86-0.88
    assert brier_score_loss(y_te, p) < 0.12 and abs(p.mean() - y_te.mean()) < 0.03   # calibrated
    zh, en = model.reasons(X_te[:5])
    assert all(1 <= len(r) <= 3 for r in zh) and len(en) == 5


def test_reasons_say_what_raised_the_risk():
    contrib = np.array([[0.1, 2.0, -1.0, 0.5], [-0.2, -0.1, -0.3, -0.4]])
    values = np.array([[30.0, 0.62, 5.0, np.nan], [1.0, 0.0, 1.0, 2.0]])
    names = ["days_since_last_trade", "moved_out_share_90d", "trading_days_90d", "days_since_last_contact"]
    zh, en = top_reasons(contrib, values, names)
    assert zh[0] == ["近90天转出资产62%", "沟通过少（从未联系）", "已30天未交易"]
    assert en[0] == ["Moved 62% of assets out in 90 days", "Little contact from the advisor (never contacted)",
                     "No trade for 30 days"]
    assert zh[1] == [] and en[1] == []      # nothing raised the risk: no reason is invented
    assert describe("excess_return_ytd", -0.12) == ("今年以来跑输沪深300 12%", "Behind the CSI 300 by 12% this year")


def test_reasons_are_worded_row_by_row_as_a_plain_loop_would():
    """top_reasons words each distinct value once, column by column: the result is what wording every row's
    top three in turn gives, on repeats, ties, NaN, -0.0, the contact merge and rows with no positive input."""
    from panhuo.analytics.reasons import _merge_contact, contact_reason

    rng = np.random.default_rng(4)
    names = [*MODEL_FEATURES]
    n = 3000
    contrib = rng.normal(size=(n, len(names))) * (rng.random((n, len(names))) < 0.3)
    contrib[:50] = -np.abs(contrib[:50])                 # nothing raised these rows' risk
    values = rng.choice([0.0, -0.0, 1.0, 30.0, 0.25, -0.4, 12345.6, np.nan], size=(n, len(names)))
    values[::7, 0] = rng.random(len(values[::7, 0])) * 1e6
    lower = -contrib
    contact = _merge_contact(lower, contrib, values, names)
    order = np.argsort(lower, axis=1)[:, :3]
    want_zh, want_en = [], []
    for i in range(n):
        zh, en = [], []
        for j in order[i]:
            if lower[i, j] >= 0:
                break
            a, b = contact_reason(values[i, j]) if j == contact else describe(names[j], values[i, j])
            zh.append(a)
            en.append(b)
        want_zh.append(zh)
        want_en.append(en)
    assert top_reasons(contrib, values, names) == (want_zh, want_en)
    assert top_reasons(contrib[:0], values[:0], names) == ([], [])
    assert sum(map(len, want_zh[:50])) == 0 and any("-0" in r for rs in want_zh for r in rs)


def test_little_contact_is_one_reason_from_all_contact_inputs():
    names = ["days_since_last_trade", "days_since_last_contact", "contacts_90d", "reached_90d"]
    contrib = np.array([[0.5, 0.2, 0.2, 0.2],     # together (0.6) the contact inputs outweigh the silence
                        [0.5, 0.2, 0.2, 0.2],
                        [0.5, 0.3, -0.2, -0.2],   # together they lower the risk: no reason from them
                        [0.5, 0.2, 0.2, 0.2]])
    values = np.array([[30.0, 120.0, 0.0, 0.0], [30.0, np.nan, 0.0, 0.0], [30.0, 120.0, 0.0, 0.0],
                       [30.0, 10.0, 4.0, 3.0]])  # in touch 10 days ago: raised or not, it is not "little"
    zh, en = top_reasons(contrib, values, names)
    assert zh[0] == ["沟通过少（已120天未联系）", "已30天未交易"]
    assert en[0] == ["Little contact from the advisor (none for 120 days)", "No trade for 30 days"]
    assert zh[1] == ["沟通过少（从未联系）", "已30天未交易"]
    assert zh[2] == zh[3] == ["已30天未交易"]


def test_a_score_driven_by_lack_of_contact_says_so():
    # A book where the clients the advisors have not called leave: the model learns it, and its reasons say it.
    rng = np.random.default_rng(1)
    n = 8000
    days = rng.uniform(0, 400, n)
    days[rng.random(n) < 0.2] = np.nan                       # never contacted
    contacts = np.where(np.nan_to_num(days, nan=999) < 90, rng.integers(1, 6, n), 0).astype(float)
    silence = rng.uniform(0, 60, n)
    out_of_touch = np.nan_to_num(days, nan=999) >= 180
    y = (rng.random(n) < np.where(out_of_touch, 0.5, 0.05) + silence / 600).astype(int)
    names = ["days_since_last_trade", "days_since_last_contact", "contacts_90d", "reached_90d"]
    X = np.column_stack([silence, days, contacts, contacts])
    model = ChurnModel(feature_names=names, n_estimators=80)
    model.fit(X[:6000], y[:6000], X[6000:], y[6000:])
    zh, en = model.reasons(X[6000:])
    first = [r[0] if r else "" for r in zh]
    gone = out_of_touch[6000:]
    assert np.mean([f.startswith("沟通过少") for f, g in zip(first, gone, strict=True) if g]) > 0.9
    # in touch within 90 days: never called "little contact", whatever the contact inputs did
    recent = np.nan_to_num(days[6000:], nan=999) < 90
    assert not any(r.startswith("沟通过少") for rs, ok in zip(zh, recent, strict=True) if ok for r in rs)
    assert all(e.startswith("Little contact") for rs, es in zip(zh, en, strict=True)
               for r, e in zip(rs, es, strict=True) if r.startswith("沟通过少"))


def test_contact_inputs_without_contacts_change_no_score():
    # A branch that logs no contacts (the simulator): recency all missing, the counts all zero. The trees
    # cannot split on them, so the scores are those of a model without them, to the last bit.
    rng = np.random.default_rng(2)
    X = rng.random((5000, 4))
    y = ((X[:, 0] + 0.5 * X[:, 2] + 0.6 * rng.random(5000)) > 1.1).astype(int)
    base = ChurnModel(feature_names=list("abcd"), n_estimators=60)
    base.fit(X[:4000], y[:4000], X[4000:], y[4000:])
    none = np.column_stack([np.full(5000, np.nan), np.zeros(5000), np.zeros(5000)])
    Xc = np.hstack([X[:, :2], none, X[:, 2:]])
    names = ["a", "b", "days_since_last_contact", "contacts_90d", "reached_90d", "c", "d"]
    model = ChurnModel(feature_names=names, n_estimators=60)
    model.fit(Xc[:4000], y[:4000], Xc[4000:], y[4000:])
    np.testing.assert_array_equal(model.predict_proba(Xc[4000:]), base.predict_proba(X[4000:]))
    assert not model.contributions(Xc[4000:])[:, 2:5].any()
    assert not any(r.startswith("沟通过少") for rs in model.reasons(Xc[4000:])[0] for r in rs)


def test_every_model_input_is_worded():
    # counts, sums and shares are never null (coalesced in features.py); everything else may be missing
    never_null = ("trading_days_", "trades_", "transfers_", "amount_", "commission_", "net_transfer_", "moved_out_",
                  "instruments_held", "account_age_days")
    for name in MODEL_FEATURES:
        for value in (12.0, -0.3) + (() if name.startswith(never_null) else (float("nan"),)):
            zh, en = describe(name, value)
            assert name not in zh and name not in en, name


@pytest.mark.parametrize("seed", [7, 11, 13])
def test_against_the_simulators_truth(tmp_path, warehouse, capsys, seed):
    as_of = simulated_branch(tmp_path / "sim", warehouse, seed=seed)
    result = analytics_run(warehouse, as_of=as_of)
    report = result.churn
    assert report.note == "" and report.valid_date < as_of and all(d < report.valid_date for d in report.train_dates)
    # the reported validation figures are out of time: no purged training outcome (90 + 120 days) runs past
    # the validation date, and they are below the served model's, whose outcomes overlap it
    assert report.validation == "purged" and report.purged_dates
    assert all(d + timedelta(days=HORIZON + QUIET) <= report.valid_date for d in report.purged_dates)
    assert report.auc < report.auc_overlapping
    truth = pl.read_parquet(tmp_path / "sim" / "truth.parquet")
    df = pl.from_arrow(result.table).join(truth, on="client_id")
    # scored is exactly the population trained on (outcome_sql's `eligible` at the run date), and some
    # clients holding assets fall outside it
    trained_on = pl.from_arrow(DuckDBEngine(warehouse).query(outcome_sql(as_of))).filter("eligible")["client_id"]
    scored_ids = df.filter(pl.col("churn_risk").fill_nan(None).is_not_null())["client_id"]
    assert sorted(scored_ids) == sorted(trained_on)
    assert df.filter(pl.col("assets_now") > 0).height > len(trained_on) > 0
    scored = df.filter(pl.col("alive_at_end") & pl.col("churn_risk").is_not_null() & pl.col("churn_risk").is_not_nan())
    y = scored["churns_in_next_90d"].to_numpy().astype(int)
    risk = scored["churn_risk"].to_numpy()
    X = model_matrix(result.table.filter(
        np.isin(result.table.column("client_id").to_numpy(zero_copy_only=False), scored["client_id"].to_numpy())),
        as_of)
    auc, rule = roc_auc_score(y, risk), roc_auc_score(y, rule_score(X))
    ceiling = roc_auc_score(y, scored["churn_probability_90d"].to_numpy())
    brier = brier_score_loss(y, risk)
    base = brier_score_loss(y, np.full(len(y), y.mean()))         # knowing only the true rate
    raw = brier_score_loss(y, 1 / (1 + np.exp(-result.churn_model.margin(X))))   # the model before calibration
    print(f"seed {seed} truth: AUC {auc:.4f} rule {rule:.4f} ceiling {ceiling:.4f}; Brier {brier:.4f} "
          f"(base rate {base:.4f}, uncalibrated {raw:.4f}); mean risk {risk.mean():.3f} rate {y.mean():.3f}; "
          f"validation AUC {report.auc:.4f} (overlapping {report.auc_overlapping:.4f}) Brier {report.brier:.4f} "
          f"rule {report.rule_auc:.4f}")
    assert auc >= 0.80 and auc >= rule + 0.05
    assert auc <= ceiling + 0.02            # no model can know more than the true hazard
    # calibrated: no worse than a forecast that knew the true rate; the uncalibrated scores are far off it
    assert brier <= 1.1 * base < raw
    # every client at risk gets at most three plain reasons, in both languages
    top = scored.sort("churn_risk", descending=True).head(50)
    assert len(top) > 0 and all(1 <= len(r) <= 3 for r in top["churn_reasons"])
    assert all(len(a) == len(b) for a, b in zip(top["churn_reasons"], top["churn_reasons_en"], strict=True))
    assert not any("=" in r or "缺失" in r for rs in top["churn_reasons"] for r in rs)   # every input is worded
    # P(alive) from BG/NBD on trading days separates who is gone from who is not
    alive = df.filter(pl.col("p_alive").is_not_null())
    assert roc_auc_score(alive["alive_at_end"].to_numpy().astype(int), alive["p_alive"].to_numpy()) > 0.75
    assert result.bgnbd.converged


def test_a_sample_of_clients_has_the_features_it_has_among_all(tmp_path, warehouse):
    """Training reads a sample of clients at each date: their rows are the rows the whole branch's query gives
    them, the sample is about the fraction asked for, and another date draws other clients."""
    as_of = simulated_branch(tmp_path / "sim", warehouse, clients=1500, years=1.5, seed=5)
    eng = DuckDBEngine(warehouse)
    d = as_of - timedelta(days=HORIZON + QUIET)
    full = pl.from_arrow(eng.query(outcome_sql(d)))
    part = pl.from_arrow(eng.query(outcome_sql(d, sample=client_sample(d, 0.3))))
    assert 0.22 * full.height < part.height < 0.38 * full.height
    assert part.equals(full.filter(pl.col("client_id").is_in(part["client_id"].implode())))
    assert client_sample(d, 1.0) is None
    other = pl.from_arrow(eng.query(outcome_sql(d, sample=client_sample(d - timedelta(days=30), 0.3))))
    assert set(other["client_id"]) != set(part["client_id"])


def test_training_on_a_sample_of_clients_keeps_its_quality(tmp_path, warehouse):
    """With fewer rows wanted than the branch has clients, each training date reads a sample of clients; the
    model fits on about as many rows as asked and still ranks the simulator's true churners."""
    as_of = simulated_branch(tmp_path / "sim", warehouse, seed=7)
    result = analytics_run(warehouse, as_of=as_of, churn_model=ChurnModel(max_train_rows=1800))
    report = result.churn
    assert report.note == "" and 1500 <= report.n_train <= 1800 and 1500 <= report.n_valid <= 1800
    truth = pl.read_parquet(tmp_path / "sim" / "truth.parquet")
    scored = pl.from_arrow(result.table).join(truth, on="client_id").filter(
        pl.col("alive_at_end") & pl.col("churn_risk").is_not_null() & pl.col("churn_risk").is_not_nan())
    auc = roc_auc_score(scored["churns_in_next_90d"].to_numpy().astype(int), scored["churn_risk"].to_numpy())
    assert auc >= 0.78, auc


def test_contributions_add_up_to_the_model_score():
    rng = np.random.default_rng(0)
    X = rng.random((6000, 5))
    X[rng.random(X.shape) < 0.1] = np.nan
    y = ((np.nan_to_num(X[:, 0]) + 0.3 * np.nan_to_num(X[:, 3]) + 0.8 * rng.random(6000)) > 1).astype(int)
    model = ChurnModel(feature_names=list("abcde"), n_estimators=60)
    model.fit(X[:4000], y[:4000], X[4000:], y[4000:])
    contrib = model.contributions(X[:1000], chunk=300)
    np.testing.assert_allclose(contrib.sum(axis=1) + model.bias_, model.margin(X[:1000]), atol=1e-9)
    # the informative feature carries more than a noise one
    assert np.abs(contrib[:, 0]).mean() > np.abs(contrib[:, 1]).mean()
    # scored in chunks two at a time: exactly what one pass over every row gives
    assert np.array_equal(model.margin(X, chunk=700), model.model_.predict(X, raw_score=True))
    assert np.array_equal(contrib, model.contributions(X[:1000], chunk=1000))
