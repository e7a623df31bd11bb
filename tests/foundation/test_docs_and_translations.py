"""Docs that cannot rot, and a Chinese catalogue with every UI string translated."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/panhuo/locale/zh_Hans/LC_MESSAGES/django.po"


def test_cli_reference_is_current():
    from panhuo.cli.reference import render

    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is stale: run `.venv/bin/python -m panhuo.cli.reference > docs/cli.md`"


def test_every_ui_string_has_a_chinese_translation():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo}
    source = {e.msgid: e.msgstr for e in po if not e.obsolete and e.translated() and not e.msgid_plural}
    stale = {k: v for k, v in source.items() if compiled.get(k) != v}
    assert stale == {}, "run `make messages` to recompile the catalogue"
