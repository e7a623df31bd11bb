"""docs/architecture.md's "Roles" table, rendered from the permissions table so the doc cannot drift from it.

`python -m panhuo.accounts.roles_doc` rewrites the block between the two markers; a test checks it is current.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

BEGIN, END = "<!-- roles:begin -->", "<!-- roles:end -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
# Written in both languages, as the rest of the doc names the roles.
ROLE_NAMES = {"advisor": "advisor 投资顾问", "director": "director 服务总监", "manager": "manager 营业部总经理",
              "compliance": "compliance 合规", "admin": "admin 系统管理员"}


def render() -> str:
    from panhuo.accounts.models import Role
    from panhuo.accounts.permissions import MEANING, ROLE_CAPABILITIES, Capability

    roles = list(Role)
    lines = [BEGIN, "| capability | what it allows | " + " | ".join(ROLE_NAMES[r.value] for r in roles) + " |",
             "|---|---|" + "---|" * len(roles)]
    for cap in Capability:
        marks = " | ".join("yes" if cap in ROLE_CAPABILITIES[r] else "—" for r in roles)
        lines.append(f"| `{cap.value}` | {MEANING[cap]} | {marks} |")
    return "\n".join([*lines, END])


def current_block(text: str) -> str:
    found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, flags=re.S)
    return found.group(0) if found else ""


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    django.setup()
    text = DOC.read_text(encoding="utf-8")
    old = current_block(text)
    if not old:
        raise SystemExit(f"{DOC}: no {BEGIN} … {END} block")
    DOC.write_text(text.replace(old, render()), encoding="utf-8")


if __name__ == "__main__":
    main()
