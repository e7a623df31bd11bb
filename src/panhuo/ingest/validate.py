"""Validation: types, ranges, formats, keys and references, as SQL over a whole staged table at once.

Failing rows go to the temp table `bad` (_src, _row, col, value, code, detail); nothing is capped there, so
quarantine can remove exactly the failing rows. Reports cap what they show, not what they count. Per-value
rules run inside normalise's parse pass (value_rules); the checks across rows below record no value, and
normalise.fill_values reads the source text of just those rows back.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from panhuo.ingest import store
from panhuo.ingest.profile import DOMAINS, FileSpec
from panhuo.ingest.sqltext import Checks, sql_str
from panhuo.warehouse.schema import TABLES

MAX_TEXT = 200
# Tighter limits where the operational client master stores the value (clients.models field lengths), so a
# value PostgreSQL would refuse is caught here, before either store is written.
LENGTHS = {("clients", "name"): 128, ("advisors", "name"): 64, "region": 64, "gender": 8, "id_number": 32,
           "client_id": 32, "advisor_id": 32, "branch_id": 32}
FREE_TEXT = {"name", "region", "specialties", "industry", "bank", "gender"}
# Fact tables keyed by an id of their own: a stored id seen again is a correction of that row, but never of
# another client's (see check_key_owner).
OWNED_IDS = ("trades", "transfers")
MIN_DATE = {"birth_date": "1900-01-01", "hire_date": "1950-01-01", "list_date": "1980-01-01"}
DEFAULT_MIN_DATE = "1990-01-01"
MONEY_MAX = "1e13"            # money stays below this (see value_rules)
# A price per share (or index point) at or above this is no price: back-adjusted A-share prices stay in the
# tens of thousands. It catches a value gone wrong (1e300 was shown on a client's page as 300 digits).
PRICE_MAX = "1e7"
PRICES = {"trades": ("price",), "positions": ("cost_price", "close_price"),
          "bars": ("open", "high", "low", "close", "pre_close")}
NON_NEGATIVE = {
    "trades": ("amount", "commission", "stamp_duty", "transfer_fee"),
    "daily_assets": ("market_value", "total_assets"),
    "positions": ("quantity", "cost_price", "close_price", "market_value"),
    "bars": ("open", "high", "low", "close", "pre_close", "volume", "amount"),
    "advisors": ("capacity",),
}
POSITIVE = {"trades": ("quantity", "price"), "transfers": ("amount",)}
REFERENCES = {  # table -> [(column, referenced table, referenced column, code)]
    "clients": [("advisor_id", "advisors", "advisor_id", "unknown_advisor")],
    "trades": [("client_id", "clients", "client_id", "unknown_client")],
    "daily_assets": [("client_id", "clients", "client_id", "unknown_client")],
    "transfers": [("client_id", "clients", "client_id", "unknown_client")],
    "positions": [("client_id", "clients", "client_id", "unknown_client")],
}
# The contains() test is implied by the pattern and spares most values the regular expression.
_EXCEL = ("((contains(r_{c}, 'e') OR contains(r_{c}, 'E')) AND "
          "regexp_full_match(r_{c}, '[+-]?\\d+(\\.\\d+)?[eE][+-]?\\d+'))")
# GB 11643 / ISO 7064 MOD 11-2: weighted sum of the first 17 digits picks the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_SUM = " + ".join(f"{w} * coalesce(TRY_CAST(substr(id_number, {i + 1}, 1) AS INTEGER), 0)" for i, w in enumerate(_WEIGHTS))
ID18_OK = (f"(regexp_full_match(id_number, '\\d{{17}}[\\dX]') AND "
           f"substr('10X98765432', (({_ID_SUM}) % 11)::INTEGER + 1, 1) = substr(id_number, 18, 1) AND "
           f"try_strptime(substr(id_number, 7, 8), '%Y%m%d') IS NOT NULL)")
ID15_OK = "(regexp_full_match(id_number, '\\d{15}') AND try_strptime('19' || substr(id_number, 7, 6), '%Y%m%d') IS NOT NULL)"


def create_bad_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS bad (_src INTEGER, _row BIGINT, col VARCHAR, value VARCHAR, "
                "code VARCHAR, detail VARCHAR)")


def _flag(con, t: str, col: str | None, code: str, where: str, detail: str = "''") -> None:
    """`bad` rows without a value: fill_values adds the source text of `col` afterwards."""
    con.execute(f"INSERT INTO bad SELECT _src, _row, {sql_str(col) if col else 'NULL'}, NULL, {sql_str(code)}, "
                f"{detail} FROM {t} WHERE {where}")


def collect(con, t: str) -> None:
    """The per-value problems normalise recorded in staged table `t`, one `bad` row per broken rule."""
    con.execute(f"""INSERT INTO bad SELECT _src, _row, f.col, f.value, f.code, f.detail FROM (
        SELECT _src, _row, unnest(_fails) AS f FROM {t} WHERE _fails IS NOT NULL)""")


FORMULA_START = ("=", "+", "-", "@")
_EXCEL_RE = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")


def _closed_values(c: str, specs: dict[int, FileSpec]) -> tuple[set[str], set[str]] | None:
    """(source keys, canonical values) when every file parses column `c` through a value map (as
    normalise.parse_expr does), ("", "0") for a symbol read by symbol_expr; None for open text."""
    keys: set[str] = set()
    values: set[str] = set()
    for spec in specs.values():
        mapping = spec.values.get(c) or ({v: v for v in DOMAINS[c]} if c in DOMAINS else None)
        if mapping is None:
            if c == "symbol":
                values.add("0")          # every parsed symbol starts with a digit, and has no letter e
                continue
            return None
        keys |= set(mapping)
        values |= set(mapping.values())
    return keys, values


def value_rules(table: str, specs: dict[int, FileSpec], today: dt.date, *, no_controls: bool = False) -> Checks:
    """Per-value rules for canonical `table` read through `specs`. `no_controls`: the reader proved no value
    holds a control character (read.RawFile.no_controls), so that check is skipped."""
    spec = next(iter(specs.values()))
    rules = Checks()
    for col in TABLES[table].columns:
        c = col.name
        if not col.nullable:
            rules.add(c, "required", f"r_{c} IS NULL")
        excel = _EXCEL.format(c=c)
        if col.sql_type == "VARCHAR":
            limit = LENGTHS.get((table, c)) or LENGTHS.get(c) or MAX_TEXT
            # strlen (bytes, O(1)) is never below length (characters): it spares most values the count.
            rules.add(c, "too_long", f"strlen(r_{c}) > {limit} AND length(r_{c}) > {limit}", sql_str(str(limit)))
            if not no_controls:
                rules.add(c, "control_chars", f"regexp_matches(r_{c}, '[\\x00-\\x1f\\x7f]')")
            closed = _closed_values(c, specs)
            # A value parsed through a value map is one of the map's canonical values, and a parsed symbol
            # starts with its six digits: where none of those can start a formula, the rule cannot fire.
            if closed is None or any(v[:1] in FORMULA_START for v in closed[1]):
                rules.add(c, "formula_injection", f"left({c}, 1) IN ('=', '+', '-', '@')")
            if c not in FREE_TEXT:
                # A parsed value proves the source text was a map key or a code form (no letter e):
                # only unparsed values can be numbers Excel mangled, unless a map key itself looks like one.
                guard = "" if closed is None or any(_EXCEL_RE.fullmatch(k) for k in closed[0]) else f"{c} IS NULL AND "
                rules.add(c, "excel_number", f"{guard}{excel} AND length(r_{c}) <= {MAX_TEXT}")
        if c in spec.values or c in DOMAINS:
            allowed = sorted(spec.values.get(c) or DOMAINS[c])
            rules.add(c, "bad_value", f"r_{c} IS NOT NULL AND {c} IS NULL", sql_str(", ".join(allowed)[:200]))
        elif c == "symbol":
            rules.add(c, "bad_symbol", f"r_{c} IS NOT NULL AND {c} IS NULL AND NOT {excel}")
        elif col.sql_type in ("DATE", "TIMESTAMP", "DOUBLE", "BIGINT", "INTEGER", "BOOLEAN"):
            code = {"DATE": "bad_date", "TIMESTAMP": "bad_timestamp", "DOUBLE": "bad_number", "BIGINT": "bad_integer",
                    "INTEGER": "bad_integer", "BOOLEAN": "bad_boolean"}[col.sql_type]
            rules.add(c, code, f"r_{c} IS NOT NULL AND {c} IS NULL")
            if col.sql_type == "DOUBLE":
                rules.add(c, code, f"NOT isfinite({c})")
        if col.sql_type in ("DATE", "TIMESTAMP"):
            lo, hi = MIN_DATE.get(c, DEFAULT_MIN_DATE), (today + dt.timedelta(days=1)).isoformat()
            rules.add(c, "date_range", f"{c}::DATE < DATE '{lo}' OR {c}::DATE > DATE '{hi}'", sql_str(f"{lo} … {hi}"))
    for c in NON_NEGATIVE.get(table, ()):
        rules.add(c, "negative", f"{c} < 0")
    for c in POSITIVE.get(table, ()):
        rules.add(c, "not_positive", f"{c} <= 0")
    # Money is stored as DOUBLE and summed exactly as DECIMAL(18,4) (warehouse.money). Above 1e14 the cast stops
    # the load (or a later daily run) on a conversion error, and from about 7e13 a double no longer holds every
    # cent (99999999999999.99 is stored as ...98). Below 1e13 (10 万亿 yuan, beyond any one trade, transfer or
    # client's assets) cents are exact; a larger amount is reported here, at its row.
    for c in store.MONEY.get(table, ()):
        rules.add(c, "too_large", f"abs({c}) >= {MONEY_MAX}")
    for c in PRICES.get(table, ()):
        rules.add(c, "price_too_large", f"{c} >= {PRICE_MAX}")
    if table == "positions":     # the features sum a position's cost, quantity times cost price
        rules.add("cost_price", "too_large", f"abs(quantity * cost_price) >= {MONEY_MAX}")
    if table == "clients":
        # Only individuals carry a resident ID; institutions carry other codes.
        rules.add("id_number", "bad_id_number",
                  f"id_number IS NOT NULL AND NOT {_EXCEL.format(c='id_number')} AND coalesce(client_type, '') <> "
                  f"'institution' AND NOT ({ID18_OK} OR {ID15_OK})")
        rules.add("phone", "bad_phone",
                  f"phone IS NOT NULL AND NOT {_EXCEL.format(c='phone')} AND NOT regexp_full_match(phone, '1\\d{{10}}')")
    return rules


def dedupe_and_check_keys(con, t: str, table: str, exists_in_store: bool) -> int:
    """Drop exact duplicate rows (counted), flag keys that repeat with different content. Returns duplicates."""
    tbl = TABLES[table]
    key = ", ".join(tbl.primary_key)
    cols = ", ".join(tbl.column_names)
    duplicates = 0
    # A distinct count answers "is any key repeated?" in 60% of the time of listing the repeated keys (no
    # per-key counts to keep); the list is built only when the answer is yes, which is rare. The keys' 64-bit
    # hashes are counted first: equal keys hash alike, so no repeated hash proves no repeated key, and
    # counting integers is cheaper than counting strings (10M trade ids: 0.8 against 1.1 s); a repeated hash
    # (a repeated key, or once in billions a collision) leaves the answer to the exact count.
    distinct = f"count(DISTINCT {key})" if len(tbl.primary_key) == 1 else f"count(DISTINCT ({key}))"
    if (con.execute(f"SELECT count(*) > count(DISTINCT hash({key})) FROM {t}").fetchone()[0]
            and con.execute(f"SELECT count(*) > {distinct} FROM {t}").fetchone()[0]):
        con.execute(f"CREATE TEMP TABLE {t}_dupkeys AS SELECT {key} FROM {t} GROUP BY ALL HAVING count(*) > 1")
        con.execute(f"""CREATE TEMP TABLE {t}_ranked AS SELECT _src, _row,
            row_number() OVER (PARTITION BY {cols} ORDER BY _src, _row) AS same_rank,
            row_number() OVER (PARTITION BY {key} ORDER BY _src, _row) AS key_rank,
            first_value(_row) OVER (PARTITION BY {key} ORDER BY _src, _row) AS first_row
            FROM {t} SEMI JOIN {t}_dupkeys USING ({key})""")
        duplicates = con.execute(f"SELECT count(*) FROM {t}_ranked WHERE same_rank > 1").fetchone()[0]
        con.execute(f"DELETE FROM {t} WHERE (_src, _row) IN (SELECT (_src, _row) FROM {t}_ranked WHERE same_rank > 1)")
        k0 = tbl.primary_key[-1]
        con.execute(f"""INSERT INTO bad SELECT r._src, r._row, {sql_str(k0)}, NULL, 'duplicate_key',
            'first at row ' || r.first_row FROM {t}_ranked r WHERE r.key_rank > 1 AND r.same_rank = 1""")
    if exists_in_store and table in store.DATE_COLUMN:
        check_key_owner(con, t, table)
    return duplicates


def check_key_owner(con, t: str, table: str) -> int:
    """Find the stored rows whose key the batch carries (store.stored_matches: `{t}_stored`) and flag staged
    rows that would move a stored id to another client. A stored id seen again is a correction of its row
    (any value, the date too), and a file with the same rows changes nothing; but the back office never books
    a client's trade or transfer to another account under the same id, so an id that comes back with another
    client means the ids are not unique (numbered per day, say), and taking it as a correction would silently
    overwrite the other client's row. Returns how many rows were flagged."""
    store.stored_matches(con, t, table)
    if table not in OWNED_IDS:
        return 0
    key = TABLES[table].primary_key[0]
    before = con.execute("SELECT count(*) FROM bad").fetchone()[0]
    con.execute(f"""INSERT INTO bad SELECT s._src, s._row, {sql_str(key)}, NULL, 'key_other_client',
        w.{store.DATE_COLUMN[table]}::VARCHAR FROM {t} s JOIN {t}_stored w USING ({key})
        WHERE s.client_id <> w.client_id AND (s._src, s._row) NOT IN (SELECT (_src, _row) FROM bad)""")
    return con.execute("SELECT count(*) FROM bad").fetchone()[0] - before


def _known(con, table: str, col: str, staged: dict[str, str]) -> str:
    """SQL of the values of table.col known after this batch: the store plus this batch's staged rows."""
    parts = [f"SELECT {col} FROM wh.{table}"]
    if table in staged:
        parts.append(f"SELECT {col} FROM {staged[table]}")
    return " UNION ".join(parts)


def check_references(con, t: str, table: str, staged: dict[str, str]) -> None:
    for col, ref, ref_col, code in REFERENCES.get(table, ()):
        _flag(con, t, col, code, f"{col} IS NOT NULL AND {col} NOT IN ({_known(con, ref, ref_col, staged)})")
    if table == "trades":
        known = _known(con, "instruments", "symbol", staged)
        if con.execute(f"SELECT count(*) FROM ({known})").fetchone()[0]:
            _flag(con, t, "symbol", "unknown_symbol", f"symbol IS NOT NULL AND symbol NOT IN ({known})")
        check_oversell(con, t, staged)


def _after(con, table: str, s: str | None, cols: str) -> str:
    """SQL of `cols` of `table` as it will be once staged table `s` is loaded: the stored rows the batch neither
    corrects (same key) nor removes (a branch-day it replaces, `{s}_scope`), and the batch's rows."""
    w = ", ".join(f"w.{c.strip()}" for c in cols.split(","))
    if s is None:
        return f"SELECT {w} FROM wh.{table} w"
    if not store.temp_table_exists(con, f"{s}_stored"):
        store.stored_matches(con, s, table)
    sql = f"SELECT {w} FROM wh.{table} w ANTI JOIN {s}_stored o ON {' AND '.join(f'o.{k} = w.{k}' for k in TABLES[table].primary_key)}"
    if store.temp_table_exists(con, f"{s}_scope"):
        sql += (f" LEFT JOIN _branch_of b ON b.client_id = w.client_id ANTI JOIN {s}_scope sc "
                f"ON sc.branch_id = b.branch_id AND sc.d = w.{store.DATE_COLUMN[table]}")
    return f"{sql} UNION ALL SELECT {cols} FROM {s}"


def check_oversell(con, t: str, staged: dict[str, str], trades: str | None = None) -> None:
    """A day's sells may not exceed the holding known from the last positions snapshot before that day plus the
    trades since (T+1: shares bought the same day do not count). Checked only where a snapshot exists.
    `trades`: the SQL of every trade once `t` is loaded, when the store holds them already (batch's direct
    write; `staged` is then empty: the store holds the batch's positions too)."""
    pos = _after(con, "positions", staged.get("positions"), "as_of_date, client_id, symbol, quantity")
    trades = trades or _after(con, "trades", t, "client_id, symbol, trade_date, side, quantity")
    if not con.execute(f"SELECT count(*) FROM ({pos} LIMIT 1)").fetchone()[0]:
        return      # no snapshot anywhere: no holding is known, nothing to check
    con.execute(f"""
        INSERT INTO bad
        WITH pos AS ({pos}),
        snap AS (SELECT DISTINCT client_id, as_of_date FROM pos),
        sells AS (SELECT client_id, symbol, trade_date, sum(quantity) AS q FROM {t}
                  WHERE side = 'S' AND quantity > 0 AND client_id IN (SELECT client_id FROM snap) GROUP BY ALL),
        based AS (SELECT s.*, sn.as_of_date AS p FROM sells s
                  ASOF JOIN snap sn ON s.client_id = sn.client_id AND s.trade_date > sn.as_of_date),
        tr AS ({trades}),
        since AS (SELECT b.client_id, b.symbol, b.trade_date,
                         sum(CASE tr.side WHEN 'B' THEN tr.quantity ELSE -tr.quantity END) AS net
                  FROM based b JOIN tr ON tr.client_id = b.client_id AND tr.symbol = b.symbol
                   AND tr.trade_date > b.p AND tr.trade_date < b.trade_date GROUP BY ALL),
        held AS (SELECT b.client_id, b.symbol, b.trade_date, b.q,
                        coalesce(pq.quantity, 0) + coalesce(si.net, 0) AS h
                 FROM based b LEFT JOIN pos pq ON pq.client_id = b.client_id AND pq.symbol = b.symbol
                      AND pq.as_of_date = b.p
                 LEFT JOIN since si ON si.client_id = b.client_id AND si.symbol = b.symbol
                      AND si.trade_date = b.trade_date)
        SELECT s._src, s._row, 'quantity', NULL, 'oversell', '(' || h.q || ' > ' || h.h || ')'
        FROM {t} s JOIN held h USING (client_id, symbol, trade_date)
        WHERE s.side = 'S' AND h.q > h.h""")
