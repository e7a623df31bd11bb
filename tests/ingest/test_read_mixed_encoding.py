"""A UTF-8 export with one line in GB18030 (pasted from a GBK export) is refused with that line named: the file,
the row and "not UTF-8", whether the line comes first or later, with or without a BOM, with regular or
irregular line ends. A GB18030 export with one UTF-8 line names the UTF-8 line."""

from __future__ import annotations

import codecs
import hashlib
import random

import pytest

from panhuo.ingest.batch import BatchRejected, run_batch
from panhuo.ingest.problems import MESSAGES

from .exports import TRADES_H

ROWS = [[f"T{i:04d}", "C0001", "20240131", "600000", "1", "1", "100", "7.00", "700.00", "5.00", "0.00", "0.01",
         "网上"] for i in range(2000, 2030)]


def export(*, bad_row: int, major: str = "utf-8", minor: str = "gb18030", bom: bool = False,
           newline: bytes = b"\r\n") -> bytes:
    """The trades export (header = row 1) in `major` with row `bad_row` in `minor`."""
    lines = [",".join(TRADES_H), *(",".join(r) for r in ROWS)]
    data = newline.join(line.encode(minor if n == bad_row else major) for n, line in enumerate(lines, 1)) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + data


def problems_of(store, tmp_path, data: bytes):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "成交明细.csv").write_bytes(data)
    with pytest.raises(BatchRejected) as info:
        run_batch(store_path=store, paths=[folder], profile="simulator", batch_key="mixed")
    return info.value.result.problems


@pytest.mark.parametrize("bad_row", [2, 17, 31])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", [b"\r\n", b"\n\n"], ids=["regular", "blank-lines"])
def test_one_gb18030_line_in_a_utf8_file_is_named(store, tmp_path, bad_row, bom, newline):
    problems = problems_of(store, tmp_path, export(bad_row=bad_row, bom=bom, newline=newline))
    assert [(p.file, p.row, p.code) for p in problems] == [("成交明细.csv", bad_row, "not_utf8")]
    zh, en = MESSAGES["not_utf8"]
    assert "不是 UTF-8" in zh and "not UTF-8" in en
    assert problems[0].line() == f"成交明细.csv:{bad_row}: {zh} / {en}"


def test_bytes_of_no_encoding_in_a_utf8_file_are_named_as_such(store, tmp_path):
    data = export(bad_row=9).replace("网上".encode("gb18030"), b"\xff\xfe\xff")
    problems = problems_of(store, tmp_path, data)
    assert [(p.row, p.code) for p in problems] == [(9, "encoding")]


def test_one_utf8_line_in_a_gb18030_file_is_named(store, tmp_path):
    problems = problems_of(store, tmp_path, export(bad_row=12, major="gb18030", minor="utf-8"))
    assert [(p.row, p.code) for p in problems] == [(12, "mixed_encoding")]


def test_the_first_line_of_text_decides_not_the_whole_first_chunk(tmp_path):
    """30,000 UTF-8 lines and then one GB18030 line, all inside the first 8 MiB read: the file is UTF-8."""
    from panhuo.ingest.read import scan_file

    body = [",".join(TRADES_H).encode()] + [",".join(ROWS[0]).encode()] * 30_000 + [",".join(ROWS[1]).encode("gb18030")]
    (tmp_path / "a.csv").write_bytes(b"\r\n".join(body) + b"\r\n")
    assert scan_file(tmp_path / "a.csv").encoding == "utf-8"
    (tmp_path / "b.csv").write_bytes(b"\r\n".join(body[::-1]) + b"\r\n")
    assert scan_file(tmp_path / "b.csv").encoding == "gb18030"


def _survey(data: bytes) -> tuple[bool, int, int]:
    """What scan_file must find, written the plain way: (regular, controls, lines) of a file's bytes."""
    body = data.removeprefix(codecs.BOM_UTF8)
    n_lf, n_cr, n_crlf = body.count(b"\n"), body.count(b"\r"), body.count(b"\r\n")
    regular = (not body.startswith((b"\r", b"\n")) and b"\n\n" not in body and b"\n\r\n" not in body
               and n_cr == n_crlf and (n_crlf == 0 or n_crlf == n_lf))
    controls = sum(1 for b in body if b < 32 or b == 127) - n_lf - n_cr
    return regular, controls, n_lf + (body[-1:] not in (b"\n", b""))


# From 4 bytes: the first chunk holds a BOM and the byte after it, as any real chunk (8 MiB) does.
@pytest.mark.parametrize("chunk", [4, 5, 7, 64])
def test_line_end_survey_agrees_with_a_plain_count_whatever_the_chunk_edges(tmp_path, monkeypatch, chunk):
    """The survey reads in chunks and reuses one buffer; line ends, blank lines and control bytes split across
    chunk edges (a CR at one chunk's end, its LF at the next's start) count as in one piece."""
    from panhuo.ingest import read

    monkeypatch.setattr(read, "CHUNK", chunk)
    rng = random.Random(chunk)
    pieces = [b"a", b"\xd5\xc5", b",", b"\r\n", b"\n", b"\r", b"\t", b"\x7f", b"\x00", b" ", b"\r\n\r\n", b"\n\r\n"]
    samples = [b"", codecs.BOM_UTF8, b"\n", b"a\r\nb\r\n", b"a\nb", b"a\r\nb\n", b"a\n\nb\n", codecs.BOM_UTF8 + b"\r\na"]
    samples += [b"".join(rng.choice(pieces[:4] if i % 2 else pieces) for _ in range(rng.randint(1, 40)))
                for i in range(60)]
    for i, data in enumerate(samples):
        path = tmp_path / f"{i}.csv"
        path.write_bytes(data)
        scan = read.scan_file(path)
        assert (scan.regular, scan.controls, scan.lines) == _survey(data), data
        assert scan.sha256 == hashlib.sha256(data).hexdigest()
