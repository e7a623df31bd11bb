"""The typed read: a clean CSV read by DuckDB's typed CSV reader, with the text path as its fallback.

The text path (read.stage_file, then normalise.normalise) reads every value as text and parses and checks it
in SQL. For a clean file, the usual case, DuckDB's reader can parse the dates and numbers itself as it reads,
as the no-check floor of bench/bench_import.py does. This module does that, and gives up whenever it cannot
show that the result is the text path's: the file then goes through the text path as if this had not run, so
every problem is reported exactly as before. It gives up (returns None, keeps nothing) when

- the file is not a plain CSV (irregular line ends, control bytes, a quoted line break, a bad header): the
  text path's handling of those stays the only one;
- the reader refuses anything: a value it cannot convert (another date format, a thousands separator, a
  padded blank), a record with the wrong field count, bytes of the wrong encoding;
- any per-value rule fires on any row (validate.value_rules, evaluated on the typed values; the rules that
  compare source text with the parse cannot fire on a typed value);
- a typed value might not be what the text parse gives: a BIGINT is read as a DOUBLE (DuckDB's BIGINT reader
  rounds 1.5 to 2, which the text path refuses) and must be whole and below 2^53; money must round-trip
  through DECIMAL(18,4) below 1e10, which proves its text had at most four decimals and that the
  reconciliation's DECIMAL of the text is this DECIMAL;
- in a GB18030 file (read as Latin-1), a value holding non-ASCII bytes that is not, byte for byte, a key of
  its column's value map: the text path decodes those in Python, with its own checks.

`plan` gives that read as one SELECT; `load` stages it in memory for the checks across rows, and
batch._direct_write inserts it straight into the store's trades inside the load transaction.

The reader's output goes straight into the normalising pass, one statement. Where a rule or guard fires,
DuckDB's error() aborts it: no second pass over the rows is needed to learn that the file is clean. The
symbol is parsed per row there (a lookup of the distinct codes, as the text path's would need, takes a pass
of its own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from panhuo.ingest import read
from panhuo.ingest.normalise import Mapping, map_headers, normalised_rows
from panhuo.ingest.profile import DOMAINS, FileSpec, Profile, SymbolSource
from panhuo.ingest.read import RawFile, Scan
from panhuo.ingest.sqltext import FAILS_NULL, sql_str
from panhuo.ingest.validate import value_rules

ENABLED = True              # tests switch it off to compare with the text path
FALLBACK = "panhuo-typed-read-fallback"
_ERROR = f"error({sql_str(FALLBACK)})"
READ_AS = {"DATE": "DATE", "BIGINT": "DOUBLE", "DOUBLE": "DOUBLE"}   # canonical type -> type the reader gives
EXACT_INT = 2 ** 53         # whole doubles below this are exactly the integer their text says
MONEY_LIMIT = "1e10"        # below it a double's ulp (< 2e-6) is far below the 0.0001 step of DECIMAL(18,4)


def _headers_used(spec: FileSpec, m: Mapping) -> dict[int, list[str]]:
    """Header position -> the canonical columns (or `symbol:code`, `symbol:market`) read from it."""
    used: dict[int, list[str]] = {}
    for col, s in m.sources.items():
        if isinstance(s, SymbolSource):
            used.setdefault(m.index[s.code], []).append("symbol:code")
            if s.market:
                used.setdefault(m.index[s.market], []).append("symbol:market")
        else:
            used.setdefault(m.index[s], []).append(col)
    return used


def _keys(uses: list[str], spec: FileSpec, profile: Profile) -> set[str]:
    """Source values the text path maps for these uses of a header (value maps, domains, markets)."""
    keys: set[str] = set()
    for u in uses:
        if u == "symbol:market":
            keys |= set(profile.markets)
        elif u in spec.values:
            keys |= set(spec.values[u])
        elif u in DOMAINS:
            keys |= set(DOMAINS[u])
    return keys


def _latin1_key(key: str) -> str | None:
    """A non-ASCII key as the Latin-1 read shows its GB18030 bytes; None when the text path's decode would not
    give the key back without a problem (read._decode_gb18030_values)."""
    try:
        data = key.encode("gb18030")
    except UnicodeEncodeError:
        return None
    if key != key.strip():
        return None                 # trimmed by the text path after decoding: not what this CASE gives
    if read._CJK_UTF8.search(data) and read._decodes(data, "utf-8"):
        return None                 # the text path reports this value as mixed_encoding
    if any(0x80 <= b <= 0x9F for b in data):
        return None                 # DuckDB's Latin-1 refuses these bytes: the read fails anyway
    return data.decode("latin-1")


@dataclass
class Read:
    """A file's typed read, planned: its header mapping, and the SELECT of its normalised rows, as
    normalise.normalised_rows gives them from text (less the r_ text of money, see below) with `_fails` NULL
    on every row; a row that breaks a rule or a guard aborts the statement (DuckDB's error())."""

    mapping: Mapping
    rows: str
    header: list[str]


def plan(raw: RawFile, src: int, spec: FileSpec, profile: Profile, today: dt.date,
         keep_text: tuple[str, ...]) -> Read | None:
    """The typed read of `raw` as its scan (`raw.scan`) describes it; None when the file must take the text
    path from the start."""
    scan = raw.scan
    if (not ENABLED or scan is None or not scan.regular or scan.controls != 0 or raw.size == 0
            or raw.path.suffix.lower() not in (".csv", ".txt")):
        return None
    first = read._first_line(raw.path, scan.encoding)
    header = read._parse_header(first.rstrip("\r\n")) if first is not None else []
    if not header or all(h == "" for h in header):
        return None
    trial = RawFile(path=raw.path, name=raw.name, sha256=raw.sha256, size=raw.size, scan=scan, header=header)
    m = map_headers(trial, spec)
    if trial.problems:
        return None
    latin1 = scan.encoding == "gb18030"
    types = {c.name: c.sql_type for c in spec.schema.columns}
    used = _headers_used(spec, m)
    read_as = ["VARCHAR"] * len(header)
    typed_cols: dict[str, int] = {}
    for k, uses in used.items():
        if len(uses) == 1 and types.get(uses[0]) in READ_AS and uses[0] not in spec.values and uses[0] not in DOMAINS:
            read_as[k] = READ_AS[types[uses[0]]]
            typed_cols[uses[0]] = k
    select = [f"c{k}" for k in range(len(header))]
    if latin1:
        for k in range(len(header)):
            if read_as[k] != "VARCHAR":
                continue
            keys = {f: t for t in _keys(used.get(k, []), spec, profile) if not t.isascii()
                    if (f := _latin1_key(t)) is not None}
            # ASCII passes as read; a value map's key is decoded by a CASE; anything else gives up on the file.
            other = (f"CASE c{k} {' '.join(f'WHEN {sql_str(f)} THEN {sql_str(t)}' for f, t in keys.items())} "
                     f"ELSE {_ERROR} END") if keys else _ERROR
            # An empty field is NULL from the reader, as from the text path's trim.
            select[k] = f"CASE WHEN c{k} IS NULL OR strlen(c{k}) = length(c{k}) THEN c{k} ELSE {other} END AS c{k}"
    dates = [*profile.date_formats, "%Y-%m-%d"][0]
    cols = "{" + ", ".join(f"'c{k}': '{t}'" for k, t in enumerate(read_as)) + "}"
    buffer = f", buffer_size={read.BIG_BUFFER}" if raw.size > read.BIG_BUFFER else ""
    source = (f"""SELECT {', '.join(select)} FROM read_csv({sql_str(str(raw.path))}, header=true,
        auto_detect=false, columns={cols}, delim=',', quote='"', escape='"', strict_mode=true,
        max_line_size={read.MAX_LINE_BYTES}, encoding='{"latin-1" if latin1 else "utf-8"}',
        dateformat={sql_str(dates)}{buffer})""")
    typed, guards = _typed_columns(typed_cols, types, keep_text)
    rules = value_rules(spec.table, {src: spec}, today, no_controls=True)
    give_up = " OR ".join([f"({rules.any_expr()})", *guards])
    fails = f"(CASE WHEN {give_up} THEN {_ERROR} END)::{FAILS_NULL.removeprefix('NULL::')}"
    # One statement reads, parses, checks and normalises: no typed copy of the file is staged first. The
    # reader gives no record number: load sets `_row` after.
    trial.table, trial.row_expr = f"({source})", "NULL"
    # The money's exact values (r_ columns) stay inside the pass, for the guards: stored, they would be
    # DECIMAL(money) again, which the reconciliation computes from the money itself (store.source_totals).
    return Read(m, normalised_rows(trial, src, spec, m, profile, rules, (), typed=typed, fails=fails, ascii=latin1),
                header)


def load(con: duckdb.DuckDBPyConnection, raw: RawFile, src: int, spec: FileSpec, profile: Profile,
         today: dt.date, out: str, keep_text: tuple[str, ...]) -> Mapping | None:
    """Read `raw` typed and normalised into `out` (plan). Returns the header mapping, or None (nothing
    created, `raw` untouched) when the file must take the text path. `out` stands only once confirm() has
    checked the whole file's survey."""
    read_plan = plan(raw, src, spec, profile, today, keep_text)
    if read_plan is None:
        return None
    try:
        # With the insertion order kept, the table's rowid is the record's place in the file: `_row` is set
        # from it. (10M trades, in a full batch: 6.15 s for this pass plus 0.33 s for the numbering, against
        # 3.86 s for a staged typed table plus 2.80 s to normalise it.)
        con.execute("SET preserve_insertion_order = true")
        try:
            con.execute(f"CREATE TEMP TABLE {out} AS {read_plan.rows}")
        finally:
            con.execute("SET preserve_insertion_order = false")
        rows = con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]
        con.execute(f"UPDATE {out} SET _row = rowid + 2")
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {out}")
        return None
    raw.header, raw.table, raw.row_expr = read_plan.header, "", ""
    raw.rows_read, raw.no_controls, raw.typed = rows, True, True
    return read_plan.mapping


def _reader(encoding: str) -> str:
    """How load reads a file of this scan encoding: an ASCII start reads as UTF-8 does."""
    return {"gb18030": "gb18030", "utf-8-sig": "utf-8-sig"}.get(encoding, "utf-8")


def confirm(con: duckdb.DuckDBPyConnection, raw: RawFile, scan: Scan, out: str) -> bool:
    """Whether `out`, loaded from `raw` as `raw.scan` described it, stands for the file the survey `scan` of the
    whole file describes; if not, `out` is dropped and the file takes the text path. It stands when the file
    is plain throughout (one line-end style, no control bytes), reads in the same encoding, and has one record
    per line after the header (a quoted line break makes rows and lines differ: the text path numbers those)."""
    if agrees(raw, scan, raw.rows_read):
        raw.scan, raw.sha256 = scan, scan.sha256
        raw.encoding = "utf-8" if scan.encoding == "ascii" else scan.encoding
        return True
    con.execute(f"DROP TABLE {out}")
    return False


def agrees(raw: RawFile, scan: Scan, rows: int) -> bool:
    """Whether the `rows` read from `raw`, as `raw.scan` described it, are the file the survey `scan` of the
    whole file describes (see confirm)."""
    return (scan.regular and scan.controls == 0 and _reader(scan.encoding) == _reader(raw.scan.encoding)
            and scan.lines == rows + 1)


def _typed_columns(typed_cols: dict[str, int], types: dict[str, str],
                   keep_text: tuple[str, ...]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """(r_ value, parsed value) SQL of each typed column for normalise, and the guards (on those names) under
    which the typed value might not be the text path's."""
    typed: dict[str, tuple[str, str]] = {}
    guards: list[str] = []
    for c, k in typed_cols.items():
        ref = f"r.c{k}"
        if types[c] == "BIGINT":
            typed[c] = (ref, f"TRY_CAST({ref} AS BIGINT)")
            guards.append(f"NOT isfinite(r_{c}) OR r_{c} <> floor(r_{c}) OR abs(r_{c}) >= {EXACT_INT}")
        elif types[c] == "DOUBLE" and c in keep_text:
            # The reconciliation's exact value, proven equal to the DECIMAL of the text by the round trip.
            typed[c] = (f"TRY_CAST({ref} AS DECIMAL(18,4))", ref)
            guards.append(f"abs({c}) >= {MONEY_LIMIT} OR r_{c}::DOUBLE <> {c} OR (r_{c} IS NULL) <> ({c} IS NULL)")
        else:
            typed[c] = (ref, ref)
    return typed, guards
