"""One import batch, start to finish, without Django: plan files, skip those already loaded (by SHA-256),
stage, normalise, validate, quarantine, then load all-or-nothing into the analytical store.

The operational client master is written afterwards by panhuo.imports.services from the store's clients
and advisors tables, so a crash between the two commits is repaired by the next run (see that module).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb

from panhuo.ingest import normalise as norm
from panhuo.ingest import store, typed, validate
from panhuo.ingest.problems import Problem, shown
from panhuo.ingest.profile import FileSpec, Profile, load_profile
from panhuo.ingest.read import RawFile, Scan, scan_file, stage_file
from panhuo.ingest.sqltext import sql_str
from panhuo.warehouse.schema import TABLES

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)
MAX_REPORTED = 2000
READ_WHILE_SCANNING = 64 << 20      # bytes: a file this big is read typed while it is hashed (tests lower it)
DIRECT_WRITE = 64 << 20             # bytes: a trades file this big may be written straight into the store
# Problems that make a whole file unusable: quarantine cannot set them aside row by row.
FILE_LEVEL = {"empty_file", "encoding", "mixed_encoding", "unreadable", "unknown_file", "unsupported_type",
              "zip_bomb", "formula", "merged_cells", "several_sheets", "no_header", "duplicate_header",
              "missing_column", "reconciliation"}


@dataclass
class FileResult:
    name: str
    sha256: str
    size: int
    table: str = ""
    encoding: str = ""
    status: str = "pending"        # loaded | already_loaded | rejected | validated (checked, not loaded)
    previous_batch: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    key: str
    profile: str
    status: str = "pending"        # loaded | unchanged | rejected
    files: list[FileResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    changes: list[dict] = field(default_factory=list)
    control_totals: dict = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    business_date: dt.date | None = None
    quarantine_file: str = ""     # rejected rows, unmasked, when loading with quarantine
    report_file: str = ""         # every problem of a rejected batch, values masked
    message: str = ""
    # The clients and advisors the batch's files carry: the operational master sync touches only these
    # (a file never changes a client it does not contain).
    client_ids: list[str] = field(default_factory=list)
    advisor_ids: list[str] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)


class BatchRejected(Exception):
    def __init__(self, result: BatchResult):
        super().__init__(result.message)
        self.result = result


def expand_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        else:
            out.append(p)
    return out


def _attach(con: duckdb.DuckDBPyConnection, path: Path, *, write: bool) -> None:
    if write:
        con.execute(f"ATTACH {sql_str(str(path))} AS wh")
        store.ensure_schema(con, "wh")
    elif path.exists():
        con.execute(f"ATTACH {sql_str(str(path))} AS wh (READ_ONLY)")
    else:
        con.execute("ATTACH ':memory:' AS wh")   # no store yet: validate against an empty one, write nothing
        store.ensure_schema(con, "wh")


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'wh' AND table_name = "
                      "'import_files'").fetchone()[0]
    return dict(con.execute("SELECT sha256, batch_key FROM wh.import_files").fetchall()) if has else {}


def _problems(con, names: dict[int, str], mappings: dict[int, norm.Mapping], *, masked: bool = True,
              limit: int | None = None):
    """The `bad` rows as Problems, naming the source header as written in the file."""
    sql = "SELECT _src, _row, col, value, code, detail FROM bad ORDER BY _src, _row, col"
    cur = con.execute(sql + (f" LIMIT {limit}" if limit else ""))
    while rows := cur.fetchmany(10_000):
        for src, row, col, value, code, detail in rows:
            source = mappings[src].sources.get(col) if col and src in mappings else None
            header = source if isinstance(source, str) else (source.code if source is not None else col)
            yield Problem(names.get(src, "?"), row, header,
                          shown(col or "", value) if masked else value, code, detail or "")


def _report(con, result: BatchResult, names: dict[int, str], mappings: dict[int, norm.Mapping]) -> None:
    """Count every problem; keep the first ones in the result (the report file has them all)."""
    result.problem_count += con.execute("SELECT count(*) FROM bad").fetchone()[0]
    result.problems += list(_problems(con, names, mappings, limit=MAX_REPORTED))


def _write_problem_file(path: Path, problems) -> str:
    """A CSV of problems. Owner-only: even masked rows are about clients. Cells a spreadsheet would run as
    formulas are made inert (OWASP ASVS 1.2.10)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["文件 file", "行 row", "列 column", "值 value", "原因", "reason"])
        for p in problems:
            cells = [p.file, "" if p.row is None else p.row, p.column or "", p.value or "", p.zh, p.en]
            w.writerow(["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") else c
                        for c in cells])
    return str(path)


def _fact_summary(plan: store.Plan) -> str:
    """What the batch does to stored facts, in words: every removal is stated, never silent."""
    tables = [e for e in plan.entries if "mode" in e]
    if not tables:
        return ""
    n = {k: sum(e[k] for e in tables) for k in ("rows_added", "rows_corrected", "rows_unchanged", "rows_removed")}
    return (f"（新增 {n['rows_added']}、更正 {n['rows_corrected']}、未变 {n['rows_unchanged']}、删除 {n['rows_removed']}）"
            f" / ({n['rows_added']} added, {n['rows_corrected']} corrected, {n['rows_unchanged']} unchanged, "
            f"{n['rows_removed']} removed)")


@dataclass
class _Work:
    """One batch's working state, handed from stage to stage of run_batch."""

    con: duckdb.DuckDBPyConnection
    prof: Profile
    result: BatchResult
    today: dt.date
    tick: Progress
    raws: dict[int, RawFile] = field(default_factory=dict)          # by file index: the files normalised
    specs: dict[int, FileSpec] = field(default_factory=dict)
    mappings: dict[int, norm.Mapping] = field(default_factory=dict)
    by_table: dict[str, list[int]] = field(default_factory=dict)    # table -> its files' indexes
    replace: dict[str, set[int]] = field(default_factory=dict)      # table -> the files replacing whole days
    staged: dict[str, str] = field(default_factory=dict)            # table -> its validated temp table
    known: dict[str, str] = field(default_factory=dict)             # hashes of files the store has loaded
    scans: dict[Path, Scan] = field(default_factory=dict)           # full scans, kept for a restaged run
    direct: _Direct | None = None                                    # the trades file written directly


@dataclass
class _Direct:
    """The batch's trades file, to be read straight into the store in the load transaction (_direct_write),
    planned on its first lines while a thread hashes and surveys the whole file."""

    i: int
    raw: RawFile
    read: typed.Read
    scanning: Future


class _Restage(Exception):
    """The direct write cannot show that its rows are the staged path's: the batch runs again, staged."""


def run_batch(*, store_path: Path, paths: list[Path], profile: str | Profile, batch_key: str,
              quarantine: bool = False, quarantine_dir: Path | None = None, progress: Progress | None = None,
              today: dt.date | None = None, dry_run: bool = False, replace_dates: bool = False) -> BatchResult:
    """Import `paths` into the store at `store_path`. Raises BatchRejected (with the problems) when refused.

    Fact files add and correct rows by key; `replace_dates` (or a profile's `full_day` file) replaces the
    whole days of the files' own branches instead (store.plan_facts). `dry_run` validates, reconciles the
    source side and plans (result.changes: rows to add, correct and remove per branch and day) and writes
    nothing (status "validated").

    Stages: per file `_plan_file`, `_skip_loaded`, `_stage`, `_normalise`; then `_validate` across files,
    `_quarantine` (or refuse), `_load`. A batch's one big trades file may instead be written straight into
    the store (_direct_write); when that write cannot show it gives the staged path's result, the batch is
    rolled back and runs again staged.
    """
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    files = expand_paths(paths)
    scans: dict[Path, Scan] = {}
    run = partial(_run, store_path=store_path, files=files, prof=prof, batch_key=batch_key, quarantine=quarantine,
                  quarantine_dir=quarantine_dir, progress=progress, today=today, dry_run=dry_run,
                  replace_dates=replace_dates, scans=scans)
    try:
        return run(direct=not dry_run)
    except _Restage as exc:
        log.info("batch %s: staged after all (%s)", batch_key, exc)
        return run(direct=False)


def _run(*, store_path: Path, files: list[Path], prof: Profile, batch_key: str, quarantine: bool,
         quarantine_dir: Path | None, progress: Progress | None, today: dt.date | None, dry_run: bool,
         replace_dates: bool, scans: dict[Path, Scan], direct: bool) -> BatchResult:
    """One run of run_batch's stages; `direct`: the batch's big trades file may be written directly."""
    result = BatchResult(key=batch_key, profile=prof.name)
    con = duckdb.connect(":memory:")
    pool = ThreadPoolExecutor(max_workers=1)
    work = _Work(con, prof, result, today or dt.date.today(), progress or (lambda stage, done, total: None),
                 scans=scans)
    try:
        con.execute("SET enable_progress_bar = false")
        _attach(con, store_path, write=False)
        validate.create_bad_table(con)
        known = work.known = loaded_hashes(con)
        write_direct = _direct_file(work, files) if direct else None
        seen: set[str] = set()
        for i, path in enumerate(files):
            work.tick("read", i, len(files))
            if path == write_direct and _plan_direct(work, i, path, pool):
                continue
            raw, spec, early = _plan_file(work, i, path)
            if spec is None or _skip_loaded(work, i, raw, known, seen, batch_key):
                if early:
                    con.execute(f"DROP TABLE n_{i}")
                continue
            if early:
                _took_typed(work, i, raw, spec, early)
            elif early is False or not _typed(work, i, raw, spec):
                _stage(work, i, raw, spec)
                _normalise(work, i, raw, spec)
        work.tick("read", len(files), len(files))
        for i, fr in enumerate(result.files):
            if i not in work.raws and fr.status == "pending" and not (work.direct and work.direct.i == i):
                fr.status = "rejected"
        fatal = list(result.problems)     # problems of whole files: no quarantine sets them aside
        _validate(work, quarantine=quarantine, replace_dates=replace_dates)
        _quarantine(work, fatal, quarantine=quarantine, folder=quarantine_dir or store_path.parent / "quarantine")
        return _load(work, store_path=store_path, dry_run=dry_run, replace_dates=replace_dates)
    finally:
        con.close()
        pool.shutdown()
        if work.direct is not None and work.direct.scanning.exception() is None:
            scans[work.direct.raw.path] = work.direct.scanning.result()


def _direct_file(work: _Work, files: list[Path]) -> Path | None:
    """The file to write straight into the store, if the batch has one: its only trades file, a big one."""
    trades = [p for p in files if (s := work.prof.spec_for(p.name)) is not None and s.table == "trades"]
    if len(trades) != 1 or not typed.ENABLED or trades[0].stat().st_size < DIRECT_WRITE:
        return None
    return trades[0]


def _plan_direct(work: _Work, i: int, path: Path, pool: ThreadPoolExecutor) -> bool:
    """Plan the direct write of trades file `path` on its first lines (typed.plan), and start its full scan
    (hash and survey) beside the rest of the batch; False, with nothing done, when the typed read refuses
    the file from the start."""
    spec = work.prof.spec_for(path.name)
    raw = RawFile(path=path, name=path.name, sha256="", size=path.stat().st_size, scan=scan_file(path, head=True))
    read_plan = typed.plan(raw, i, spec, work.prof, work.today, store.MONEY["trades"])
    if read_plan is None:
        return False
    work.result.files.append(FileResult(raw.name, "", raw.size, table=spec.table))
    work.direct = _Direct(i, raw, read_plan, pool.submit(scan_file, path))
    return True


def _direct_write(work: _Work, entry: dict, con: duckdb.DuckDBPyConnection) -> store.DirectLoad:
    """Write the batch's trades file straight into wh.trades, inside the load transaction (store.apply_batch
    calls this at the trades' turn, after the master tables).

    Why: staging 10M normalised rows in memory, then copying them into the store, makes a 10M-trade first
    load take about 17 s and 2.8 GiB instead of 15 s and 1.4 GiB (docs/import.md).

    Why it is safe: the write is taken only where it cannot differ from the staged path's. The typed read
    aborts on any row breaking a rule (as typed.load does). Every row must fall after the store's latest
    trade date: the rows are then added, and nothing is corrected or removed, exactly as the staged path's
    plan would say. Then the file's survey must agree with the read (typed.agrees), and its hash must be new;
    no trade id may repeat or be stored already; every client and (where instruments are known) every symbol
    must be known; no sale may exceed the holding. Anything else raises _Restage: the transaction is rolled
    back, and the batch runs again staged, where every problem is found and reported as before.

    The reconciliation: the row count is the survey's, independent of DuckDB's reader; the money's source
    totals are the sums of the rows as the reader wrote them, which are the rows loaded (there is no copy
    between them for the reconciliation to check)."""
    d = work.direct
    cols = ", ".join(store.TABLES["trades"].column_names)
    after = con.execute("SELECT max(trade_date) FROM wh.trades").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        rows = con.execute(f"INSERT INTO wh.trades ({cols}) SELECT {cols} FROM ({d.read.rows}) "
                           "WHERE _fails IS NULL").fetchone()[0]     # _fails named, so its guards run
    except duckdb.Error as exc:
        raise _Restage(f"{d.raw.name}: the typed read refused it") from exc
    scan = d.scanning.result()
    if scan.sha256 in work.known:
        raise _Restage(f"{d.raw.name}: already loaded")
    if not typed.agrees(d.raw, scan, rows):
        raise _Restage(f"{d.raw.name}: the survey of the whole file differs from its first lines")
    new = "wh.trades" + (f" WHERE trade_date > DATE '{after}'" if after else "")
    con.execute(f"CREATE OR REPLACE TEMP VIEW _direct AS SELECT * FROM {new}")
    if (refused := _direct_refusal(con, rows, after)) is not None:
        raise _Restage(f"{d.raw.name}: {refused}")
    store.update_aggregates(con, "_direct", None)
    loaded = store.totals_of(con, "_direct", "trades")
    last = con.execute("SELECT max(trade_date) FROM _direct").fetchone()[0]
    con.execute("DROP VIEW _direct")
    fr = work.result.files[d.i]
    fr.sha256, fr.status, fr.rows_read, fr.rows_loaded = scan.sha256, "loaded", rows, rows
    fr.encoding = "utf-8" if scan.encoding == "ascii" else scan.encoding
    fr.dropped_columns, fr.absent_columns = d.read.mapping.dropped, d.read.mapping.absent
    entry["rows_added"] = rows
    if last is not None:
        work.result.business_date = max(work.result.business_date or last, last)
    return store.DirectLoad(source={**loaded, "rows": scan.lines - 1}, loaded=loaded, business_date=last,
                            ledger={"sha256": scan.sha256, "name": fr.name, "table": "trades", "rows_loaded": rows})


def _direct_refusal(con: duckdb.DuckDBPyConnection, rows: int, after: dt.date | None) -> str | None:
    """Why the `rows` just written (view `_direct`: the store's trades after date `after`) are not simply
    added rows, or None. The checks are the staged path's (validate), on the store's rows."""
    # Distinct hashes: no repeated hash proves no repeated id; a repeat (or, once in billions, a collision)
    # goes to the staged path, which counts the ids themselves.
    counted, ids = con.execute("SELECT count(*), count(DISTINCT hash(trade_id)) FROM _direct").fetchone()
    if counted != rows:
        return f"rows on or before the store's last trade date {after}"
    if ids != rows:
        return "a trade id repeats"
    checks = {"an unknown client": "SELECT 1 FROM _direct ANTI JOIN wh.clients USING (client_id)"}
    if con.execute("SELECT count(*) FROM (SELECT 1 FROM wh.instruments LIMIT 1)").fetchone()[0]:
        checks["an unknown symbol"] = "SELECT 1 FROM _direct ANTI JOIN wh.instruments USING (symbol)"
    if after:
        checks["a stored trade id"] = (f"SELECT 1 FROM _direct SEMI JOIN (SELECT trade_id FROM wh.trades "
                                       f"WHERE trade_date <= DATE '{after}') USING (trade_id)")
    for why, sql in checks.items():
        if con.execute(f"SELECT count(*) FROM ({sql} LIMIT 1)").fetchone()[0]:
            return why
    # The store holds the batch's positions (loaded before the trades) and, now, all of its trades.
    validate.check_oversell(con, "(SELECT *, NULL::INTEGER AS _src, NULL::BIGINT AS _row FROM _direct)", {},
                            trades="SELECT client_id, symbol, trade_date, side, quantity FROM wh.trades")
    if con.execute("SELECT count(*) FROM bad").fetchone()[0]:
        return "a sale beyond the holding"
    return None


def _plan_file(work: _Work, i: int, path: Path) -> tuple[RawFile, FileSpec | None, norm.Mapping | bool | None]:
    """Plan: the file's hash and which file of the profile it is (None, and rejected, when none). A big file is
    read typed as it is hashed (_typed_while_scanning): then the third value is the typed read's mapping, or
    False when it gave the file to the text path; None when it was not tried."""
    spec = work.prof.spec_for(path.name)
    raw = RawFile(path=path, name=path.name, sha256="", size=path.stat().st_size)
    early: norm.Mapping | bool | None = None
    if path in work.scans:          # surveyed already, by the run that tried the direct write
        raw.scan = work.scans[path]
        raw.sha256 = raw.scan.sha256
    elif spec is not None and raw.size >= READ_WHILE_SCANNING and typed.ENABLED:
        raw, early = _typed_while_scanning(work, i, raw, spec)
    else:
        raw.scan = scan_file(path)
        raw.sha256 = raw.scan.sha256
    fr = FileResult(raw.name, raw.sha256, raw.size)
    work.result.files.append(fr)
    if spec is None:
        work.result.problems.append(Problem(raw.name, None, None, None, "unknown_file", work.prof.name))
        fr.status = "rejected"
        return raw, None, None
    fr.table = spec.table
    return raw, spec, early


def _typed_while_scanning(work: _Work, i: int, raw: RawFile, spec: FileSpec) -> tuple[RawFile, norm.Mapping | bool]:
    """Read a big file typed on what its first lines show, while a thread hashes it and surveys its line ends;
    the read stands only if the whole file's survey agrees (typed.confirm), else the file takes the text path.
    DuckDB's read leaves part of the second core idle: the survey (0.9 s of a 10M-trade import) runs there.
    A file already loaded is read for nothing before its hash skips it: a re-run costs one read."""
    trial = RawFile(path=raw.path, name=raw.name, sha256="", size=raw.size, scan=scan_file(raw.path, head=True))
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_file, raw.path)
        try:
            m = typed.load(work.con, trial, i, spec, work.prof, work.today, f"n_{i}", store.MONEY.get(spec.table, ()))
        finally:
            scan = scanning.result()
    if m is not None and typed.confirm(work.con, trial, scan, f"n_{i}"):
        return trial, m
    raw.scan, raw.sha256 = scan, scan.sha256
    return raw, False


def _skip_loaded(work: _Work, i: int, raw: RawFile, known: dict[str, str], seen: set[str], batch_key: str) -> bool:
    """Skip a file whose SHA-256 the store has loaded before, or that this batch already holds."""
    if raw.sha256 in known or raw.sha256 in seen:
        fr = work.result.files[i]
        fr.status, fr.previous_batch = "already_loaded", known.get(raw.sha256, batch_key)
        return True
    seen.add(raw.sha256)
    return False


def _typed(work: _Work, i: int, raw: RawFile, spec: FileSpec) -> bool:
    """Stage and normalise a clean CSV in one typed read (ingest.typed); False, with nothing done, when the
    file needs the text path (_stage, _normalise)."""
    out = f"n_{i}"
    m = typed.load(work.con, raw, i, spec, work.prof, work.today, out, store.MONEY.get(spec.table, ()))
    if m is None or not typed.confirm(work.con, raw, raw.scan, out):
        return False
    _took_typed(work, i, raw, spec, m)
    return True


def _took_typed(work: _Work, i: int, raw: RawFile, spec: FileSpec, m: norm.Mapping) -> None:
    fr = work.result.files[i]
    fr.encoding, fr.rows_read, fr.dropped_columns, fr.absent_columns = raw.encoding, raw.rows_read, m.dropped, m.absent
    work.raws[i], work.specs[i], work.mappings[i] = raw, spec, m


def _stage(work: _Work, i: int, raw: RawFile, spec: FileSpec) -> None:
    """Stage: the file's records as text in the raw table `raw_<i>`."""
    raw.table = f"raw_{i}"
    # The raw table's rowid is the record's place in the file (read.py): staged in order. Past that,
    # every row carries its source row number, and not keeping the order lets DuckDB write in parallel.
    work.con.execute("SET preserve_insertion_order = true")
    stage_file(work.con, raw, raw.table, sheet=spec.sheet)
    work.con.execute("SET preserve_insertion_order = false")
    fr = work.result.files[i]
    fr.encoding, fr.rows_read = raw.encoding, raw.rows_read


def _normalise(work: _Work, i: int, raw: RawFile, spec: FileSpec) -> None:
    """Normalise: headers mapped and values parsed into `n_<i>`, the per-value rules checked in the same pass;
    then the file's own problems recorded (a file-level one rejects the file)."""
    if not any(p.code in FILE_LEVEL for p in raw.problems) and raw.header:
        m = norm.map_headers(raw, spec)
        work.result.files[i].dropped_columns, work.result.files[i].absent_columns = m.dropped, m.absent
        if not any(p.code in FILE_LEVEL for p in raw.problems):      # a missing or repeated column
            rules = validate.value_rules(spec.table, {i: spec}, work.today, no_controls=raw.no_controls)
            norm.normalise(work.con, raw, i, spec, m, work.prof, f"n_{i}", rules, store.MONEY.get(spec.table, ()))
            work.raws[i], work.specs[i], work.mappings[i] = raw, spec, m
    for p in raw.problems:
        if p.code == "field_count":
            work.con.execute("INSERT INTO bad VALUES (?, ?, NULL, NULL, 'field_count', ?)", [i, p.row, p.detail])
        else:
            work.result.problems.append(p)
    if any(p.code in FILE_LEVEL for p in raw.problems):
        work.result.files[i].status = "rejected"


def _set_aside(con: duckdb.DuckDBPyConnection, s: str) -> None:
    """With quarantine, rows with a problem leave the staged table (their problems stay in `bad`), so the checks
    after this one and the load see only the good rows."""
    con.execute(f"DELETE FROM {s} WHERE (_src, _row) IN (SELECT (_src, _row) FROM bad)")


def _validate(work: _Work, *, quarantine: bool, replace_dates: bool) -> None:
    """Validate across rows and files, table by table in load order: the per-value problems collected,
    duplicate keys, the days a full-day file replaces, references to the tables staged before."""
    con, result = work.con, work.result
    for i, spec in work.specs.items():
        work.by_table.setdefault(spec.table, []).append(i)
    work.replace = {t: {i for i in ids if replace_dates or work.specs[i].full_day}
                    for t, ids in work.by_table.items() if t in store.DATE_COLUMN}
    for n, table in enumerate(store.LOAD_ORDER):
        if table not in work.by_table:
            continue
        work.tick("validate", n, len(store.LOAD_ORDER))
        ids = work.by_table[table]
        s = f"s_{table}"
        if len(ids) == 1:
            con.execute(f"ALTER TABLE n_{ids[0]} RENAME TO {s}")
        else:
            # A typed read stages no money text (r_): its DECIMAL, as text, re-parses as the text would have.
            text = "".join(f", TRY_CAST({c} AS DECIMAL(18,4))::VARCHAR AS r_{c}" for c in store.MONEY.get(table, ()))
            con.execute(f"CREATE TEMP TABLE {s} AS " + " UNION ALL BY NAME ".join(
                f"SELECT *{text} FROM n_{i}" if work.raws[i].typed else f"SELECT * FROM n_{i}" for i in ids))
        validate.collect(con, s)
        if quarantine:
            _set_aside(con, s)
        dups = validate.dedupe_and_check_keys(con, s, table, exists_in_store=True)
        dup_by_src = dict(con.execute(f"SELECT _src, count(*) FROM {s}_ranked WHERE same_rank > 1 GROUP BY 1"
                                      ).fetchall()) if dups else {}
        for i in ids:
            result.files[i].rows_duplicate = dup_by_src.get(i, 0)
        work.staged[table] = s
        if work.replace.get(table):      # the branch-days a full-day file replaces, for the holdings check
            store.branch_map(con, work.staged)
            store.replace_scope(con, s, table, work.replace[table])
        validate.check_references(con, s, table, work.staged)
        if quarantine:
            _set_aside(con, s)
    work.tick("validate", len(store.LOAD_ORDER), len(store.LOAD_ORDER))


def _quarantine(work: _Work, fatal: list[Problem], *, quarantine: bool, folder: Path) -> None:
    """Quarantine or refuse: every problem counted and reported with its source text. Refused (BatchRejected,
    with a masked report file) on a file-level problem, or on any problem without quarantine; with it, the
    rows set aside go to an unmasked quarantine file for the branch to correct."""
    con, result, batch_key = work.con, work.result, work.result.key
    if work.direct and (fatal or con.execute("SELECT count(*) FROM bad").fetchone()[0]):
        raise _Restage("problems in the batch: the trades file is checked and reported with them")
    for i, raw in work.raws.items():
        if raw.typed:       # no text staged: read it now, only for a file with rows to show
            if raw.table:
                con.execute(f"DROP TABLE {raw.table}")
            if not con.execute("SELECT count(*) FROM bad WHERE _src = ? AND value IS NULL AND col IS NOT NULL",
                               [i]).fetchone()[0]:
                continue
            raw = RawFile(path=raw.path, name=raw.name, sha256=raw.sha256, size=raw.size, scan=raw.scan)
            _stage(work, i, raw, work.specs[i])
        norm.fill_values(con, i, raw, work.specs[i], work.mappings[i])
        con.execute(f"DROP TABLE {raw.table}")
    bad_by_src = dict(con.execute("SELECT _src, count(DISTINCT _row) FROM bad GROUP BY 1").fetchall())
    for i, fr in enumerate(result.files):
        fr.rows_quarantined = bad_by_src.get(i, 0) if quarantine else 0
    names = {i: f.name for i, f in enumerate(result.files)}
    _report(con, result, names, work.mappings)
    if fatal or (result.problem_count and not quarantine):
        result.status = "rejected"
        for i, fr in enumerate(result.files):
            if fr.status == "pending":      # read and checked; the batch, not the file, was refused
                fr.status = "rejected" if bad_by_src.get(i) else "validated"
        result.problem_count += len(fatal)
        result.message = (f"导入被拒绝：{result.problem_count} 个问题，未写入任何数据 / batch rejected: "
                          f"{result.problem_count} problems, nothing was written")
        result.report_file = _write_problem_file(
            folder / f"problems-{batch_key}.csv", [*fatal, *_problems(con, names, work.mappings)])
        raise BatchRejected(result)
    if result.problem_count:
        # The rows as they came, unmasked, so the branch can correct them and send them again.
        result.quarantine_file = _write_problem_file(
            folder / f"quarantine-{batch_key}.csv", _problems(con, names, work.mappings, masked=False))


def _load(work: _Work, *, store_path: Path, dry_run: bool, replace_dates: bool) -> BatchResult:
    """Load all-or-nothing: the plan of added, corrected and removed rows, applied and reconciled in one
    transaction of the analytical store (store.apply_batch); with `dry_run`, the plan only."""
    con, result, staged, by_table = work.con, work.result, work.staged, work.by_table
    if not staged and not work.direct:
        result.status = "unchanged"
        result.message = "所有文件此前均已导入，未做任何更改 / every file was already loaded; nothing changed"
        return result
    source = {t: store.source_totals(con, s, t) for t, s in staged.items()}
    for t, s in staged.items():
        per_src = dict(con.execute(f"SELECT _src, count(*) FROM {s} GROUP BY 1").fetchall())
        for i in by_table[t]:
            result.files[i].rows_loaded = per_src.get(i, 0)
            result.files[i].status = "loaded"
    dates = []
    for t in ("trades", "daily_assets", "positions"):
        if t in staged:
            dates.append(con.execute(f"SELECT max({store.DATE_COLUMN[t]}) FROM {staged[t]}").fetchone()[0])
    result.business_date = max((d for d in dates if d is not None), default=None)
    absent = {t: set.intersection(*(set(work.mappings[i].absent) for i in by_table[t])) for t in staged}
    ledger = [{"sha256": f.sha256, "name": f.name, "table": f.table, "rows_loaded": f.rows_loaded}
              for f in result.files if f.status == "loaded"]
    plan = store.plan_facts(con, staged, work.replace, added_by_day=dry_run)
    direct = None
    if work.direct:     # its plan, as the staged path's would be: every row added (_direct_write makes sure)
        full_day = replace_dates or work.prof.spec_for(work.direct.raw.name).full_day
        entry = {"table": "trades", "mode": "replace_dates" if full_day else "upsert", "rows_added": 0,
                 "rows_corrected": 0, "rows_unchanged": 0, "rows_removed": 0}
        later = store.LOAD_ORDER[store.LOAD_ORDER.index("trades") + 1:]
        plan.entries.insert(next((n for n, e in enumerate(plan.entries) if e["table"] in later),
                                 len(plan.entries)), entry)
        direct = partial(_direct_write, work, entry)
    if dry_run:
        result.status = "validated"
        for f in result.files:
            if f.status == "loaded":        # would be loaded (rows_loaded says how many); nothing was written
                f.status = "validated"
        result.changes = plan.entries
        result.message = (f"校验通过，未写入 / validated, nothing written: {result.total('rows_loaded')} rows"
                          + _fact_summary(plan))
        return result
    for t, key, out in (("clients", "client_id", result.client_ids), ("advisors", "advisor_id", result.advisor_ids)):
        if t in staged:
            out += [r[0] for r in con.execute(f"SELECT DISTINCT {key} FROM {staged[t]} ORDER BY 1").fetchall()]
    work.tick("load", 0, 1)
    store.kill_point("validated")
    con.execute("DETACH wh")
    _attach(con, store_path, write=True)
    try:
        result.changes, result.control_totals = store.apply_batch(
            con, staged=staged, absent=absent, ledger=ledger, batch_key=result.key, source=source,
            plan=plan, business_date=result.business_date, direct=direct)
    except store.ReconciliationError as exc:
        result.status = "rejected"
        for f in result.files:
            if f.status == "loaded":        # rolled back: nothing of the batch is in the store
                f.status, f.rows_loaded = "rejected", 0
        result.problems += [Problem("*", None, None, None, "reconciliation", m) for m in exc.mismatches]
        result.problem_count += len(exc.mismatches)
        result.message = f"对账不符，已回滚 / reconciliation failed, rolled back: {exc}"
        raise BatchRejected(result) from exc
    work.tick("load", 1, 1)
    result.tables = sorted([*staged, *(["trades"] if work.direct else [])])
    result.status = "loaded"
    skipped = sum(1 for f in result.files if f.status == "already_loaded")
    result.message = (f"已导入 {result.total('rows_loaded')} 行 / loaded {result.total('rows_loaded')} rows"
                      + _fact_summary(plan)
                      + (f"; {skipped} 个文件此前已导入，跳过 / {skipped} already loaded, skipped" if skipped else ""))
    return result


def restore_batch(*, store_path: Path, batch_key: str) -> list[dict]:
    """Put back the rows batch `batch_key` removed or overwrote, all-or-nothing (store.restore). The caller
    holds the import lock (panhuo.imports.services.import_restore). Raises store.RestoreError when refused."""
    if not store_path.exists():
        raise store.RestoreError(f"没有分析库 / no analytical store at {store_path}")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        _attach(con, store_path, write=True)
        return store.restore(con, batch_key)
    finally:
        con.close()


def client_master_rows(store_path: Path) -> tuple[list[dict], list[dict]]:
    """The store's clients and advisors, for the operational client master (read-only open)."""
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        def rows(sql: str) -> list[dict]:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        return (rows(f"SELECT {', '.join(TABLES['clients'].column_names)} FROM clients"),
                rows(f"SELECT {', '.join(TABLES['advisors'].column_names)} FROM advisors"))
    finally:
        con.close()


def unsynced_batches(store_path: Path, synced: set[str]) -> list[str]:
    """Batch keys the store committed that the operational store has not recorded as loaded."""
    if not store_path.exists():
        return []
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'import_files'").fetchone()[0]
        keys = [r[0] for r in con.execute("SELECT DISTINCT batch_key FROM import_files").fetchall()] if has else []
    finally:
        con.close()
    return [k for k in keys if k not in synced]
