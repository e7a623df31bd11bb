"""Every consistency rule of issue #3, checked over the whole small simulated branch."""

from __future__ import annotations

from tests.simulate.conftest import scalar


def test_every_table_is_written(sim):
    out, summary = sim
    for t in ("clients", "advisors", "trades", "daily_assets", "transfers", "positions", "instruments", "bars",
              "truth"):
        assert (out / f"{t}.parquet").exists()
        assert summary.rows[t] > 0


def test_positions_equal_cumulated_trades(sdb):
    """No opening positions: every month-end holding is the sum of the client's fills up to that day."""
    mismatches = scalar(sdb, """
        WITH snap AS (SELECT DISTINCT as_of_date FROM positions),
        cum AS (
            SELECT s.as_of_date, t.client_id, t.symbol,
                   sum(CASE WHEN t.side = 'B' THEN t.quantity ELSE -t.quantity END) AS qty
            FROM snap s JOIN trades t ON t.trade_date <= s.as_of_date
            GROUP BY ALL HAVING qty <> 0)
        SELECT count(*) FROM cum FULL OUTER JOIN positions p USING (as_of_date, client_id, symbol)
        WHERE cum.qty IS DISTINCT FROM p.quantity""")
    assert mismatches == 0
    assert scalar(sdb, "SELECT count(*) FROM positions") > 1000


def test_cash_is_transfers_minus_buys_plus_sells_minus_fees(sdb):
    worst = scalar(sdb, """
        WITH d AS (SELECT DISTINCT date FROM daily_assets WHERE date IN
                     ((SELECT max(date) FROM daily_assets), (SELECT min(date) + 200 FROM daily_assets))),
        flows AS (
            SELECT client_id, transfer_time::DATE AS day,
                   CASE WHEN direction = 'in' THEN amount ELSE -amount END AS cash_change FROM transfers
            UNION ALL
            SELECT client_id, trade_date, CASE WHEN side = 'B' THEN -amount ELSE amount END
                   - commission - stamp_duty - transfer_fee FROM trades),
        expected AS (
            SELECT a.client_id, a.date, a.cash, coalesce(sum(f.cash_change), 0) AS want
            FROM daily_assets a JOIN d USING (date)
            LEFT JOIN flows f ON f.client_id = a.client_id AND f.day <= a.date GROUP BY ALL)
        SELECT max(abs(cash - want)) FROM expected""")
    assert worst < 0.015


def test_total_assets_is_cash_plus_market_value_and_market_value_is_the_positions(sdb):
    assert scalar(sdb, "SELECT max(abs(total_assets - cash - market_value)) FROM daily_assets") < 0.015
    worst = scalar(sdb, """
        WITH pv AS (SELECT as_of_date, client_id, sum(market_value) mv FROM positions GROUP BY ALL)
        SELECT max(abs(a.market_value - coalesce(pv.mv, 0))) FROM daily_assets a
        LEFT JOIN pv ON pv.client_id = a.client_id AND pv.as_of_date = a.date
        WHERE a.date IN (SELECT DISTINCT as_of_date FROM positions)""")
    assert worst < 0.05
    assert scalar(sdb, """SELECT max(abs(p.market_value - p.quantity * b.close)) FROM positions p
                          JOIN bars b ON b.symbol = p.symbol AND b.trade_date = p.as_of_date""") < 0.006


def test_no_negative_cash_or_holdings(sdb):
    assert scalar(sdb, "SELECT min(cash) FROM daily_assets") >= 0
    assert scalar(sdb, "SELECT min(total_assets) FROM daily_assets") >= 0
    assert scalar(sdb, "SELECT min(quantity) FROM positions") > 0
    negative = scalar(sdb, """
        SELECT count(*) FROM (
            SELECT sum(CASE WHEN side = 'B' THEN quantity ELSE -quantity END)
                   OVER (PARTITION BY client_id, symbol ORDER BY trade_date, side
                         ROWS UNBOUNDED PRECEDING) AS running
            FROM trades) WHERE running < 0""")
    assert negative == 0


def test_t_plus_1_sells_only_shares_held_before_the_day(sdb):
    violations = scalar(sdb, """
        WITH daily AS (
            SELECT client_id, symbol, trade_date,
                   sum(CASE WHEN side = 'B' THEN quantity ELSE 0 END) AS bought,
                   sum(CASE WHEN side = 'S' THEN quantity ELSE 0 END) AS sold
            FROM trades GROUP BY ALL),
        held AS (
            SELECT *, coalesce(sum(bought - sold) OVER (PARTITION BY client_id, symbol ORDER BY trade_date
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_day
            FROM daily)
        SELECT count(*) FROM held WHERE sold > before_day""")
    assert violations == 0
    assert scalar(sdb, "SELECT count(*) FROM trades WHERE side = 'S'") > 1000


def test_buys_are_whole_lots(sdb):
    assert scalar(sdb, "SELECT count(*) FROM trades WHERE side = 'B' AND quantity % 100 <> 0") == 0
    assert scalar(sdb, "SELECT min(quantity) FROM trades WHERE side = 'B'") >= 100


def test_fees_follow_the_rules(sdb):
    """Commission 0.02-0.03% with a 5 yuan minimum, stamp duty on sells by date, transfer fee 0.001%."""
    assert scalar(sdb, "SELECT min(commission) FROM trades") >= 5.0
    assert scalar(sdb, """SELECT count(*) FROM trades WHERE commission > greatest(5, amount * 0.0003) + 0.006
                          OR commission < least(greatest(5, amount * 0.0002), amount) - 0.006""") == 0
    assert scalar(sdb, "SELECT max(stamp_duty) FROM trades WHERE side = 'B'") == 0
    assert scalar(sdb, """SELECT max(abs(stamp_duty - round(amount * CASE WHEN trade_date < DATE '2023-08-28'
                          THEN 0.001 ELSE 0.0005 END, 2))) FROM trades WHERE side = 'S'""") <= 0.0101  # float halves
    assert scalar(sdb, "SELECT max(abs(transfer_fee - round(amount * 0.00001, 2))) FROM trades") <= 0.0101
    assert scalar(sdb, "SELECT max(abs(amount - round(quantity * price, 2))) FROM trades") <= 0.0051


def test_no_trade_on_a_suspended_day_or_outside_the_day_range(sdb):
    bad = scalar(sdb, """
        SELECT count(*) FROM trades t LEFT JOIN bars b ON b.symbol = t.symbol AND b.trade_date = t.trade_date
        WHERE b.symbol IS NULL OR b.volume = 0 OR t.price < b.low - 1e-9 OR t.price > b.high + 1e-9""")
    assert bad == 0


def test_nobody_trades_after_dropping_out_or_before_opening(sdb):
    assert scalar(sdb, """SELECT count(*) FROM trades t JOIN truth USING (client_id)
                          WHERE truth.dropout_date IS NOT NULL AND t.trade_date >= truth.dropout_date""") == 0
    assert scalar(sdb, """SELECT count(*) FROM trades t JOIN clients c USING (client_id)
                          WHERE t.trade_date < c.open_date""") == 0
    assert scalar(sdb, """SELECT count(*) FROM transfers t JOIN clients c USING (client_id)
                          WHERE t.transfer_time::DATE < c.open_date""") == 0


def test_net_transfer_column_matches_the_transfers(sdb):
    worst = scalar(sdb, """
        WITH t AS (SELECT client_id, transfer_time::DATE AS date,
                          sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END) AS net
                   FROM transfers GROUP BY ALL)
        SELECT max(abs(a.net_transfer - coalesce(t.net, 0))) FROM daily_assets a LEFT JOIN t USING (client_id, date)""")
    assert worst < 0.006


def test_keys_are_unique_and_nothing_is_written_after_the_end(sdb, sim):
    _, summary = sim
    for table, key in (("trades", "trade_id"), ("transfers", "transfer_id"), ("clients", "client_id"),
                       ("truth", "client_id"), ("daily_assets", "client_id, date"),
                       ("positions", "as_of_date, client_id, symbol"), ("bars", "symbol, trade_date")):
        assert scalar(sdb, f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}") == 0, table
    for table, col in (("trades", "trade_date"), ("daily_assets", "date"), ("bars", "trade_date"),
                       ("transfers", "transfer_time::DATE"), ("positions", "as_of_date")):
        assert scalar(sdb, f"SELECT max({col}) FROM {table}") <= summary.end, table
