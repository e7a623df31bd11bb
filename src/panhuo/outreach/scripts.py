"""Scripts (话术) and their one renderer. Pure (no Django).

A script is a template with {variables} filled from one client's figures: a campaign's own script (sent to the
client, or shown on Today for a campaign task) and the suggested script per task kind in task_scripts.toml
(shown to the advisor). Both go through `render_script`, so a variable means the same thing everywhere.

Braces in the client's data never act as variables, and a malformed template is returned as written rather
than half-filled or failing a send.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

from panhuo.formatting import cn_amount

# The variables a campaign's script editor offers; task scripts may also use {advisor}, {branch},
# {days_since_last_trade} and {total_assets}.
VARIABLES = ("name", "holdings", "pnl", "regime")
TASK_SCRIPTS_PATH = Path(__file__).with_name("task_scripts.toml")


class _Gap(dict):
    """Values that fill a missing variable with `gap`."""

    def __init__(self, values: dict, gap: str):
        super().__init__(values)
        self.gap = gap

    def __missing__(self, key: str) -> str:
        return self.gap


def script_variables(template: str) -> list[str]:
    """The variables a template uses, in order, e.g. ["name", "pnl"]; unknown ones are included."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def render_script(template: str, *, name: str | None = None, positions: list[dict] | None = None,
                  regime: str | None = None, advisor: str | None = None, branch: str | None = None,
                  days_since_last_trade: int | None = None, total_assets=None, lang: str = "zh",
                  gap: str = "") -> str:
    """Fill a template with one client's figures (positions as in ClientSeries.positions; `regime` in words).

    A variable with no figure (None, no positions) or unknown to panhuo becomes `gap`: empty in a message sent to
    a client, a visible "…" in the script an advisor reads.
    """
    values: dict[str, object] = {}
    if positions:
        top = sorted(positions, key=lambda p: -(p.get("market_value") or 0))[:3]
        values["holdings"] = "、".join(p.get("name") or p.get("symbol", "") for p in top)
        values["pnl"] = f"{sum(p.get('pnl') or 0 for p in positions):+,.0f}元"
    elif positions is not None:
        values["holdings"] = values["pnl"] = ""      # known to hold nothing: no gap to fill in
    if total_assets is not None:
        values["total_assets"] = cn_amount(total_assets, lang=lang)
    for key, value in (("name", name), ("regime", regime), ("advisor", advisor), ("branch", branch),
                       ("days_since_last_trade", days_since_last_trade)):
        if value is not None:
            values[key] = value
    try:
        return template.format_map(_Gap(values, gap))
    except (ValueError, IndexError, AttributeError, KeyError):
        # A malformed template (a lone brace, {0}, {name.attr}) is kept as written, not half-filled.
        return template


@cache
def task_scripts_load(path: Path = TASK_SCRIPTS_PATH) -> dict[str, dict[str, str]]:
    """{task kind: {"zh": template, "en": template}} from task_scripts.toml."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def task_script(*, kind: str, lang: str, **figures) -> str:
    """The suggested script for a task of `kind` in the advisor's language, filled by `render_script`; a figure
    the task lacks shows as "…" so the advisor sees the gap."""
    lang = "zh" if lang.startswith("zh") else "en"
    text = task_scripts_load().get(kind, {}).get(lang, "")
    return render_script(text, lang=lang, gap="…", **figures)
