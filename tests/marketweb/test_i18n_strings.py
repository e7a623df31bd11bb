"""Every UI string of the market page has its Chinese in docs/i18n-marketweb.txt ("English|中文" lines), for the
lead to merge into the catalogue; once merged, the catalogue must carry the same Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/panhuo/marketweb"
LIST = ROOT / "docs/i18n-marketweb.txt"
PO = ROOT / "src/panhuo/locale/zh_Hans/LC_MESSAGES/django.po"
QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""   # templatize quotes with ' or " as needed
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}


def ui_strings() -> set[str]:
    found: set[str] = set()
    for path in APP.rglob("*.html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for m in re.finditer(rf"\bn?gettext\(\s*u?({QUOTED})(?:,\s*u?({QUOTED}))?", text):
            found.update(ast.literal_eval(s) for s in m.groups() if s)
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT:
                found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def listed() -> dict[str, str]:
    pairs = {}
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, zh = line.split("|", 1)
            pairs[en] = zh
    return pairs


def test_every_market_string_has_its_chinese():
    pairs = listed()
    assert sorted(ui_strings() - set(pairs)) == []
    assert all(zh.strip() and not re.fullmatch(r"[ -~]*", zh) for zh in pairs.values())   # real Chinese


def test_merged_strings_carry_the_listed_chinese():
    po = polib.pofile(str(PO))
    for en, zh in listed().items():
        entry = po.find(en)
        if entry is not None and entry.translated():
            assert entry.msgstr == zh, en
