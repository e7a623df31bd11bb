"""From staged text to canonical columns: header mapping, then one SQL pass of parse expressions and
per-value rules.

Each canonical column `x` is parsed into `x` (NULL when it does not parse; a rule turns that into a problem)
from its trimmed source text `r_x`, which is stored only for the money columns the reconciliation re-parses
independently; messages get the text of failing rows from the rules' pass or from a targeted re-read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import duckdb

from panhuo.ingest.problems import Problem
from panhuo.ingest.profile import DOMAINS, FileSpec, Profile, SymbolSource
from panhuo.ingest.read import RawFile
from panhuo.ingest.sqltext import Checks, sql_str
from panhuo.warehouse.schema import Column


@dataclass
class Mapping:
    """Which source header feeds each canonical column; what was dropped (minimisation) or is absent."""

    sources: dict[str, str | SymbolSource] = field(default_factory=dict)   # canonical -> header (resolved)
    index: dict[str, int] = field(default_factory=dict)                    # header -> position c<i>
    dropped: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


def _key(header: str) -> str:
    return unicodedata.normalize("NFKC", header).strip().casefold()


def map_headers(raw: RawFile, spec: FileSpec) -> Mapping:
    m = Mapping()
    seen: dict[str, int] = {}
    for i, h in enumerate(raw.header):
        k = _key(h)
        if k in seen and k:
            raw.problems.append(Problem(raw.name, 1, h, None, "duplicate_header", h))
        seen.setdefault(k, i)

    def find(options: tuple[str, ...]) -> str | None:
        for o in options:
            if _key(o) in seen:
                return raw.header[seen[_key(o)]]
        return None

    used: set[str] = set()
    for col in spec.schema.columns:
        src = spec.columns.get(col.name)
        if src is None:
            m.absent.append(col.name)
            continue
        if isinstance(src, SymbolSource):
            code = find((src.code,))
            market = find((src.market,)) if src.market else None
            if code is None or (src.market and market is None):
                wanted = src.code if code is None else src.market
                if not col.nullable:
                    raw.problems.append(Problem(raw.name, 1, wanted, None, "missing_column", wanted))
                else:
                    m.absent.append(col.name)
                continue
            m.sources[col.name] = SymbolSource(code, market)
            used.update(x for x in (code, market) if x)
        else:
            header = find(src)
            if header is None:
                if not col.nullable:
                    raw.problems.append(Problem(raw.name, 1, src[0], None, "missing_column", " / ".join(src)))
                else:
                    m.absent.append(col.name)
                continue
            m.sources[col.name] = header
            used.add(header)
    m.index = {h: i for i, h in enumerate(raw.header)}
    m.dropped = [h for h in raw.header if h not in used and h != ""]
    return m


def trimmed(ref: str, ascii: bool = False) -> str:
    """Trimmed text, NULL when empty. trim() builds a new string for every value, and it can only change a
    value holding an ASCII space or a non-ASCII character (it trims the Unicode space separators, all but one
    non-ASCII): the others skip it, -25% on the parse pass of 10M trades. `ascii`: the caller has proven
    every value ASCII or free of surrounding Unicode spaces (ingest.typed), so the character count goes."""
    if ascii:
        return f"nullif(CASE WHEN contains({ref}, ' ') THEN trim({ref}) ELSE {ref} END, '')"
    return (f"nullif(CASE WHEN contains({ref}, ' ') OR strlen({ref}) <> length({ref}) THEN trim({ref}) "
            f"ELSE {ref} END, '')")


def _case(expr: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} ELSE NULL END)"


def without_commas(t: str) -> str:
    """`t` with thousands separators removed. replace() builds a new string for every value even when there
    is nothing to replace; behind contains() only the values with a comma pay for it (-20% on a money parse)."""
    return f"(CASE WHEN contains({t}, ',') THEN replace({t}, ',', '') ELSE {t} END)"


def number_expr(t: str, typ: str = "DOUBLE") -> str:
    """Thousands separators out, then a cast. NaN and infinity parse here and are refused by validation;
    whole numbers take the plain integer cast, anything with a point or exponent must be whole to pass."""
    n = without_commas(t)
    if typ == "DOUBLE":
        return f"TRY_CAST({n} AS DOUBLE)"
    x = f"TRY_CAST({n} AS DOUBLE)"
    limit = "9.2e18" if typ == "BIGINT" else "2.1e9"
    exact = f"(CASE WHEN {x} = floor({x}) AND abs({x}) < {limit} THEN {x}::{typ} END)"
    # contains() rather than regexp_matches(n, '[.eE]'): same test, no regular expression per value.
    point = f"(contains({n}, '.') OR contains({n}, 'e') OR contains({n}, 'E'))"
    return f"(CASE WHEN {point} THEN {exact} ELSE TRY_CAST({n} AS {typ}) END)"


def parse_expr(col: Column, t: str, spec: FileSpec, profile: Profile) -> str:
    """SQL parsing the trimmed text `t` into the canonical type of `col`; NULL when it does not parse."""
    typ = col.sql_type
    if col.name in spec.values:
        return _case(t, spec.values[col.name])
    if col.name in DOMAINS:
        return _case(t, {v: v for v in DOMAINS[col.name]})
    if typ in ("DATE", "TIMESTAMP"):
        fmts = [*profile.date_formats, "%Y-%m-%d"] if typ == "DATE" else [
            *profile.timestamp_formats, "%Y-%m-%d %H:%M:%S", *profile.date_formats, "%Y-%m-%d"]
        # COALESCE only tries the next format on the rows the previous one left NULL.
        tries = ", ".join(f"try_strptime({t}, {sql_str(f)})" for f in dict.fromkeys(fmts))
        return f"coalesce({tries})" + ("::DATE" if typ == "DATE" else "")
    if typ in ("DOUBLE", "BIGINT", "INTEGER"):
        return number_expr(t, typ)
    if typ == "BOOLEAN":
        yes = ", ".join(sql_str(v.upper()) for v in profile.booleans["true"])
        no = ", ".join(sql_str(v.upper()) for v in profile.booleans["false"])
        return f"(CASE WHEN upper({t}) IN ({yes}) THEN true WHEN upper({t}) IN ({no}) THEN false END)"
    if col.name == "symbol":
        return symbol_expr(t, None, profile)
    if col.name == "phone":
        digits = f"regexp_replace({t}, '[\\s-]', '', 'g')"
        return f"regexp_replace({digits}, '^(\\+?86)(1\\d{{10}})$', '\\2')"
    if col.name == "id_number":
        return f"upper(regexp_replace({t}, '\\s', '', 'g'))"
    return t


def symbol_expr(code_t: str, market_t: str | None, profile: Profile) -> str:
    """600000.SH from 600000.SH, sh600000, 600000 + 市场 1, or 600000 alone (exchange from the code prefix).

    The bare six digits, by far the commonest form, are tested and used as written: digits have no case, and
    upper() would copy every code. Likewise the market is looked up as written first and upper-cased only
    when that finds nothing (COALESCE evaluates its next argument only for the rows still NULL)."""
    c = f"upper({code_t})"
    # GLOB's [0-9] is RE2's \d (ASCII digits only), without a regular expression per row: -0.2 s on 10M trades.
    six_digits = f"({code_t} GLOB '{'[0-9]' * 6}')"
    dotted = f"CASE WHEN regexp_full_match({c}, '\\d{{6}}\\.(SH|SZ|BJ)') THEN {c} END"
    prefixed = (f"CASE WHEN regexp_full_match({c}, '(SH|SZ|BJ)\\d{{6}}') "
                f"THEN substr({c}, 3) || '.' || substr({c}, 1, 2) END")
    if market_t is not None:
        markets = {k.upper(): v for k, v in profile.markets.items()}
        as_written = {k: markets[k.upper()] for k in profile.markets} | markets
        market = f"coalesce({_case(market_t, as_written)}, {_case(f'upper({market_t})', markets)})"
        bare = f"CASE WHEN {six_digits} THEN {code_t} || '.' || {market} END"
    else:
        bare = (f"CASE WHEN {six_digits} THEN {code_t} || '.' || (CASE "
                f"WHEN regexp_full_match({code_t}, '(60|68|90)\\d{{4}}') THEN 'SH' "
                f"WHEN regexp_full_match({code_t}, '(00|30|20)\\d{{4}}') THEN 'SZ' "
                f"WHEN regexp_full_match({code_t}, '(4|8|92)\\d+') THEN 'BJ' END) END")
    return f"coalesce({bare}, {dotted}, {prefixed})"


def source_text(raw: RawFile, spec: FileSpec, m: Mapping, ascii: bool = False) -> dict[str, str]:
    """SQL of each mapped canonical column's trimmed source text over `raw` (alias r): what messages show and
    what the reconciliation re-parses."""
    out: dict[str, str] = {}
    for col in spec.schema.columns:
        s = m.sources.get(col.name)
        if isinstance(s, SymbolSource):
            code_t = trimmed(raw.column(m.index[s.code]), ascii)
            market_t = trimmed(raw.column(m.index[s.market]), ascii) if s.market else None
            out[col.name] = code_t if market_t is None else f"{code_t} || coalesce('|' || {market_t}, '')"
        elif s is not None:
            out[col.name] = trimmed(raw.column(m.index[s]), ascii)
    return out


def normalise(con: duckdb.DuckDBPyConnection, raw: RawFile, src: int, spec: FileSpec, m: Mapping,
              profile: Profile, out: str, rules: Checks, keep_text: tuple[str, ...] = (), **typed) -> None:
    """Create staging table `out` from the rows of normalised_rows."""
    sql = normalised_rows(raw, src, spec, m, profile, rules, keep_text, **typed)
    con.execute(f"CREATE TEMP TABLE {out} AS {sql}")


def normalised_rows(raw: RawFile, src: int, spec: FileSpec, m: Mapping, profile: Profile, rules: Checks,
                    keep_text: tuple[str, ...] = (), typed: dict[str, tuple[str, str]] | None = None,
                    fails: str | None = None, ascii: bool = False) -> str:
    """The SELECT of a file's normalised rows: _src, _row, the parsed canonical columns, r_<col> source text
    only for the `keep_text` columns (the money the reconciliation re-parses), and `_fails`, the per-value
    rules each row breaks (NULL for a clean row). The rules see every source text in this one pass; the text of the few
    rows that other checks refuse is read back from the raw table afterwards (fill_values), so the text of
    10M clean rows is never stored.

    The typed read (ingest.typed) passes `typed`, canonical column -> (r_ value, parsed value) SQL for the
    columns DuckDB's reader already typed, `fails`, its own `_fails` expression, and `ascii` (see trimmed)."""
    typed = typed or {}
    text = source_text(raw, spec, m, ascii)
    inner = [f"{src}::INTEGER AS _src", f"({raw.row_expr})::BIGINT AS _row"]
    outer = ["_src", "_row"]
    for col in spec.schema.columns:
        t = text.get(col.name)
        s = m.sources.get(col.name)
        if col.name in typed:
            t, parsed = typed[col.name]
        elif t is None:
            parsed = f"NULL::{col.sql_type}"
        elif isinstance(s, SymbolSource):
            market_t = trimmed(raw.column(m.index[s.market]), ascii) if s.market else None
            parsed = symbol_expr(trimmed(raw.column(m.index[s.code]), ascii), market_t, profile)
        else:
            parsed = f"{parse_expr(col, t, spec, profile)}::{col.sql_type}"
        inner += [f"{t or 'NULL::VARCHAR'} AS r_{col.name}", f"{parsed} AS {col.name}"]
        outer += [col.name] + ([f"r_{col.name}"] if col.name in keep_text else [])
    return (f"SELECT {', '.join(outer)}, {fails or rules.fails_expr()} AS _fails "
            f"FROM (SELECT {', '.join(inner)} FROM {raw.table} r{raw.joins})")


def fill_values(con: duckdb.DuckDBPyConnection, src: int, raw: RawFile, spec: FileSpec, m: Mapping) -> None:
    """Give the `bad` rows of file `src` that were recorded without a value (keys, references, oversells)
    their source text, by a targeted read of the raw table: only the rows named in `bad`."""
    text = source_text(raw, spec, m)
    cols = [c for (c,) in con.execute("SELECT DISTINCT col FROM bad WHERE _src = ? AND value IS NULL AND col IS NOT "
                                      "NULL", [src]).fetchall() if c in text]
    for c in cols:
        con.execute(f"""UPDATE bad SET value = x.v FROM (
            SELECT * FROM (SELECT ({raw.row_expr})::BIGINT AS _row, {text[c]} AS v FROM {raw.table} r{raw.joins})
            WHERE _row IN (SELECT _row FROM bad WHERE _src = {src} AND col = {sql_str(c)} AND value IS NULL)) x
            WHERE bad._src = {src} AND bad.col = {sql_str(c)} AND bad.value IS NULL AND bad._row = x._row""")
