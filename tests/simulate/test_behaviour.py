"""Client behaviour has the shape branches report, and the truth leaves an honest, reachable churn signal."""

from __future__ import annotations

import numpy as np

from tests.simulate.conftest import scalar

LAST = "(SELECT max(date) FROM daily_assets)"


def test_assets_are_heavy_tailed_top_fifth_holds_about_four_fifths(sdb):
    share = scalar(sdb, f"""
        WITH a AS (SELECT total_assets, ntile(5) OVER (ORDER BY total_assets DESC) AS q
                   FROM daily_assets WHERE date = {LAST})
        SELECT sum(total_assets) FILTER (WHERE q = 1) / sum(total_assets) FROM a""")
    assert 0.70 <= share <= 0.92


def test_most_clients_trade_rarely_and_a_few_very_often(sdb):
    counts = np.array([n for (n,) in sdb.execute("""SELECT count(t.trade_id) FROM clients c
                       LEFT JOIN trades t USING (client_id) GROUP BY c.client_id""").fetchall()])
    assert np.median(counts) < 0.4 * counts.mean()
    top = np.sort(counts)[::-1][: len(counts) // 10]
    assert top.sum() > 0.45 * counts.sum()
    assert (counts == 0).mean() > 0.05


def test_activity_rises_in_bull_phases_and_falls_in_bear_phases(sdb):
    rate = dict(sdb.execute("""
        WITH open_accounts AS (SELECT date AS trade_date, count(*) AS n FROM daily_assets GROUP BY 1),
        per_day AS (SELECT trade_date, count(*) AS trades FROM trades GROUP BY 1)
        SELECT m.regime, sum(coalesce(p.trades, 0)) / sum(o.n) FROM market_regimes m
        JOIN open_accounts o USING (trade_date) LEFT JOIN per_day p USING (trade_date) GROUP BY 1""").fetchall())
    assert rate["bull"] > 1.3 * rate["bear"]
    assert rate["bull"] > rate["range"] > rate["bear"]


def test_accounts_open_over_time_and_clients_drop_out(sdb):
    months = scalar(sdb, "SELECT count(DISTINCT date_trunc('month', open_date)) FROM clients")
    assert months >= 20
    later = scalar(sdb, """SELECT avg((open_date > (SELECT min(open_date) + 90 FROM clients))::INT)
                           FROM clients""")
    assert 0.25 < later < 0.7
    dropped = scalar(sdb, "SELECT avg(coalesce(dropout_date <= DATE '2026-10-30', false)::INT) FROM truth")
    assert 0.05 < dropped < 0.4


def test_some_drain_their_assets_by_transfer_before_leaving_and_others_leave_assets_behind(sdb):
    rows = sdb.execute(f"""
        WITH gone AS (SELECT client_id, dropout_date FROM truth WHERE dropout_date <= {LAST}),
        peak AS (SELECT client_id, max(total_assets) AS peak FROM daily_assets JOIN gone USING (client_id)
                 WHERE date < dropout_date GROUP BY 1),
        outflow AS (SELECT client_id, sum(amount) AS out FROM transfers JOIN gone USING (client_id)
                    WHERE direction = 'out' AND transfer_time < dropout_date GROUP BY 1),
        left_behind AS (SELECT client_id, total_assets FROM daily_assets WHERE date = {LAST})
        SELECT avg((coalesce(o.out, 0) >= 0.5 * p.peak)::INT), avg((l.total_assets > 1000)::INT)
        FROM peak p LEFT JOIN outflow o USING (client_id) LEFT JOIN left_behind l USING (client_id)""").fetchone()
    drained, dormant_with_assets = rows
    assert 0.2 < drained < 0.8
    assert dormant_with_assets > 0.2


def test_big_losses_come_before_more_dropouts(sdb):
    loss, other = sdb.execute("""
        WITH mid AS (SELECT DISTINCT date FROM daily_assets ORDER BY date LIMIT 1 OFFSET 240),
        net AS (SELECT client_id, sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END) AS netin
                FROM transfers WHERE transfer_time::DATE <= (SELECT date FROM mid) GROUP BY 1),
        state AS (SELECT a.client_id, (a.total_assets - n.netin) / n.netin AS ret FROM daily_assets a
                  JOIN net n USING (client_id) JOIN truth t USING (client_id)
                  WHERE a.date = (SELECT date FROM mid) AND n.netin > 0
                    AND (t.dropout_date IS NULL OR t.dropout_date > a.date))
        SELECT avg((t.dropout_date IS NOT NULL)::INT) FILTER (WHERE ret < -0.2),
               avg((t.dropout_date IS NOT NULL)::INT) FILTER (WHERE ret >= -0.2)
        FROM state JOIN truth t USING (client_id)""").fetchone()
    assert loss > 1.3 * other


def test_client_master_has_the_shape_of_a_branch(sdb):
    inst, inst_assets, ind_assets = sdb.execute("""
        SELECT avg((client_type = 'institution')::INT),
               median(a.total_assets) FILTER (WHERE client_type = 'institution'),
               median(a.total_assets) FILTER (WHERE client_type = 'individual')
        FROM clients c JOIN daily_assets a ON a.client_id = c.client_id AND a.date = (SELECT min(date) + 0
        FROM daily_assets WHERE client_id = c.client_id)""").fetchone()
    assert 0 < inst < 0.02 and inst_assets > 10 * ind_assets
    levels = {r for (r,) in sdb.execute("SELECT DISTINCT risk_level FROM clients").fetchall()}
    assert levels == {"C1", "C2", "C3", "C4", "C5", None}
    assert scalar(sdb, "SELECT count(DISTINCT region) FROM clients") >= 8
    books = [n for (n,) in sdb.execute("""SELECT count(c.client_id) FROM advisors a
             LEFT JOIN clients c USING (advisor_id) WHERE a.active GROUP BY a.advisor_id""").fetchall()]
    assert max(books) > 2 * min(books)
    assert 0.05 < scalar(sdb, "SELECT avg((advisor_id IS NULL)::INT) FROM clients") < 0.2


def test_truth_is_calibrated_and_reports_a_ceiling_below_one(sdb, sim):
    _, summary = sim
    rate, mean_p = sdb.execute("""SELECT avg(churns_in_next_90d::INT), avg(churn_probability_90d) FROM truth
                                  WHERE alive_at_end""").fetchone()
    assert 0.02 < rate < 0.15
    assert abs(rate - mean_p) < 0.02
    assert abs(summary.churn_rate_90d - rate) < 1e-12
    assert 0.8 < summary.ceiling_auc < 0.99
    # random given the latent state: even near-certain leavers sometimes stay, unlikely ones sometimes go
    lo, hi = sdb.execute("""SELECT avg(churns_in_next_90d::INT) FILTER (WHERE churn_probability_90d < 0.05),
                            avg(churns_in_next_90d::INT) FILTER (WHERE churn_probability_90d > 0.5)
                            FROM truth WHERE alive_at_end""").fetchone()
    assert 0 < lo < 0.05 and 0.4 < hi < 1


def test_response_truth_has_channel_differences_and_some_negative_uplift(sdb):
    phone, sms, email, visit, event, uplift, neg = sdb.execute("""
        SELECT avg(response_phone), avg(response_sms), avg(response_email), avg(response_visit),
               avg(response_event), avg(true_uplift), avg((true_uplift < 0)::INT) FROM truth""").fetchone()
    assert visit > phone > sms > email > 0 and event > sms
    assert uplift > 0 and 0 < neg < 0.2
    assert scalar(sdb, """SELECT count(*) FROM truth WHERE NOT (base_response BETWEEN 0 AND 1
                          AND response_phone BETWEEN 0 AND 1 AND response_event BETWEEN 0 AND 1)""") == 0


def test_an_observable_churn_model_gets_close_to_the_ceiling(sdb, sim):
    """Recency, frequency, outflows and drawdowns separate churners: the latent hazard shows in behaviour."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import cross_val_predict

    from panhuo.simulate.truth import roc_auc

    rows = sdb.execute(f"""
        WITH e AS (SELECT {LAST} AS d),
        tr AS (SELECT client_id, (SELECT d FROM e) - max(trade_date) AS recency,
                      count(*) FILTER (WHERE trade_date > (SELECT d FROM e) - 90) AS n90,
                      count(*) FILTER (WHERE trade_date <= (SELECT d FROM e) - 90
                                       AND trade_date > (SELECT d FROM e) - 270) AS n_before,
                      (SELECT d FROM e) - max(trade_date) FILTER (WHERE side = 'B') AS since_buy
               FROM trades GROUP BY 1),
        tf AS (SELECT client_id, count(*) FILTER (WHERE direction = 'out'
                      AND transfer_time > (SELECT d FROM e) - 90) AS outs90,
                      sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END) AS netin FROM transfers GROUP BY 1),
        a AS (SELECT client_id, total_assets, cash FROM daily_assets WHERE date = (SELECT d FROM e))
        SELECT t.churns_in_next_90d, coalesce(recency, 999), coalesce(n90, 0), coalesce(n_before, 0),
               coalesce(since_buy, 999), coalesce(outs90, 0), a.total_assets, a.cash / (a.total_assets + 1),
               (a.total_assets - tf.netin) / (abs(tf.netin) + 1)
        FROM truth t JOIN a USING (client_id) LEFT JOIN tr USING (client_id) LEFT JOIN tf USING (client_id)
        WHERE t.alive_at_end ORDER BY t.client_id""").fetchall()
    data = np.array(rows, dtype=float)
    y, x = data[:, 0].astype(bool), data[:, 1:]
    model = HistGradientBoostingClassifier(max_iter=60, learning_rate=0.1, max_leaf_nodes=8, random_state=0)
    pred = cross_val_predict(model, x, y, cv=3, method="predict_proba")[:, 1]
    auc = roc_auc(pred, y)
    _, summary = sim
    print(f"observable AUC {auc:.3f}, ceiling {summary.ceiling_auc:.3f}")
    assert auc >= 0.75
    assert auc < summary.ceiling_auc
