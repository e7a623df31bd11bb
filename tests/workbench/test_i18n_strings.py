"""Every UI string of the workbench has its Chinese in docs/i18n-workbench.txt ("English|中文" lines), so the
lead can merge them into the catalogue; once merged, the catalogue must carry the same Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/panhuo/workbench"
LIST = ROOT / "docs/i18n-workbench.txt"
PO = ROOT / "src/panhuo/locale/zh_Hans/LC_MESSAGES/django.po"
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}


def ui_strings() -> set[str]:
    found: set[str] = set()
    for path in [*APP.rglob("*.html"), ROOT / "src/panhuo/web/templates/web/base.html"]:
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for m in re.finditer(r"\bn?gettext\(\s*u?'((?:[^'\\]|\\.)*)'(?:,\s*u?'((?:[^'\\]|\\.)*)')?", text):
            found.update(s.replace("\\'", "'") for s in m.groups() if s)
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


def test_every_workbench_string_has_its_chinese():
    pairs = listed()
    missing = sorted(ui_strings() - set(pairs))
    assert missing == [], f"add to {LIST.name}: {missing}"
    assert all(zh.strip() and zh != en for en, zh in pairs.items())
    # The placeholders survive translation.
    for en, zh in pairs.items():
        assert sorted(re.findall(r"%\(\w+\)[sd]", en)) == sorted(re.findall(r"%\(\w+\)[sd]", zh)), en


def test_merged_strings_agree_with_the_list():
    import polib

    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    disagree = {en: (zh, catalogue[en]) for en, zh in listed().items() if en in catalogue and catalogue[en] != zh}
    assert disagree == {}, "the catalogue and docs/i18n-workbench.txt say different things"
