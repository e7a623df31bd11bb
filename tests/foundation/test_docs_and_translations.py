"""Docs that cannot rot, and a Chinese catalogue with every UI string translated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src/panhuo"
PO = ROOT / "src/panhuo/locale/zh_Hans/LC_MESSAGES/django.po"
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def ui_strings() -> set[str]:
    """Every string the code and templates mark for translation (what `make messages` would extract)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for m in re.finditer(r"\bn?gettext\(\s*u?'((?:[^'\\]|\\.)*)'(?:,\s*u?'((?:[^'\\]|\\.)*)')?", text):
            found.update(g.replace("\\'", "'") for g in m.groups() if g)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
            if name in GETTEXT:
                args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args   # skip context
                found.update(a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_cli_reference_is_current():
    from panhuo.cli.reference import render

    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is stale: run `.venv/bin/python -m panhuo.cli.reference > docs/cli.md`"


def test_every_ui_string_has_a_chinese_translation():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_every_string_in_the_code_is_in_the_catalogue():
    po = polib.pofile(str(PO))
    known = {e.msgid for e in po if not e.obsolete and e.translated()}
    known |= {e.msgid_plural for e in po if not e.obsolete and e.msgid_plural and e.translated()}
    missing = sorted(ui_strings() - known)
    assert missing == [], f"run `make messages` and translate: {missing[:20]}"


def test_placeholders_survive_translation():
    for e in polib.pofile(str(PO)):
        if e.translated() and not e.msgid_plural:
            assert sorted(re.findall(r"%\(\w+\)[sd]", e.msgid)) == sorted(re.findall(r"%\(\w+\)[sd]", e.msgstr)), e.msgid


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo}
    source = {e.msgid: e.msgstr for e in po if not e.obsolete and e.translated() and not e.msgid_plural}
    stale = {k: v for k, v in source.items() if compiled.get(k) != v}
    assert stale == {}, "run `make messages` to recompile the catalogue"
