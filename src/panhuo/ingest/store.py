"""Writing a validated batch into the analytical store in one DuckDB transaction.

Fact files (trades, daily assets, transfers, positions) add and correct rows by their key: a row whose key is
stored replaces the stored row, a new key is added, and nothing else is removed. Replacing whole days is an
explicit choice (a profile's `full_day` file, or `panhuo import --replace-dates`), and even then a file
replaces only its own branches' rows of its days. Every stored row a batch deletes, corrected or removed, is
first kept in the batch's recoverable record (`removed_<table>`, at least ARCHIVE_DAYS days), from which
`restore` puts it back. Master tables (clients, advisors, instruments, bars) are upserted by key. The
aggregates client_days, client_symbols and client_life are updated for the changed rows only, the ledger of
loaded file hashes is written, and the loaded rows are reconciled against the source to the cent before COMMIT.
A batch's big trades file may be written straight into wh.trades in the same transaction instead of from a
staged table (apply_batch's `direct`, batch._direct_write); its rows are then reconciled against the file's
line count.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from panhuo.ingest.normalise import without_commas
from panhuo.warehouse.money import DAY_SUMS
from panhuo.warehouse.schema import LIFE_SQL, TABLES, ensure_tables

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
ARCHIVE_DAYS = 30           # a batch's recoverable record is kept at least this long; a later import purges it
MAX_DAYS_LISTED = 1000      # per table, in a batch's changes


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
        con.execute("BEGIN")    # all of it or nothing: a killed import leaves no half-upgraded store
        ensure_tables(con, db)
        con.execute(LEDGER_DDL)
        con.execute("ALTER TABLE import_files ADD COLUMN IF NOT EXISTS business_date DATE")   # ledgers before it
        _ensure_archives(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("USE memory")


def archive_name(table: str) -> str:
    """A fact table's recoverable record: the rows batches removed or overwrote, each with its batch."""
    return f"removed_{table}"


def _ensure_archives(con) -> None:
    """One record table per fact table: its columns (all nullable, and a column the table gains later is
    added here too) and the batch key, when, why (`corrected` or `removed`) and when restored."""
    for table in DATE_COLUMN:
        cols = ", ".join(f"{c.name} {c.sql_type}" for c in TABLES[table].columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {archive_name(table)} ({cols}, batch_key VARCHAR NOT NULL, "
                    "removed_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL, restored_at TIMESTAMP)")
    have = set(con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
                           "current_database() AND table_name LIKE 'removed_%'").fetchall())
    for table in DATE_COLUMN:
        for c in TABLES[table].columns:
            if (archive_name(table), c.name) not in have:
                con.execute(f"ALTER TABLE {archive_name(table)} ADD COLUMN {c.name} {c.sql_type}")


def source_totals(con, staged: str, table: str) -> dict[str, Decimal | int]:
    """Control totals re-parsed from the source text (r_ columns), independent of the parse used to load.

    A file read typed (ingest.typed) has no text: it stages no r_ columns, and its totals are the DECIMAL(18,4)
    of its money, which the typed read showed to be the DECIMAL of the text. They are independent of the load,
    not of the reader."""
    have = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 'temp' "
                                      "AND table_name = ?", [staged]).fetchall()}
    sums = [f"sum(TRY_CAST({without_commas(f'r_{c}')} AS DECIMAL(38,4)))" if f"r_{c}" in have else
            f"sum(TRY_CAST({c} AS DECIMAL(18,4))::DECIMAL(38,4))" for c in MONEY.get(table, ())]
    row = con.execute(f"SELECT count(*){''.join(', ' + s for s in sums)} FROM {staged}").fetchone()
    out: dict[str, Decimal | int] = {"rows": row[0]}
    for c, v in zip(MONEY.get(table, ()), row[1:], strict=True):
        out[c] = (v or Decimal(0)).quantize(CENT)
    return out


def _loaded_totals(con, staged: str, table: str, *, by_key: bool = True) -> dict[str, Decimal | int]:
    """Control totals of what the store now holds for the batch's rows: for facts, the rows with the batch's
    keys (other rows of the same days are not the file's); `by_key=False` when the store held no row on the
    batch's days before, so every row of those days is the file's and the key lookup can be skipped."""
    tbl = TABLES[table]
    key = ", ".join(tbl.primary_key)
    if table in DATE_COLUMN:
        d = DATE_COLUMN[table]
        where = f"{d} IN (SELECT DISTINCT {d} FROM {staged})"     # the file's rows are on its days: skip others
        if by_key:
            where += f" AND ({key}) IN (SELECT ({key}) FROM {staged})"
    else:
        where = f"({key}) IN (SELECT ({key}) FROM {staged})"
    return totals_of(con, f"(SELECT * FROM wh.{table} WHERE {where})", table)


def totals_of(con, rows: str, table: str) -> dict[str, Decimal | int]:
    """Control totals of `rows` (a relation of `table`'s columns): the count and the exact sum of each money."""
    sums = [f"sum({c}::DECIMAL(38,4))" for c in MONEY.get(table, ())]
    row = con.execute(f"SELECT count(*){''.join(', ' + s for s in sums)} FROM {rows}").fetchone()
    out: dict[str, Decimal | int] = {"rows": row[0]}
    for c, v in zip(MONEY.get(table, ()), row[1:], strict=True):
        out[c] = (v or Decimal(0)).quantize(CENT)
    return out


def _on(table: str, a: str, b: str) -> str:
    return " AND ".join(f"{a}.{k} = {b}.{k}" for k in TABLES[table].primary_key)


def _cols(table: str, alias: str = "") -> str:
    return ", ".join(f"{alias}.{c}" if alias else c for c in TABLES[table].column_names)


def temp_table_exists(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                            [name]).fetchone()[0])


def stored_matches(con, staged: str, table: str) -> None:
    """`{staged}_stored`: the stored rows whose key the batch carries (to be corrected, or unchanged). A key that
    holds the date (daily assets, positions) is looked up on the batch's days only, so other days are skipped."""
    d = DATE_COLUMN[table]
    where = f"WHERE w.{d} IN (SELECT DISTINCT {d} FROM {staged})" if d in TABLES[table].primary_key else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {staged}_stored AS SELECT {_cols(table, 'w')} FROM wh.{table} w "
                f"SEMI JOIN {staged} s ON {_on(table, 'w', 's')} {where}")


def branch_map(con, staged: dict[str, str]) -> None:
    """`_branch_of` (client_id, branch_id): each client's branch, the batch's clients file before the store's."""
    sql = "SELECT client_id, branch_id FROM wh.clients"
    if "clients" in staged:
        c = staged["clients"]
        sql = f"SELECT client_id, branch_id FROM {c} UNION ALL {sql} w ANTI JOIN {c} s USING (client_id)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _branch_of AS {sql}")


def replace_scope(con, staged: str, table: str, sources: set[int]) -> bool:
    """`{staged}_scope` (branch_id, d): the branches and days the batch's full-day files replace — each branch
    and day a full-day file holds rows for, a row's branch being its client's. Empty when the store holds no
    row on those days (then nothing can be removed). Needs `_branch_of`. Returns whether it is non-empty."""
    d = DATE_COLUMN[table]
    src = f"_src IN ({', '.join(str(i) for i in sorted(sources))})" if sources else "false"
    stored = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM wh.{table} WHERE {d} IN "
                         f"(SELECT DISTINCT {d} FROM {staged} WHERE {src}) LIMIT 1)").fetchone()[0]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {staged}_scope AS SELECT DISTINCT b.branch_id, s.{d} AS d "
                f"FROM {staged} s JOIN _branch_of b USING (client_id) WHERE {src} AND {bool(stored)}")
    return bool(stored) and bool(con.execute(f"SELECT count(*) FROM {staged}_scope").fetchone()[0])


@dataclass
class Plan:
    """What a batch will do to the fact tables, before anything is written (and what it did, once loaded).

    `entries` are the batch's `changes` for facts: per table one summary (mode, rows added / corrected /
    unchanged / removed), then per branch and day the stored rows corrected and removed (and with
    `added_by_day`, as the dry run asks, the rows added). `tables` holds what apply_batch needs."""

    entries: list[dict] = field(default_factory=list)
    tables: dict[str, dict] = field(default_factory=dict)


def plan_facts(con, staged: dict[str, str], replace: dict[str, set[int]], *, added_by_day: bool = False) -> Plan:
    """Compare the batch's fact rows with the store by key. For each staged fact table `s` this leaves
    `{s}_hit` (stored rows with a staged key, `same` when unchanged) and `{s}_old` (stored rows the load
    deletes: `corrected` ones, and in a replaced branch-day the `removed` ones the file does not hold).
    `replace[table]` names the sources (file numbers) whose branch-days are replaced whole."""
    plan = Plan()
    branch_map(con, staged)
    for table in LOAD_ORDER:
        if table not in staged or table not in DATE_COLUMN:
            continue
        s, d = staged[table], DATE_COLUMN[table]
        if not temp_table_exists(con, f"{s}_stored"):
            stored_matches(con, s, table)
        same = f"row({_cols(table, 'o')}) IS NOT DISTINCT FROM row({_cols(table, 'n')})"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {s}_hit AS SELECT {_cols(table, 'o')}, {same} AS same "
                    f"FROM {s}_stored o JOIN {s} n ON {_on(table, 'o', 'n')}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {s}_old AS SELECT {_cols(table)}, 'corrected' AS reason "
                    f"FROM {s}_hit WHERE NOT same")
        mode = "replace_dates" if replace.get(table) else "upsert"
        if mode == "replace_dates" and replace_scope(con, s, table, replace[table]):
            con.execute(f"""INSERT INTO {s}_old SELECT {_cols(table, 'w')}, 'removed' FROM wh.{table} w
                JOIN _branch_of b ON b.client_id = w.client_id
                SEMI JOIN {s}_scope sc ON sc.branch_id = b.branch_id AND sc.d = w.{d}
                ANTI JOIN {s} n ON {_on(table, 'w', 'n')}
                WHERE w.{d} IN (SELECT DISTINCT d FROM {s}_scope)""")
        rows, hits, unchanged = con.execute(
            f"SELECT (SELECT count(*) FROM {s}), count(*), count(*) FILTER (WHERE same) FROM {s}_hit").fetchone()
        corrected, removed = con.execute(f"SELECT count(*) FILTER (WHERE reason = 'corrected'), "
                                         f"count(*) FILTER (WHERE reason = 'removed') FROM {s}_old").fetchone()
        # No stored row on the batch's days: after the load those days hold exactly the file's rows.
        fresh = not con.execute(f"SELECT count(*) FROM (SELECT 1 FROM wh.{table} WHERE {d} IN "
                                f"(SELECT DISTINCT {d} FROM {s}) LIMIT 1)").fetchone()[0]
        plan.tables[table] = {"old": corrected + removed, "same": unchanged, "fresh_days": fresh}
        plan.entries.append({"table": table, "mode": mode, "rows_added": rows - hits, "rows_corrected": corrected,
                             "rows_unchanged": unchanged, "rows_removed": removed})
        days: dict[tuple, dict] = {}
        for branch, day, c, r in con.execute(
                f"SELECT b.branch_id, o.{d}, count(*) FILTER (WHERE reason = 'corrected'), count(*) FILTER "
                f"(WHERE reason = 'removed') FROM {s}_old o LEFT JOIN _branch_of b USING (client_id) "
                f"GROUP BY ALL").fetchall():
            days[(branch or "", day)] = {"rows_corrected": c, "rows_removed": r}
        if added_by_day:
            for branch, day, a in con.execute(
                    f"SELECT b.branch_id, n.{d}, count(*) FROM {s} n ANTI JOIN {s}_hit h ON {_on(table, 'n', 'h')} "
                    f"LEFT JOIN _branch_of b USING (client_id) GROUP BY ALL").fetchall():
                days.setdefault((branch or "", day), {"rows_corrected": 0, "rows_removed": 0})["rows_added"] = a
        for (branch, day), counts in sorted(days.items())[:MAX_DAYS_LISTED]:
            plan.entries.append({"table": table, "branch": branch, "date": str(day),
                                 **({"rows_added": 0} if added_by_day else {}), **counts})
    return plan


def _archive(con, table: str, rows: str, batch_key: str, at: dt.datetime) -> None:
    """Keep the stored rows about to be deleted (`rows`: a relation with the table's columns and a reason)."""
    con.execute(f"INSERT INTO wh.{archive_name(table)} ({_cols(table)}, batch_key, removed_at, reason) "
                f"SELECT {_cols(table)}, ?, ?, reason FROM {rows}", [batch_key, at])


def _delete(con, table: str, rows: str) -> None:
    """Delete the stored rows with the keys of `rows`, looking only at their days."""
    d = DATE_COLUMN[table]
    con.execute(f"DELETE FROM wh.{table} w USING {rows} o WHERE {_on(table, 'w', 'o')} "
                f"AND w.{d} IN (SELECT DISTINCT {d} FROM {rows})")


def _apply_fact(con, s: str, table: str, info: dict, batch_key: str, at: dt.datetime) -> None:
    """Corrected and removed rows to the batch's recoverable record, then deleted; new and corrected rows in."""
    if info["old"]:
        _archive(con, table, f"{s}_old", batch_key, at)
        _delete(con, table, f"{s}_old")
    new = s
    if info["same"]:     # rows the store already holds as they are stay untouched
        con.execute(f"CREATE OR REPLACE TEMP VIEW {s}_new AS SELECT * FROM {s} n ANTI JOIN "
                    f"(SELECT * FROM {s}_hit WHERE same) h ON {_on(table, 'n', 'h')}")
        new = f"{s}_new"
    con.execute(f"INSERT INTO wh.{table} ({_cols(table)}) SELECT {_cols(table)} FROM {new}")
    if table == "trades":
        update_aggregates(con, new, f"{s}_old" if info["old"] else None)


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


def update_aggregates(con, new: str, old: str | None) -> None:
    """Bring client_days, client_symbols and client_life in step after wh.trades gained the rows of `new` and
    lost those of `old` (both relations of trades). Days and pairs no change touched are left alone; a client's day that
    already had trades, or lost some, is recomputed from wh.trades; a new one is summed from `new` (the
    common case, and the whole of a first load)."""
    lost_days = f" UNION SELECT DISTINCT client_id, trade_date FROM {old}" if old else ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _agg_days AS
        SELECT c.client_id, c.trade_date FROM wh.client_days c SEMI JOIN {new} n
            ON n.client_id = c.client_id AND n.trade_date = c.trade_date
        WHERE c.trade_date IN (SELECT DISTINCT trade_date FROM {new}){lost_days}""")
    # Same exact sums as analytics.aggregates.refresh_aggregates (CASE sums cost less than FILTER here).
    sums = DAY_SUMS
    if con.execute("SELECT count(*) FROM _agg_days").fetchone()[0]:
        on = "a.client_id = {t}.client_id AND a.trade_date = {t}.trade_date"
        con.execute(f"DELETE FROM wh.client_days c USING _agg_days a WHERE {on.format(t='c')}")
        con.execute(f"""INSERT INTO wh.client_days SELECT client_id, trade_date, {sums} FROM wh.trades t
            SEMI JOIN _agg_days a ON {on.format(t='t')}
            WHERE t.trade_date IN (SELECT DISTINCT trade_date FROM _agg_days) GROUP BY client_id, trade_date""")
        con.execute(f"""INSERT INTO wh.client_days SELECT client_id, trade_date, {sums} FROM {new} n
            ANTI JOIN _agg_days a ON {on.format(t='n')} GROUP BY client_id, trade_date""")
    else:
        con.execute(f"INSERT INTO wh.client_days SELECT client_id, trade_date, {sums} FROM {new} "
                    f"GROUP BY client_id, trade_date")
    if old is None and con.execute("SELECT count(*) = 0 FROM wh.client_symbols").fetchone()[0]:
        # A first load (the store's history): nothing stored to merge with, so one GROUP BY, as the rebuild.
        con.execute(f"INSERT INTO wh.client_symbols SELECT client_id, symbol, min(trade_date), max(trade_date) "
                    f"FROM {new} GROUP BY ALL")
    else:
        # A pair that lost a trade on its first or last day is recomputed from wh.trades; a trade lost between
        # them leaves both ends standing. Every other pair takes the min and max of its new trades.
        con.execute("CREATE OR REPLACE TEMP TABLE _agg_lost AS SELECT NULL::VARCHAR AS client_id, NULL::VARCHAR AS symbol "
                    "WHERE false" if old is None else f"""CREATE OR REPLACE TEMP TABLE _agg_lost AS
            SELECT DISTINCT o.client_id, o.symbol FROM {old} o JOIN wh.client_symbols c
                ON c.client_id = o.client_id AND c.symbol = o.symbol
            WHERE o.trade_date = c.first_trade_date OR o.trade_date = c.last_trade_date""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _agg_pairs AS SELECT client_id, symbol, min(trade_date) AS f,
            max(trade_date) AS l FROM {new} n ANTI JOIN _agg_lost x USING (client_id, symbol) GROUP BY ALL""")
        # UPDATE the pairs already known, INSERT the new ones: cheaper than INSERT OR REPLACE on a keyed table.
        con.execute("""UPDATE wh.client_symbols o SET first_trade_date = least(o.first_trade_date, n.f),
            last_trade_date = greatest(o.last_trade_date, n.l) FROM _agg_pairs n
            WHERE o.client_id = n.client_id AND o.symbol = n.symbol
              AND (n.f < o.first_trade_date OR n.l > o.last_trade_date)""")
        con.execute("""INSERT INTO wh.client_symbols SELECT n.client_id, n.symbol, n.f, n.l FROM _agg_pairs n
            ANTI JOIN wh.client_symbols o ON o.client_id = n.client_id AND o.symbol = n.symbol""")
        if con.execute("SELECT count(*) FROM _agg_lost").fetchone()[0]:
            con.execute("DELETE FROM wh.client_symbols o USING _agg_lost x WHERE o.client_id = x.client_id "
                        "AND o.symbol = x.symbol")
            con.execute("""INSERT INTO wh.client_symbols SELECT client_id, symbol, min(trade_date), max(trade_date)
                FROM wh.trades SEMI JOIN _agg_lost USING (client_id, symbol) GROUP BY ALL""")
    # client_life: each client with a trade gained or lost has its row recomputed from its days (the clients
    # of one day's file are a small share of the branch; a first load is every client, once).
    lost_clients = f" UNION SELECT DISTINCT client_id FROM {old}" if old else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _agg_clients AS SELECT DISTINCT client_id FROM {new}{lost_clients}")
    con.execute("DELETE FROM wh.client_life o USING _agg_clients c WHERE o.client_id = c.client_id")
    days = "wh.client_days SEMI JOIN _agg_clients USING (client_id)"
    con.execute(f"INSERT INTO wh.client_life {LIFE_SQL.format(days=days, where='')}")
    con.execute("DROP TABLE _agg_days; DROP TABLE IF EXISTS _agg_lost; DROP TABLE IF EXISTS _agg_pairs; "
                "DROP TABLE _agg_clients")


def purge_archive(con, now: dt.datetime) -> None:
    """Recoverable records older than ARCHIVE_DAYS go: each is kept at least that long."""
    for table in DATE_COLUMN:
        con.execute(f"DELETE FROM wh.{archive_name(table)} WHERE removed_at < ?",
                    [now - dt.timedelta(days=ARCHIVE_DAYS)])


@dataclass
class DirectLoad:
    """What a direct write (batch._direct_write) put into wh.trades in the load transaction: its control
    totals (source and loaded), its ledger line and its latest trade date."""

    source: dict[str, Decimal | int]
    loaded: dict[str, Decimal | int]
    ledger: dict
    business_date: dt.date | None


def apply_batch(con: duckdb.DuckDBPyConnection, *, staged: dict[str, str], absent: dict[str, set[str]],
                ledger: list[dict], batch_key: str, source: dict[str, dict], plan: Plan,
                business_date=None, direct: Callable[[duckdb.DuckDBPyConnection], DirectLoad] | None = None,
                ) -> tuple[list[dict], dict]:
    """Load the staged tables into attached database `wh` all-or-nothing, fact tables as `plan` (plan_facts,
    computed on this store under the same import lock) says. `direct`, when given, writes the batch's trades
    itself at their turn, in the same transaction (batch._direct_write); whatever it raises rolls the whole
    batch back. Returns (changes, control totals)."""
    changes: list[dict] = []
    totals: dict[str, dict] = {}
    at = dt.datetime.now()
    done: DirectLoad | None = None
    con.execute("BEGIN TRANSACTION")
    try:
        purge_archive(con, at)
        for table in LOAD_ORDER:
            if table == "trades" and direct is not None:
                done = direct(con)
            elif table not in staged:
                continue
            elif table in DATE_COLUMN:
                _apply_fact(con, staged[table], table, plan.tables[table], batch_key, at)
            else:
                changes.append(_upsert(con, staged[table], table, absent.get(table, set())))
        changes += plan.entries
        kill_point("loaded")
        if done is not None:
            ledger = [*ledger, done.ledger]
            business_date = max((d for d in (business_date, done.business_date) if d is not None), default=None)
        for f in ledger:
            con.execute("INSERT INTO wh.import_files (sha256, batch_key, file_name, table_name, rows_loaded, "
                        "business_date) VALUES (?, ?, ?, ?, ?, ?)",
                        [f["sha256"], batch_key, f["name"], f["table"], f["rows_loaded"], business_date])
        mismatches = []
        for table in LOAD_ORDER:
            if table in staged:
                fresh = plan.tables.get(table, {}).get("fresh_days")
                src, loaded = source[table], _loaded_totals(con, staged[table], table, by_key=not fresh)
            elif table == "trades" and done is not None:
                src, loaded = done.source, done.loaded
            else:
                continue
            totals[table] = {k: {"source": str(src[k]), "loaded": str(v)} for k, v in loaded.items()}
            mismatches += [f"{table}.{k}: source {src[k]} ≠ loaded {v}" for k, v in loaded.items() if src[k] != v]
        if mismatches:
            raise ReconciliationError(mismatches)
        kill_point("commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    kill_point("committed")
    return changes, totals


class RestoreError(Exception):
    pass


def restore(con: duckdb.DuckDBPyConnection, batch_key: str) -> list[dict]:
    """Put back the rows batch `batch_key` removed or overwrote (its recoverable record) in one transaction on
    attached database `wh`; the aggregates are brought in step for the days touched. Refused, changing nothing,
    when no record of the batch is left, when it was restored already, or when a later batch changed one of
    those rows again (putting it back would silently undo that batch). The rows a restore overwrites — the
    batch's corrections — are kept in turn, as record `restore:BATCH_KEY`. Returns rows put back per table,
    branch and day."""
    at = dt.datetime.now()
    found = {t: con.execute(f"SELECT count(*), count(restored_at), min(removed_at) FROM wh.{archive_name(t)} "
                            "WHERE batch_key = ?", [batch_key]).fetchone() for t in DATE_COLUMN}
    if not any(n for n, _, _ in found.values()):
        raise RestoreError(f"批次 {batch_key} 没有可恢复的记录（未删除或更正任何行，或记录已超过 {ARCHIVE_DAYS} 天被清理） / "
                           f"batch {batch_key} has no recoverable record (it removed or corrected no row, or its "
                           f"record is older than {ARCHIVE_DAYS} days and was purged)")
    if any(r for _, r, _ in found.values()):
        raise RestoreError(f"批次 {batch_key} 已恢复过 / batch {batch_key} was restored already")
    out: list[dict] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for table in LOAD_ORDER:
            n, _, since = found.get(table, (0, 0, None))
            if not n:
                continue
            arch, d = archive_name(table), DATE_COLUMN[table]
            con.execute(f"CREATE OR REPLACE TEMP TABLE _back AS SELECT {_cols(table)}, reason FROM wh.{arch} "
                        "WHERE batch_key = ?", [batch_key])
            later = con.execute(f"SELECT count(*) FROM _back b SEMI JOIN wh.{arch} a ON {_on(table, 'a', 'b')} "
                                "AND a.removed_at > ? AND a.batch_key <> ?", [since, batch_key]).fetchone()[0]
            again = con.execute(f"SELECT count(*) FROM (SELECT * FROM _back WHERE reason = 'removed') b "
                                f"SEMI JOIN wh.{table} w ON {_on(table, 'w', 'b')}").fetchone()[0]
            if later or again:
                raise RestoreError(f"{table}：其中 {later + again} 行此后已被其他批次更改，未恢复任何数据 / {table}: "
                                   f"{later + again} of these rows were changed again by a later batch; nothing "
                                   "was restored")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _cur AS SELECT {_cols(table, 'w')}, 'corrected' AS reason "
                        f"FROM wh.{table} w SEMI JOIN (SELECT * FROM _back WHERE reason = 'corrected') b "
                        f"ON {_on(table, 'w', 'b')}")
            _archive(con, table, "_cur", f"restore:{batch_key}", at)
            _delete(con, table, "_cur")
            con.execute(f"INSERT INTO wh.{table} ({_cols(table)}) SELECT {_cols(table)} FROM _back")
            if table == "trades":
                update_aggregates(con, "_back", "_cur")
            con.execute(f"UPDATE wh.{arch} SET restored_at = ? WHERE batch_key = ?", [at, batch_key])
            out += [{"table": table, "branch": branch or "", "date": str(day), "rows_restored": k}
                    for branch, day, k in con.execute(
                        f"SELECT c.branch_id, b.{d}, count(*) FROM _back b LEFT JOIN wh.clients c USING (client_id) "
                        "GROUP BY ALL ORDER BY ALL").fetchall()]
            con.execute("DROP TABLE _back")
            con.execute("DROP TABLE _cur")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return out
