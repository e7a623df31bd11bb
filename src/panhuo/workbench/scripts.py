"""Suggested scripts (话术) per task kind, from scripts.toml, filled with the client's figures."""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

from panhuo.formatting import cn_amount

PATH = Path(__file__).with_name("scripts.toml")


@cache
def scripts_load(path: Path = PATH) -> dict[str, dict[str, str]]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


class _Blank(dict):
    def __missing__(self, key):   # an unknown variable shows as a visible gap, never a crash
        return "…"


def script_render(*, kind: str, lang: str, name: str = "", advisor: str = "", branch: str = "",
                  days_since_last_trade: int | None = None, total_assets=None) -> str:
    text = scripts_load().get(kind, {}).get("zh" if lang.startswith("zh") else "en", "")
    values = _Blank(name=name, advisor=advisor, branch=branch,
                    days_since_last_trade="…" if days_since_last_trade is None else days_since_last_trade,
                    total_assets=cn_amount(total_assets, lang=lang) if total_assets is not None else "…")
    return string.Formatter().vformat(text, (), values)
