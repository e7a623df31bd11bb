"""Writing a validated batch into the analytical store in one DuckDB transaction.

Facts with a business date (trades, daily assets, transfers, positions) replace the rows of the dates they
carry, so a corrected file for a day supersedes the first; master tables (clients, advisors, instruments,
bars) are upserted by key. The aggregates client_days and client_symbols are updated from the changed dates
only, the ledger of loaded file hashes is written, and the loaded rows are reconciled against the source to
the cent before COMMIT.
"""

from __future__ import annotations

import os
import signal
from decimal import Decimal

import duckdb

from panhuo.ingest.normalise import without_commas
from panhuo.warehouse.schema import TABLES, all_tables

LEDGER_DDL = ("CREATE TABLE IF NOT EXISTS import_files (sha256 VARCHAR PRIMARY KEY, batch_key VARCHAR NOT NULL, "
              "file_name VARCHAR, table_name VARCHAR, rows_loaded BIGINT, business_date DATE, "
              "loaded_at TIMESTAMP DEFAULT now())")
DATE_COLUMN = {"trades": "trade_date", "daily_assets": "date", "positions": "as_of_date",
               "transfers": "transfer_time::DATE"}
MONEY = {"trades": ("amount", "commission", "stamp_duty", "transfer_fee"),
         "daily_assets": ("cash", "market_value", "total_assets", "net_transfer"),
         "transfers": ("amount",), "positions": ("market_value",), "bars": ("amount",)}
LOAD_ORDER = ("advisors", "clients", "instruments", "bars", "positions", "trades", "transfers", "daily_assets")
CENT = Decimal("0.01")


class ReconciliationError(Exception):
    def __init__(self, mismatches: list[str]):
        super().__init__("; ".join(mismatches))
        self.mismatches = mismatches


def kill_point(name: str) -> None:
    """Fault injection for the crash tests: PANHUO_IMPORT_KILL_AT=<name> SIGKILLs this process here."""
    if os.environ.get("PANHUO_IMPORT_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def ensure_schema(con: duckdb.DuckDBPyConnection, db: str) -> None:
    con.execute(f"USE {db}")
    try:
        for table in all_tables().values():
            con.execute(table.ddl())
        con.execute(LEDGER_DDL)
        con.execute("ALTER TABLE import_files ADD COLUMN IF NOT EXISTS business_date DATE")   # ledgers before it
    finally:
        con.execute("USE memory")


def source_totals(con, staged: str, table: str) -> dict[str, Decimal | int]:
    """Control totals re-parsed from the source text (r_ columns), independent of the parse used to load."""
    sums = [f"sum(TRY_CAST({without_commas(f'r_{c}')} AS DECIMAL(38,4)))" for c in MONEY.get(table, ())]
    row = con.execute(f"SELECT count(*){''.join(', ' + s for s in sums)} FROM {staged}").fetchone()
    out: dict[str, Decimal | int] = {"rows": row[0]}
    for c, v in zip(MONEY.get(table, ()), row[1:], strict=True):
        out[c] = (v or Decimal(0)).quantize(CENT)
    return out


def _loaded_totals(con, staged: str, table: str) -> dict[str, Decimal | int]:
    tbl = TABLES[table]
    if table in DATE_COLUMN:
        where = f"{DATE_COLUMN[table]} IN (SELECT DISTINCT {DATE_COLUMN[table]} FROM {staged})"
    else:
        key = ", ".join(tbl.primary_key)
        where = f"({key}) IN (SELECT ({key}) FROM {staged})"
    sums = [f"sum({c}::DECIMAL(38,4))" for c in MONEY.get(table, ())]
    row = con.execute(f"SELECT count(*){''.join(', ' + s for s in sums)} FROM wh.{table} WHERE {where}").fetchone()
    out: dict[str, Decimal | int] = {"rows": row[0]}
    for c, v in zip(MONEY.get(table, ()), row[1:], strict=True):
        out[c] = (v or Decimal(0)).quantize(CENT)
    return out


def _replace_dated(con, staged: str, table: str, cols: str) -> list[dict]:
    """Delete the store's rows for the staged dates, log what they were, insert the staged rows."""
    d = DATE_COLUMN[table]
    money = MONEY.get(table, ())[:1]
    amount = f", sum({money[0]})::DECIMAL(38,2)" if money else ", NULL"
    con.execute(f"CREATE TEMP TABLE {staged}_dates AS SELECT DISTINCT {d} AS d FROM {staged}")
    before = con.execute(f"SELECT {d} AS d, count(*){amount} FROM wh.{table} WHERE {d} IN (SELECT d FROM "
                         f"{staged}_dates) GROUP BY 1").fetchall()
    replaced = []
    if before:
        after = {r[0]: r[1:] for r in con.execute(
            f"SELECT {d}, count(*){amount} FROM {staged} WHERE {d} IN ({', '.join('?' * len(before))}) GROUP BY 1",
            [b[0] for b in before]).fetchall()} if len(before) < 1000 else {}
        for day, n, amt in sorted(before)[:1000]:
            new_n, new_amt = after.get(day, (None, None))
            replaced.append({"table": table, "date": str(day), "rows_before": n, "rows_after": new_n,
                             "amount_before": str(amt) if amt is not None else None,
                             "amount_after": str(new_amt) if new_amt is not None else None})
        if table == "trades":
            con.execute(f"CREATE TEMP TABLE {staged}_oldpairs AS SELECT DISTINCT client_id, symbol FROM wh.trades "
                        f"WHERE trade_date IN (SELECT d FROM {staged}_dates)")
        con.execute(f"DELETE FROM wh.{table} WHERE {d} IN (SELECT d FROM {staged}_dates)")
    con.execute(f"INSERT INTO wh.{table} ({cols}) SELECT {cols} FROM {staged}")
    return replaced


def _upsert(con, staged: str, table: str, absent: set[str]) -> dict:
    tbl = TABLES[table]
    key = tbl.primary_key
    cols = tbl.column_names
    on = " AND ".join(f"w.{k} = s.{k}" for k in key)
    changed = con.execute(
        f"SELECT count(*) FILTER (WHERE w.{key[0]} IS NULL), count(*) FILTER (WHERE w.{key[0]} IS NOT NULL AND "
        f"row({', '.join('s.' + c for c in cols if c not in absent)}) IS DISTINCT FROM "
        f"row({', '.join('w.' + c for c in cols if c not in absent)})) "
        f"FROM {staged} s LEFT JOIN wh.{table} w ON {on}").fetchone()
    # Columns no file of the batch carried keep their stored values instead of being blanked.
    select = ", ".join(f"w.{c}" if c in absent else f"s.{c}" for c in cols)
    con.execute(f"INSERT OR REPLACE INTO wh.{table} ({', '.join(cols)}) SELECT {select} "
                f"FROM {staged} s LEFT JOIN wh.{table} w ON {on}")
    return {"table": table, "new": changed[0], "changed": changed[1]}


def _update_aggregates(con, staged: str) -> None:
    """client_days for the changed dates; client_symbols merged, or recomputed for pairs that lost trades."""
    con.execute(f"DELETE FROM wh.client_days WHERE trade_date IN (SELECT d FROM {staged}_dates)")
    # Same expressions as analytics.aggregates.refresh_aggregates (CASE sums cost less than FILTER here).
    con.execute(f"""INSERT INTO wh.client_days SELECT client_id, trade_date, count(*), sum(amount), sum(coalesce(commission, 0)),
        sum(CASE WHEN side = 'B' THEN amount ELSE 0 END), sum(CASE WHEN side = 'S' THEN amount ELSE 0 END)
        FROM {staged} GROUP BY client_id, trade_date""")
    has_old = con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{staged}_oldpairs'").fetchone()[0]
    old = f"{staged}_oldpairs"
    con.execute(f"CREATE TEMP TABLE {staged}_pairs AS SELECT client_id, symbol, min(trade_date) AS f, "
                f"max(trade_date) AS l FROM {staged} GROUP BY ALL")
    if has_old:   # pairs that lost trades to a replaced day are recomputed from the trades below
        con.execute(f"DELETE FROM {staged}_pairs WHERE (client_id, symbol) IN (SELECT (client_id, symbol) FROM {old})")
    # UPDATE the pairs already known, INSERT the new ones: cheaper than INSERT OR REPLACE on a keyed table.
    con.execute(f"""UPDATE wh.client_symbols o SET first_trade_date = least(o.first_trade_date, n.f),
        last_trade_date = greatest(o.last_trade_date, n.l) FROM {staged}_pairs n
        WHERE o.client_id = n.client_id AND o.symbol = n.symbol
          AND (n.f < o.first_trade_date OR n.l > o.last_trade_date)""")
    con.execute(f"""INSERT INTO wh.client_symbols SELECT n.client_id, n.symbol, n.f, n.l FROM {staged}_pairs n
        ANTI JOIN wh.client_symbols o ON o.client_id = n.client_id AND o.symbol = n.symbol""")
    if has_old:
        con.execute(f"DELETE FROM wh.client_symbols WHERE (client_id, symbol) IN (SELECT (client_id, symbol) FROM {old})")
        con.execute(f"""INSERT INTO wh.client_symbols SELECT client_id, symbol, min(trade_date), max(trade_date)
            FROM wh.trades SEMI JOIN {old} USING (client_id, symbol) GROUP BY ALL""")


def apply_batch(con: duckdb.DuckDBPyConnection, *, staged: dict[str, str], absent: dict[str, set[str]],
                ledger: list[dict], batch_key: str, source: dict[str, dict],
                business_date=None) -> tuple[list[dict], dict]:
    """Load the staged tables into attached database `wh` all-or-nothing. Returns (changes, control totals)."""
    changes: list[dict] = []
    totals: dict[str, dict] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in LOAD_ORDER:
            if table not in staged:
                continue
            s = staged[table]
            cols = ", ".join(TABLES[table].column_names)
            if table in DATE_COLUMN:
                changes += _replace_dated(con, s, table, cols)
                if table == "trades":
                    _update_aggregates(con, s)
            else:
                changes.append(_upsert(con, s, table, absent.get(table, set())))
        kill_point("loaded")
        for f in ledger:
            con.execute("INSERT INTO wh.import_files (sha256, batch_key, file_name, table_name, rows_loaded, "
                        "business_date) VALUES (?, ?, ?, ?, ?, ?)",
                        [f["sha256"], batch_key, f["name"], f["table"], f["rows_loaded"], business_date])
        mismatches = []
        for table, s in staged.items():
            loaded = _loaded_totals(con, s, table)
            totals[table] = {k: {"source": str(source[table][k]), "loaded": str(v)} for k, v in loaded.items()}
            for k, v in loaded.items():
                if source[table][k] != v:
                    mismatches.append(f"{table}.{k}: source {source[table][k]} ≠ loaded {v}")
        if mismatches:
            raise ReconciliationError(mismatches)
        kill_point("commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    kill_point("committed")
    return changes, totals
