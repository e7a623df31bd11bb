"""Reading source files into DuckDB staging tables, every value as text, each row with its source row number.

CSV: strict UTF-8 (with or without BOM) first, then GB18030; UTF-8 is never decoded as GBK, because UTF-8
bytes decode as GB18030 without error into mojibake. The first line with non-ASCII text decides: a file whose
first such line is UTF-8 is UTF-8, and a later line in GB18030 is named as the line that is not UTF-8. One streaming pass checks the encoding, normalises line
ends and writes a UTF-8 copy that DuckDB's parallel CSV reader loads. XLSX/XLS: size and zip-bomb checks on
the archive, then calamine. Row numbers count records, header = 1; blank lines are not records.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from panhuo.ingest.problems import Problem
from panhuo.ingest.sqltext import sql_str

CHUNK = 8 << 20
HEAD = CHUNK                      # bytes of a file's start surveyed before it is read (at most CHUNK)
MIXED_CHECK_BYTES = 64 << 20      # lines of a GB18030 file checked for stray UTF-8 (all of any file this size)
MAX_LINE_BYTES = 32 << 20         # DuckDB reads longer lines than this as an error; fields are capped later
BIG_BUFFER = 64 << 20
XLSX_MAX_UNPACKED = 512 << 20
XLSX_MAX_RATIO = 200
XLSX_MAX_ENTRIES = 10_000
INLINE_DECODE = 32               # distinct GB18030 values of a column decoded by CASE rather than a join
_UTF8_BOM = codecs.BOM_UTF8
_CJK_UTF8 = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")


@dataclass
class RawFile:
    path: Path
    name: str
    sha256: str
    size: int
    table: str = ""               # DuckDB staging table, columns c0..cN as VARCHAR
    row_expr: str = "r._row"      # SQL giving each staged row its source row number (alias r)
    columns: dict[int, str] = field(default_factory=dict)   # SQL for c<i> when not plain r.c<i> (decoded text)
    joins: str = ""               # LEFT JOINs those expressions need
    scan: Scan | None = None

    def column(self, i: int) -> str:
        return self.columns.get(i, f"r.c{i}")
    header: list[str] = field(default_factory=list)
    encoding: str = ""
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    # No value can hold a control character: the file has no control bytes besides line ends, and every line
    # is one record (so no quoted field spans lines). Validation then skips its per-value control check.
    no_controls: bool = False
    # Read by ingest.typed: `table` holds typed values, not text; messages read the text back from the file.
    typed: bool = False


@dataclass
class Scan:
    """One pass over the bytes: the hash for idempotence, the encoding the first non-ASCII bytes imply, and
    whether line ends are regular enough for DuckDB to read the file as it is."""

    sha256: str
    encoding: str          # ascii | utf-8 | utf-8-sig | gb18030
    regular: bool          # one line-end style, no bare CR, no blank lines
    controls: int = -1     # control bytes other than line ends (never part of a UTF-8 or GB18030 character)
    lines: int = 0         # line ends, plus one for a last line without its own


def scan_file(path: Path, head: bool = False) -> Scan:
    """Hash and line-end survey in one read. numpy does the byte counts (C speed, no Python per line) while a
    worker thread hashes the same chunks: hashlib releases the GIL, so the two overlap on two cores. The
    comparisons write into one reused buffer: with a fresh 8 MiB array per comparison (page faults) and a second
    count of the line feeds, the scan of the 10M-trade export took 1.4 s, the hash beside it 0.5 s; now 1.0 s.

    `head`: survey only the whole lines of the first HEAD bytes, and no hash (sha256 ""): what the file's
    start promises, for a read begun before the whole file is surveyed (batch._typed_while_scanning)."""
    h = hashlib.sha256()
    encoding, regular = "ascii", True
    n_cr = n_lf = n_crlf = low = 0
    tail = b""
    flags = np.empty(CHUNK + 2, bool)
    with path.open("rb") as fh, ThreadPoolExecutor(max_workers=1) as hasher:   # one worker keeps chunk order
        first = True
        for chunk in _chunks(fh, head):
            if not head:
                hasher.submit(h.update, chunk)
            if first:
                if chunk.startswith(_UTF8_BOM):
                    encoding, chunk = "utf-8-sig", chunk[len(_UTF8_BOM):]
                regular = not chunk.startswith((b"\r", b"\n"))
                first = False
            if encoding == "ascii" and not chunk.isascii():
                # The first line with non-ASCII bytes decides (not the whole chunk: one GB18030 line further
                # on would turn a UTF-8 file into GB18030); DuckDB checks the rest of a UTF-8 file as it reads.
                encoding = _first_text_encoding(chunk)
            window = np.frombuffer(tail + chunk, np.uint8)
            lf = np.flatnonzero(np.equal(window, 10, out=flags[:len(window)]))
            lf_new = lf[lf >= len(tail)]          # the tail's line feeds were counted with the previous chunk
            body = window[len(tail):]
            out = flags[:len(body)]
            n_cr += int(np.count_nonzero(np.equal(body, 13, out=out)))
            low += int(np.count_nonzero(np.less(body, 32, out=out))) + int(np.count_nonzero(np.equal(body, 127, out=out)))
            n_lf += len(lf_new)
            n_crlf += int(np.count_nonzero(window[lf_new[lf_new > 0] - 1] == 13))
            gaps = np.diff(lf)                    # a blank line is "\n\n" or "\n\r\n"
            if regular and (np.any(gaps == 1) or np.any((gaps == 2) & (window[lf[1:] - 1] == 13))):
                regular = False
            tail = chunk[-2:]
    regular = regular and n_cr == n_crlf and (n_crlf == 0 or n_crlf == n_lf)
    return Scan("" if head else h.hexdigest(), encoding, regular, low - n_lf - n_cr,
                n_lf + (tail[-1:] not in (b"\n", b"")))


def _chunks(fh, head: bool):
    """The file in CHUNK-sized pieces; with `head`, only the whole lines of its first HEAD bytes (a CR at the
    cut would otherwise look bare)."""
    if not head:
        while chunk := fh.read(CHUNK):
            yield chunk
        return
    chunk = fh.read(HEAD)
    if len(chunk) == HEAD:
        chunk = chunk[:chunk.rfind(b"\n") + 1]
    if chunk:
        yield chunk


def _first_text_encoding(chunk: bytes) -> str:
    """utf-8 or gb18030, by the first line of `chunk` that holds non-ASCII bytes (ASCII before it)."""
    i = int(np.argmax(np.frombuffer(chunk, np.uint8) >= 0x80))
    start, end = chunk.rfind(b"\n", 0, i) + 1, chunk.find(b"\n", i)
    line = chunk[start:] if end < 0 else chunk[start:end]
    try:
        # A line cut by the chunk's end may end inside a character: not final, so that is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(line, final=end >= 0)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def not_utf8_code(line: bytes) -> str:
    """The problem code for a line of a UTF-8 file that is not UTF-8: "not_utf8" when it reads as GB18030
    (a line pasted from a GBK export), else "encoding" (bytes of no encoding we read)."""
    return "not_utf8" if _decodes(line, "gb18030") else "encoding"


def file_sha256(path: Path) -> str:
    return scan_file(path).sha256


def _line_chunks(fh) -> object:
    """Yield chunks that end on a line feed, so no character or line end is split between chunks."""
    rest = b""
    while True:
        data = fh.read(CHUNK)
        if not data:
            if rest:
                yield rest
            return
        data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1:]


def _normalise_newlines(chunk: bytes, at_start: bool) -> bytes:
    # \r and \n never occur inside a UTF-8 or GB18030 multi-byte character, so this is safe before decoding.
    chunk = chunk.replace(b"\r\n", b"\n")
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r", b"\n")     # old Mac line ends
    while b"\n\n" in chunk:
        chunk = chunk.replace(b"\n\n", b"\n")
    if at_start:
        chunk = chunk.lstrip(b"\n")
    return chunk


def _decode_error(name: str, lines_before: int, chunk: bytes, offset: int, code: str) -> Problem:
    return Problem(name, lines_before + chunk.count(b"\n", 0, offset) + 1, None, None, code)


def transcode_csv(path: Path, out_path: Path, name: str) -> tuple[str, list[Problem]]:
    """Write `path` as UTF-8 with \\n line ends to `out_path`. Returns the source encoding and any problems."""
    with path.open("rb") as fh:
        head = fh.read(4)
    encoding = "utf-8-sig" if head.startswith(_UTF8_BOM) else "utf-8"
    # Pass 1 is also the conversion when the file is UTF-8; it stops at the first byte that is not UTF-8.
    problems: list[Problem] = []
    bad_at: tuple[int, bytes, int] | None = None
    text_before = False           # UTF-8 text (non-ASCII) seen before the first byte that is not UTF-8
    with path.open("rb") as fh, out_path.open("wb") as out:
        lines = 0
        first = True
        for chunk in _line_chunks(fh):
            if first and chunk.startswith(_UTF8_BOM):
                chunk = chunk[len(_UTF8_BOM):]
            chunk = _normalise_newlines(chunk, first)
            first = False
            if not chunk.isascii():
                try:
                    chunk.decode("utf-8")
                    text_before = True
                except UnicodeDecodeError as exc:
                    bad_at = (lines, chunk, exc.start)
                    text_before = text_before or not chunk[:chunk.rfind(b"\n", 0, exc.start) + 1].isascii()
                    break
            out.write(chunk)
            lines += chunk.count(b"\n")
    if bad_at is None:
        return encoding, problems
    if encoding == "utf-8-sig" or text_before:
        # A BOM promises UTF-8, and so do earlier lines of UTF-8 text: the file is UTF-8 and this line is not.
        lines_before, chunk, at = bad_at
        start, end = chunk.rfind(b"\n", 0, at) + 1, chunk.find(b"\n", at)
        return encoding, [_decode_error(name, *bad_at, not_utf8_code(chunk[start:end if end >= 0 else None]))]
    encoding = "gb18030"
    with path.open("rb") as fh, out_path.open("wb") as out:
        lines = 0
        checked = 0
        first = True
        for chunk in _line_chunks(fh):
            chunk = _normalise_newlines(chunk, first)
            first = False
            try:
                text = chunk.decode("gb18030")
            except UnicodeDecodeError as exc:
                start = chunk.rfind(b"\n", 0, exc.start) + 1
                end = chunk.find(b"\n", exc.start)
                code = "mixed_encoding" if _utf8_line(chunk[start:end if end >= 0 else None]) else "encoding"
                return encoding, [_decode_error(name, lines, chunk, exc.start, code)]
            if checked < MIXED_CHECK_BYTES and _CJK_UTF8.search(chunk):
                stray = _utf8_line(chunk)
                if stray is not None:
                    return encoding, [Problem(name, lines + stray, None, None, "mixed_encoding")]
            checked += len(chunk)
            out.write(text.encode("utf-8"))
            lines += chunk.count(b"\n")
    return encoding, problems


def _utf8_line(chunk: bytes) -> int | None:
    """1-based line within `chunk` that is valid UTF-8 with non-ASCII text, if any (a UTF-8 line in a GBK file)."""
    for i, line in enumerate(chunk.split(b"\n")):
        if line.isascii() or not _CJK_UTF8.search(line):
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return i + 1
    return None


def _parse_header(line: str) -> list[str]:
    return [h.strip().lstrip("\ufeff") for h in next(csv.reader(io.StringIO(line)), [])]


def _first_line(path: Path, encoding: str) -> str | None:
    with path.open("rb") as fh:
        line = fh.readline(MAX_LINE_BYTES).rstrip(b"\r\n")
    try:
        return line.decode("utf-8-sig" if encoding != "gb18030" else "gb18030")
    except UnicodeDecodeError:
        return None


def stage_csv(con: duckdb.DuckDBPyConnection, raw: RawFile, table: str, workdir: Path) -> None:
    """Load a CSV into staging table `table` (c0..cN VARCHAR; row numbers from rowid).

    Fast path (regular line ends): DuckDB reads the file itself, UTF-8 as UTF-8 and GB18030 as Latin-1, whose
    one-char-per-byte text is decoded afterwards once per distinct non-ASCII value. DuckDB's Latin-1 refuses
    bytes 0x80-0x9F (common GBK lead bytes), and irregular line ends would shift row numbers: those files go
    through a streaming Python pass that normalises line ends and transcodes to UTF-8 first.
    """
    scan = raw.scan or scan_file(raw.path)
    if scan.regular:
        raw.encoding = "utf-8" if scan.encoding == "ascii" else scan.encoding
        first = _first_line(raw.path, scan.encoding)
        if first is None:
            raw.problems.append(Problem(raw.name, 1, None, None, "encoding"))
            return
        try:
            _read_csv(con, raw, table, raw.path, first, "latin-1" if scan.encoding == "gb18030" else "utf-8", "a")
            raw.no_controls = scan.controls == 0 and scan.lines == raw.rows_read + 1 and not raw.problems
            return
        except duckdb.InvalidInputException as exc:
            if "latin-1" not in str(exc):
                raise
            con.execute(f"DROP TABLE IF EXISTS {table}")
    source = workdir / f"{table}.csv"
    raw.encoding, problems = transcode_csv(raw.path, source, raw.name)
    if problems:
        raw.problems += problems
        return
    with source.open("r", encoding="utf-8", newline="") as fh:
        first = fh.readline(MAX_LINE_BYTES)
    _read_csv(con, raw, table, source, first, "utf-8", "b")
    source.unlink(missing_ok=True)


def _read_csv(con, raw: RawFile, table: str, source: Path, first: str, encoding: str, tag: str) -> None:
    header = _parse_header(first.rstrip("\r\n"))
    if not header or all(h == "" for h in header):
        raw.problems.append(Problem(raw.name, 1, None, None, "no_header"))
        return
    raw.header = header
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    rejects = f"{table}_rejects_{tag}"
    # DuckDB splits a file into buffers read in parallel; on large files, 64 MiB buffers take ~8% less CPU than
    # the default (measured on 800 MB of trades), small files keep the default.
    buffer = f", buffer_size={BIG_BUFFER}" if source.stat().st_size > BIG_BUFFER else ""
    con.execute(
        f"""CREATE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header=true, auto_detect=false,
            columns={cols}, delim=',', quote='"', escape='"', strict_mode=true, store_rejects=true,
            rejects_table='{rejects}', rejects_scan='{table}_scan_{tag}', max_line_size={MAX_LINE_BYTES},
            encoding='{encoding}'{buffer})""",
        [str(source)],
    )
    bad = con.execute(f"SELECT line, min(error_type), min(error_message), min(csv_line), min(line_byte_position) "
                      f"FROM {rejects} GROUP BY line ORDER BY line").fetchall()
    for line, kind, message, text, at in bad:
        if encoding == "latin-1" and text is not None and not _decodes(text.encode("latin-1"), "gb18030"):
            kind = "INVALID ENCODING"
        if kind == "INVALID ENCODING" and encoding == "utf-8" and at is not None:
            # UTF-8 at the start, something else on this line: GB18030 (a pasted GBK line) or garbage
            raw.problems.append(Problem(raw.name, int(line), None, None, not_utf8_code(_line_at(source, at))))
        elif kind == "INVALID ENCODING":
            raw.problems.append(Problem(raw.name, int(line), None, None, "encoding"))
        else:
            raw.problems.append(Problem(raw.name, int(line), None, None, "field_count", str(message)[:120]))
    # Row numbers: rowid keeps file order; shift past the records DuckDB rejected (rejected line r_i leaves
    # r_i - 2 - i valid records before it).
    raw.row_expr = "r.rowid + 2"
    if bad:
        con.execute(f"CREATE TEMP TABLE {table}_gaps AS SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) "
                    f"AS t FROM (SELECT DISTINCT line FROM {rejects})")
        raw.row_expr += f" + (SELECT count(*) FROM {table}_gaps g WHERE g.t <= r.rowid)"
    raw.rows_read = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] + len(bad)
    if encoding == "latin-1":
        _decode_gb18030_values(con, raw, table, len(header))


def _line_at(path: Path, offset: int) -> bytes:
    """The bytes of the line that starts at `offset` (without its line end)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.readline(MAX_LINE_BYTES).rstrip(b"\r\n")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _decode_gb18030_values(con: duckdb.DuckDBPyConnection, raw: RawFile, table: str, width: int) -> None:
    """Turn Latin-1 text back into GB18030 bytes and decode them, once per distinct non-ASCII value."""
    for i in range(width):
        values = [v for (v,) in con.execute(
            f"SELECT DISTINCT c{i} FROM {table} WHERE strlen(c{i}) <> length(c{i})").fetchall()]
        if not values:
            continue
        pairs = []
        for v in values:
            data = v.encode("latin-1")
            code = None
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                code = "encoding"
            if code is None and _CJK_UTF8.search(data):
                try:
                    data.decode("utf-8")
                    code = "mixed_encoding"
                except UnicodeDecodeError:
                    pass
            if code is not None:
                row = con.execute(f"SELECT min(rowid) + 2 FROM {table} WHERE c{i} = ?", [v]).fetchone()[0]
                raw.problems.append(Problem(raw.name, int(row), raw.header[i] if i < len(raw.header) else None,
                                            None, code))
                return
            pairs.append((v, text))
        if len(pairs) <= INLINE_DECODE and not any("\x00" in f for f, _ in pairs):
            # A few distinct values (side, channel, market): a CASE costs far less than a join on every row.
            whens = " ".join(f"WHEN {sql_str(f)} THEN {sql_str(t)}" for f, t in pairs)
            raw.columns[i] = f"(CASE r.c{i} {whens} ELSE r.c{i} END)"
            continue
        arrow = pa.table({"f": pa.array([p[0] for p in pairs]), "t": pa.array([p[1] for p in pairs])})
        con.register(f"{table}_m{i}_arrow", arrow)
        con.execute(f"CREATE TEMP TABLE {table}_m{i} AS SELECT * FROM {table}_m{i}_arrow")
        con.unregister(f"{table}_m{i}_arrow")
        raw.columns[i] = f"coalesce(m{i}.t, r.c{i})"
        raw.joins += f" LEFT JOIN {table}_m{i} m{i} ON m{i}.f = r.c{i}"


def _check_xlsx_archive(raw: RawFile) -> bool:
    """Refuse zip bombs and formulas before any XML is parsed. Returns False when the file is refused."""
    try:
        with zipfile.ZipFile(raw.path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
            if len(infos) > XLSX_MAX_ENTRIES or total > XLSX_MAX_UNPACKED or worst > XLSX_MAX_RATIO:
                raw.problems.append(Problem(raw.name, None, None, None, "zip_bomb",
                                            f"{len(infos)} entries, {total >> 20} MiB, ratio {worst:.0f}"))
                return False
            for info in infos:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                with zf.open(info) as fh:
                    tail = b""
                    while data := fh.read(CHUNK):
                        window = tail + data
                        if b"<f>" in window or b"<f " in window or b"<x:f" in window:
                            raw.problems.append(Problem(raw.name, None, None, None, "formula", info.filename))
                            return False
                        tail = data[-8:]
    except zipfile.BadZipFile as exc:
        raw.problems.append(Problem(raw.name, None, None, None, "unreadable", str(exc)[:120]))
        return False
    return True


def _cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Whole numbers below 1e15 are exact in a double; larger ones (18-digit IDs) have lost digits, and
        # their repr keeps the e+ so validation reports them as Excel-mangled.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def stage_excel(con: duckdb.DuckDBPyConnection, raw: RawFile, table: str, sheet: str | None) -> None:
    import python_calamine

    raw.encoding = "xlsx"
    with raw.path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        if not _check_xlsx_archive(raw):
            return
    elif raw.path.suffix.lower() == ".xls" and magic == b"\xd0\xcf\x11\xe0":
        raw.encoding = "xls"
    else:
        raw.problems.append(Problem(raw.name, None, None, None, "unsupported_type"))
        return
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(raw.path))
        names = wb.sheet_names
        if sheet is not None:
            chosen = sheet
        else:
            # A second sheet with data could be the real one: refuse to guess (the profile can name it).
            filled = [n for n in names if any(any(c not in (None, "") for c in r)
                                              for r in wb.get_sheet_by_name(n).to_python(nrows=50))]
            if len(filled) > 1:
                raw.problems.append(Problem(raw.name, None, None, None, "several_sheets", ", ".join(filled)))
                return
            chosen = filled[0] if filled else names[0]
        ws = wb.get_sheet_by_name(chosen)
        merged = ws.merged_cell_ranges or []
        if merged:
            raw.problems.append(Problem(raw.name, None, None, None, "merged_cells",
                                        ", ".join(str(m) for m in merged[:5])))
            return
        rows = ws.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types for broken workbooks
        raw.problems.append(Problem(raw.name, None, None, None, "unreadable", f"{type(exc).__name__}: {exc}"[:160]))
        return
    while rows and all(c in (None, "") for c in rows[-1]):
        rows.pop()
    if not rows or all(c in (None, "") for c in rows[0]):
        raw.problems.append(Problem(raw.name, 1, None, None, "no_header" if rows else "empty_file"))
        return
    header = [(_cell_text(c) or "").strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    raw.header = header
    width = len(header)
    body = rows[1:]
    columns = {f"c{i}": [_cell_text(r[i]) if i < len(r) else None for r in body] for i in range(width)}
    for n, r in enumerate(body):
        if any(c not in (None, "") for c in r[width:]):
            raw.problems.append(Problem(raw.name, n + 2, None, None, "field_count", "cells beyond the last header"))
    columns["_row"] = list(range(2, len(body) + 2))
    arrow = pa.table({k: pa.array(v, type=pa.int64() if k == "_row" else pa.string()) for k, v in columns.items()})
    con.register(f"{table}_arrow", arrow)
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {table}_arrow")
    con.unregister(f"{table}_arrow")
    raw.rows_read = len(body)


def stage_file(con: duckdb.DuckDBPyConnection, raw: RawFile, table: str, *, sheet: str | None = None) -> None:
    """Stage one source file into DuckDB table `table`; problems that stop the file go to raw.problems."""
    if raw.size == 0:
        raw.problems.append(Problem(raw.name, None, None, None, "empty_file"))
        return
    suffix = raw.path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        stage_excel(con, raw, table, sheet)
        return
    if suffix not in (".csv", ".txt"):
        raw.problems.append(Problem(raw.name, None, None, None, "unsupported_type"))
        return
    with tempfile.TemporaryDirectory(prefix="panhuo-import-") as tmp:
        try:
            stage_csv(con, raw, table, Path(tmp))
        except duckdb.Error as exc:
            raw.problems.append(Problem(raw.name, None, None, None, "unreadable", str(exc).splitlines()[0][:160]))
