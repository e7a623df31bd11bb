"""Every UI string of the campaigns app has its Chinese in docs/i18n-campaigns.txt ("English|中文" lines)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src/panhuo/campaigns"
LIST = ROOT / "docs/i18n-campaigns.txt"
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}


def ui_strings() -> set[str]:
    found: set[str] = set()
    for path in APP.rglob("*.html"):
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


def test_every_campaigns_string_has_its_chinese():
    pairs = dict(line.split("|", 1) for line in LIST.read_text(encoding="utf-8").splitlines() if "|" in line)
    missing = sorted(ui_strings() - set(pairs))
    assert missing == [], f"add to {LIST.name}: {missing}"
    assert all(zh.strip() and zh != en for en, zh in pairs.items())
    for en, zh in pairs.items():
        assert sorted(re.findall(r"%\(\w+\)[sd]", en)) == sorted(re.findall(r"%\(\w+\)[sd]", zh)), en
