"""The text a ReportLab PDF in the CID font shows, for tests (no PDF library in the environment): each page stream
is ASCII85 then Flate encoded; each shown string is a PDF literal of UTF-16 big-endian codes (UniGB-UCS2-H)."""

from __future__ import annotations

import base64
import re
import zlib


def pdf_strings(pdf: bytes) -> list[str]:
    """Each string the pages show, in drawing order (a table draws row by row, a cell's lines one by one)."""
    shown = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = m.group(1).strip()
        try:
            content = zlib.decompress(base64.a85decode(data.removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda e: bytes([int(e.group(1), 8)]) if e.group(1)[:1].isdigit()
                         else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(e.group(1), e.group(1)), lit, flags=re.S)
            shown.append(raw.decode("utf-16-be", errors="replace"))
    return shown


def pdf_text(pdf: bytes) -> str:
    return "".join(pdf_strings(pdf))
