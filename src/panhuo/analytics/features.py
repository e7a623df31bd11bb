"""Per-client features as of a date, as engine-neutral SQL (DuckDB dialect; SQLGlot transpiles it for Spark).

Built in named steps (CTEs). Trading activity comes from the client_days aggregate (one row per client and
trading day) and symbol counts from client_symbols, never from a distinct count over every trade: a symbol
was traded in (D-N, D] exactly when its last trade date falls in the window. That interval rule is exact
only when D is at or after the aggregate's last date; for an earlier D (the churn model's training dates)
`symbols_from_trades=True` counts from the trades themselves.

Every date is a parameter; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from panhuo.warehouse.money import money_avg, money_sum

CSI300 = "000300.SH"
SIX_MONTHS = 182

# Feature columns of the result, in order (client_id first). Documented in docs/analytics.md.
FEATURES = [
    "client_id", "branch_id", "advisor_id", "open_date", "first_trade_date", "last_trade_date",
    "days_since_last_trade", "trading_days_total",
    "trading_days_30d", "trading_days_90d", "trading_days_180d", "trading_days_365d",
    "trades_30d", "trades_90d", "trades_365d",
    "amount_30d", "amount_90d", "amount_6m", "amount_365d",
    "commission_30d", "commission_90d", "commission_365d",
    "turnover_6m", "turnover_365d",
    "assets_now", "cash_now", "market_value_now", "assets_30d_ago", "assets_90d_ago", "assets_180d_ago",
    "market_value_90d_ago", "peak_assets_365d", "net_transfer_30d", "net_transfer_90d", "transfer_out_90d",
    "transfers_out_90d", "moved_out_share_90d", "net_deposits_total", "lifetime_pnl_pct",
    "return_ytd", "return_90d", "csi300_return_ytd", "csi300_return_90d", "excess_return_ytd",
    "excess_return_90d", "drawdown_from_peak", "unrealised_pnl_pct", "position_level",
    "instruments_held", "symbols_traded_90d", "symbols_traded_365d", "days_since_last_contact",
    "contacts_90d", "reached_90d", "questionnaire_score", "bg_frequency", "bg_recency", "bg_age",
    "days_since_last_buy", "buy_amount_90d", "days_since_last_deposit", "transfers_in_90d",
]


@dataclass(frozen=True)
class Windows:
    """The window boundaries for one as-of date: a window of N days is (D - N, D]."""

    as_of: date
    sample: str | None = None    # a condition on client_id: only those clients' rows are read (see `only`)

    @property
    def only(self) -> str:
        return self.only_for("client_id")

    def only_for(self, column: str) -> str:
        """' AND column IN (the sample)' when the features are wanted for a sample of clients, else ''."""
        return f" AND {column} IN (SELECT client_id FROM sampled)" if self.sample else ""

    def ago(self, days: int) -> str:
        return lit(self.as_of - timedelta(days=days))

    @property
    def d(self) -> str:
        return lit(self.as_of)

    @property
    def ytd_start(self) -> str:
        return lit(date(self.as_of.year - 1, 12, 31))


def lit(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def _cd(w: Windows, life: bool) -> list[tuple[str, str]]:
    # The lifetime figures (first and last trade, last buy, trading days) joined to the windows (sums of a CASE,
    # NULL outside the window) over the last 365 days only, where every window lies: most of a client's days
    # are older than a year, so the wide aggregate (fifteen sums, eight of them exact DECIMAL money) updates a
    # fraction of the rows. FILTER clauses are slower than CASE here. `life`: the lifetime figures are the
    # import's client_life rows (exact when no day after D is stored: pipeline.life_in_step), not a GROUP BY
    # over every day a client ever had (at 1M clients 38M rows, a third of the step's time).
    def within(col: str, n: int) -> str:      # every row of cd_win is within 365 days
        return col if n == 365 else f"CASE WHEN trade_date > {w.ago(n)} THEN {col} END"

    def win(col: str, n: int) -> str:
        return f"CAST(sum({within(col, n)}) AS BIGINT)"

    def money(col: str, n: int) -> str:
        return money_sum(col, None if n == 365 else f"trade_date > {w.ago(n)}")

    parts = [f"{win('1', n)} AS trading_days_{n}d" for n in (30, 90, 180, 365)]
    for n in (30, 90, 365):
        parts.append(f"{win('trades', n)} AS trades_{n}d")
        parts.append(f"{money('commission', n)} AS commission_{n}d")
    for n, name in ((30, "30d"), (90, "90d"), (SIX_MONTHS, "6m"), (365, "365d")):
        parts.append(f"{money('amount', n)} AS amount_{name}")
    parts.append(f"{money('buy_amount', 90)} AS buy_amount_90d")
    figures = ("min(trade_date) AS first_trade_date", "max(trade_date) AS last_trade_date",
               "max(CASE WHEN buy_amount > 0 THEN trade_date END) AS last_buy_date",
               "CAST(count(*) AS BIGINT) AS trading_days_total")
    cols = [p.rsplit(" AS ", 1)[1] for p in parts]
    lifetime = (f"SELECT client_id, first_trade_date, last_trade_date, last_buy_date, trading_days AS "
                f"trading_days_total FROM client_life WHERE true{w.only}" if life else
                f"SELECT client_id, {', '.join(figures)} FROM client_days WHERE trade_date <= {w.d}{w.only} "
                "GROUP BY client_id")
    return [
        ("cd_life", lifetime),
        ("cd_win", f"SELECT client_id, {', '.join(parts)} FROM client_days "
                   f"WHERE trade_date <= {w.d} AND trade_date > {w.ago(365)}{w.only} GROUP BY client_id"),
        # a client with no day in the year has no cd_win row: its window figures are NULL, as a CASE sum over
        # no row in the window gave before (the final step makes them 0)
        ("cd", f"SELECT a.client_id, {', '.join(x.rsplit(' AS ', 1)[1] for x in figures)}, "
               f"{', '.join('b.' + c for c in cols)} FROM cd_life a LEFT JOIN cd_win b ON b.client_id = a.client_id"),
    ]


def _symbols(w: Windows, from_trades: bool) -> str:
    if from_trades:
        return (f"SELECT client_id, "
                f"CAST(count(DISTINCT symbol) FILTER (WHERE trade_date > {w.ago(90)}) AS BIGINT) AS symbols_traded_90d, "
                f"CAST(count(DISTINCT symbol) AS BIGINT) AS symbols_traded_365d "
                f"FROM trades WHERE trade_date <= {w.d} AND trade_date > {w.ago(365)}{w.only} GROUP BY client_id")
    # Only the pairs traded in the year: a client with none has no row here, and 0 in the features.
    return (f"SELECT client_id, "
            f"CAST(count(*) FILTER (WHERE last_trade_date > {w.ago(90)}) AS BIGINT) AS symbols_traded_90d, "
            f"CAST(count(*) AS BIGINT) AS symbols_traded_365d FROM client_symbols "
            f"WHERE first_trade_date <= {w.d} AND last_trade_date > {w.ago(365)}{w.only} GROUP BY client_id")


def _assets(w: Windows) -> str:
    # Daily assets may be sparse (e.g. month ends): "N days ago" is the latest row on or before D - N, an
    # arg_max by a date that is NULL after D - N (NULL orderings are skipped). CASE rather than FILTER: one
    # read of daily_assets either way, ~17% less time at 1M clients on DuckDB 2.0.1, identical results.
    lookback = lit(min(w.as_of - timedelta(days=400), date(w.as_of.year - 1, 12, 1)))

    def upto(d: str) -> str:
        return f"CASE WHEN date <= {d} THEN date END"

    def since(n: int) -> str:
        return f"CASE WHEN date > {w.ago(n)} THEN total_assets END"

    def after(n: int) -> str:
        return f"date > {w.ago(n)}"

    return f"""SELECT client_id,
      arg_max(total_assets, date) AS assets_now, arg_max(cash, date) AS cash_now,
      arg_max(market_value, date) AS market_value_now,
      arg_max(total_assets, {upto(w.ago(30))}) AS assets_30d_ago,
      arg_max(total_assets, {upto(w.ago(90))}) AS assets_90d_ago,
      arg_max(market_value, {upto(w.ago(90))}) AS market_value_90d_ago,
      arg_max(total_assets, {upto(w.ago(180))}) AS assets_180d_ago,
      arg_max(total_assets, {upto(w.ytd_start)}) AS assets_ytd_start,
      max({since(365)}) AS peak_assets_365d,
      {money_avg("total_assets", after(SIX_MONTHS))} AS avg_assets_6m,
      {money_avg("total_assets", after(365))} AS avg_assets_365d,
      coalesce({money_sum("net_transfer", f"date > {w.ytd_start}")}, 0) AS flow_ytd,
      coalesce({money_sum("net_transfer", after(90))}, 0) AS flow_90d
    FROM daily_assets WHERE date <= {w.d} AND date > {lookback}{w.only} GROUP BY client_id"""


def _transfers(w: Windows) -> str:
    day = "CAST(transfer_time AS DATE)"
    signed = "CASE WHEN direction = 'in' THEN amount ELSE -amount END"
    # All history: the lifetime net deposit is what the client's P&L is measured against.
    return f"""SELECT client_id,
      {money_sum(signed, f"{day} > {w.ago(30)}")} AS net_transfer_30d,
      {money_sum(signed, f"{day} > {w.ago(90)}")} AS net_transfer_90d,
      {money_sum("amount", f"direction = 'out' AND {day} > {w.ago(90)}")} AS transfer_out_90d,
      count(*) FILTER (WHERE direction = 'out' AND {day} > {w.ago(90)}) AS transfers_out_90d,
      count(*) FILTER (WHERE direction = 'in' AND {day} > {w.ago(90)}) AS transfers_in_90d,
      max({day}) FILTER (WHERE direction = 'in') AS last_deposit_date,
      {money_sum(signed)} AS net_deposits_total
    FROM transfers WHERE {day} <= {w.d}{w.only} GROUP BY client_id"""


def _positions(w: Windows) -> str:
    # Positions are snapshots: use the latest snapshot date on or before D for everybody, so a client who
    # sold out does not keep an old snapshot's holdings.
    return f"""SELECT client_id, CAST(count(*) FILTER (WHERE quantity > 0) AS BIGINT) AS instruments_held,
      {money_sum("market_value")} AS pos_value, {money_sum("quantity * cost_price")} AS pos_cost
    FROM positions WHERE as_of_date = (SELECT max(as_of_date) FROM positions WHERE as_of_date <= {w.d}){w.only}
    GROUP BY client_id"""


def _contacts(w: Windows) -> str:
    # The advisors' own contacts (a campaign's automatic send is not one: by_staff is false), on or before D:
    # one GROUP BY over the contacts the daily run copies from the operational store. A contact's date is
    # the branch's date (contact_time is local time). "Reached": any outcome but not_reached.
    day = "CAST(contact_time AS DATE)"
    return f"""SELECT client_id, max({day}) AS last_contact,
      count(*) FILTER (WHERE {day} > {w.ago(90)}) AS contacts_90d,
      count(*) FILTER (WHERE {day} > {w.ago(90)} AND outcome <> 'not_reached') AS reached_90d
    FROM contacts WHERE by_staff AND {day} <= {w.d}{w.only} GROUP BY client_id"""


def _index(w: Windows) -> str:
    return f"""SELECT arg_max(close, trade_date) AS idx_now,
      arg_max(close, trade_date) FILTER (WHERE trade_date <= {w.ytd_start}) AS idx_ytd,
      arg_max(close, trade_date) FILTER (WHERE trade_date <= {w.ago(90)}) AS idx_90d
    FROM bars WHERE symbol = '{CSI300}' AND trade_date <= {w.d}"""


def _ret(end: str, start: str, flow: str) -> str:
    # Modified Dietz with the flow at mid-period: the return of the money, not of the deposits.
    den = f"({start} + 0.5 * {flow})"
    return f"CASE WHEN {den} > 0 THEN ({end} - {start} - {flow}) / {den} END"


def trade_ctes(as_of: date, *, symbols_from_trades: bool = False, sample: str | None = None,
               life: bool = False) -> list[tuple[str, str]]:
    """The trade-derived steps: `cd` (windows and lifetime figures per client, from `cd_life` and `cd_win`) and
    `cs` (symbols traded)."""
    w = Windows(as_of, sample)
    return _cd(w, life) + [("cs", _symbols(w, symbols_from_trades))]


def feature_ctes(as_of: date, *, symbols_from_trades: bool = False, has_contacts: bool = False,
                 has_questionnaires: bool = False, sample: str | None = None, life: bool = False
                 ) -> list[tuple[str, str]]:
    """The named steps; the last one, `features`, has one row per client with the FEATURES columns.

    `sample`, a condition on the clients table (e.g. a hash of client_id below a threshold), restricts every
    step to those clients before it aggregates: the churn model's training dates need a sample of clients,
    and each step's GROUP BY is the cost, not the read."""
    w = Windows(as_of, sample)
    ctes = ([("sampled", f"SELECT client_id FROM clients WHERE {sample}")] if sample else []) + \
        trade_ctes(as_of, symbols_from_trades=symbols_from_trades, sample=sample, life=life) + [
        ("da", _assets(w)), ("tr", _transfers(w)), ("pos", _positions(w)), ("idx", _index(w))]
    contact = contacts_90d = reached_90d = "CAST(NULL AS BIGINT)"     # unknown without a contacts table
    score = "CAST(NULL AS BIGINT)"
    joins = ""
    if has_contacts:
        ctes.append(("ct", _contacts(w)))
        contact = f"CAST(date_diff('day', ct.last_contact, {w.d}) AS BIGINT)"
        contacts_90d, reached_90d = "CAST(coalesce(ct.contacts_90d, 0) AS BIGINT)", \
            "CAST(coalesce(ct.reached_90d, 0) AS BIGINT)"
        joins += " LEFT JOIN ct ON ct.client_id = c.client_id"
    if has_questionnaires:
        ctes.append(("qn", f"SELECT client_id, arg_max(score, answered_on) AS score FROM questionnaires "
                           f"WHERE answered_on <= {w.d}{w.only} GROUP BY client_id"))
        score = "CAST(qn.score AS BIGINT)"
        joins += " LEFT JOIN qn ON qn.client_id = c.client_id"
    z = "coalesce"
    moved_out = f"greatest(0, -{z}(tr.net_transfer_90d, 0))"
    ret_ytd, ret_90 = _ret("da.assets_now", "da.assets_ytd_start", "da.flow_ytd"), \
        _ret("da.assets_now", "da.assets_90d_ago", "da.flow_90d")
    idx_ytd, idx_90 = "(idx.idx_now / idx.idx_ytd - 1)", "(idx.idx_now / idx.idx_90d - 1)"
    final = f"""SELECT c.client_id, c.branch_id, c.advisor_id, c.open_date, l.first_trade_date, l.last_trade_date,
      CAST(date_diff('day', l.last_trade_date, {w.d}) AS BIGINT) AS days_since_last_trade,
      {z}(l.trading_days_total, 0) AS trading_days_total,
      {z}(l.trading_days_30d, 0) AS trading_days_30d, {z}(l.trading_days_90d, 0) AS trading_days_90d,
      {z}(l.trading_days_180d, 0) AS trading_days_180d, {z}(l.trading_days_365d, 0) AS trading_days_365d,
      {z}(l.trades_30d, 0) AS trades_30d, {z}(l.trades_90d, 0) AS trades_90d, {z}(l.trades_365d, 0) AS trades_365d,
      {z}(l.amount_30d, 0.0) AS amount_30d, {z}(l.amount_90d, 0.0) AS amount_90d,
      {z}(l.amount_6m, 0.0) AS amount_6m, {z}(l.amount_365d, 0.0) AS amount_365d,
      {z}(l.commission_30d, 0.0) AS commission_30d, {z}(l.commission_90d, 0.0) AS commission_90d,
      {z}(l.commission_365d, 0.0) AS commission_365d,
      CASE WHEN da.avg_assets_6m > 0 THEN {z}(l.amount_6m, 0.0) / da.avg_assets_6m END AS turnover_6m,
      CASE WHEN da.avg_assets_365d > 0 THEN {z}(l.amount_365d, 0.0) / da.avg_assets_365d END AS turnover_365d,
      da.assets_now, da.cash_now, da.market_value_now, da.assets_30d_ago, da.assets_90d_ago, da.assets_180d_ago,
      da.peak_assets_365d,
      CAST({z}(tr.net_transfer_30d, 0) AS DOUBLE) AS net_transfer_30d,
      CAST({z}(tr.net_transfer_90d, 0) AS DOUBLE) AS net_transfer_90d,
      CAST({z}(tr.transfer_out_90d, 0) AS DOUBLE) AS transfer_out_90d,
      CAST({z}(tr.transfers_out_90d, 0) AS BIGINT) AS transfers_out_90d,
      CAST({z}(tr.net_deposits_total, 0) AS DOUBLE) AS net_deposits_total,
      CASE WHEN tr.net_deposits_total > 0 THEN da.assets_now / tr.net_deposits_total - 1 END AS lifetime_pnl_pct,
      da.market_value_90d_ago,
      CASE WHEN greatest({z}(da.assets_90d_ago, 0), {z}(da.assets_now, 0) + {moved_out}) > 0
           THEN {moved_out} / greatest({z}(da.assets_90d_ago, 0), {z}(da.assets_now, 0) + {moved_out})
           ELSE 0.0 END AS moved_out_share_90d,
      {ret_ytd} AS return_ytd, {ret_90} AS return_90d, {idx_ytd} AS csi300_return_ytd, {idx_90} AS csi300_return_90d,
      {ret_ytd} - {idx_ytd} AS excess_return_ytd, {ret_90} - {idx_90} AS excess_return_90d,
      CASE WHEN da.peak_assets_365d > 0 THEN 1 - da.assets_now / da.peak_assets_365d END AS drawdown_from_peak,
      CASE WHEN pos.pos_cost > 0 THEN pos.pos_value / pos.pos_cost - 1 END AS unrealised_pnl_pct,
      CASE WHEN da.assets_now > 0 THEN da.market_value_now / da.assets_now END AS position_level,
      {z}(pos.instruments_held, 0) AS instruments_held,
      {z}(cs.symbols_traded_90d, 0) AS symbols_traded_90d, {z}(cs.symbols_traded_365d, 0) AS symbols_traded_365d,
      {contact} AS days_since_last_contact, {contacts_90d} AS contacts_90d, {reached_90d} AS reached_90d,
      {score} AS questionnaire_score,
      CAST({z}(l.trading_days_total, 1) - 1 AS BIGINT) AS bg_frequency,
      CAST(date_diff('day', l.first_trade_date, l.last_trade_date) AS DOUBLE) / 7 AS bg_recency,
      CAST(date_diff('day', l.first_trade_date, {w.d}) AS DOUBLE) / 7 AS bg_age,
      CAST(date_diff('day', l.last_buy_date, {w.d}) AS BIGINT) AS days_since_last_buy,
      {z}(l.buy_amount_90d, 0.0) AS buy_amount_90d,
      CAST(date_diff('day', tr.last_deposit_date, {w.d}) AS BIGINT) AS days_since_last_deposit,
      CAST({z}(tr.transfers_in_90d, 0) AS BIGINT) AS transfers_in_90d
    FROM clients c
      LEFT JOIN cd l ON l.client_id = c.client_id LEFT JOIN cs ON cs.client_id = c.client_id
      LEFT JOIN da ON da.client_id = c.client_id LEFT JOIN tr ON tr.client_id = c.client_id
      LEFT JOIN pos ON pos.client_id = c.client_id CROSS JOIN idx{joins}
    WHERE (c.open_date IS NULL OR c.open_date <= {w.d}){w.only_for("c.client_id")}"""
    ctes.append(("features", final))
    return ctes


def with_ctes(ctes: list[tuple[str, str]], select: str) -> str:
    return "WITH " + ",\n".join(f"{name} AS ({body})" for name, body in ctes) + "\n" + select


def features_sql(as_of: date, **kw) -> str:
    cols = ", ".join(FEATURES)
    return with_ctes(feature_ctes(as_of, **kw), f"SELECT {cols} FROM features ORDER BY client_id")
