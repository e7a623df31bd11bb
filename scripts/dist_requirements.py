"""Print the pinned requirements of a production install: panhuo's runtime dependencies and theirs, each at its
version in requirements/lock.txt (no dev, spark or bench extras). `make dist` writes this to
dist/requirements.txt beside the wheel, for `pip install --no-index --find-links wheels -r requirements.txt`.

Run in the project's venv: the dependency tree is read from the installed packages' metadata."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> set[str]:
    env = {"extra": "", "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
           "sys_platform": sys.platform, "platform_system": "Linux"}
    seen: set[str] = set()
    todo: list[tuple[str | None, set[str]]] = [(None, set())]
    while todo:
        name, extras = todo.pop()
        try:   # panhuo's own list from pyproject.toml (the installed metadata may be an older checkout's)
            reqs = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"] \
                if name is None else (requires(name) or [])
        except PackageNotFoundError:
            continue
        for line in reqs:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({**env, "extra": e}) for e in (extras or {""})):
                continue
            key = canonical(req.name)
            if key not in seen or req.extras:
                seen.add(key)
                todo.append((req.name, set(req.extras)))
    return seen


def main() -> int:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            pins[canonical(line.split("==")[0])] = line.strip()
    needed = runtime_closure()
    missing = sorted(needed - pins.keys())
    if missing:
        print(f"not pinned in requirements/lock.txt: {', '.join(missing)}", file=sys.stderr)
        return 1
    print("# panhuo's runtime requirements, pinned from requirements/lock.txt (make dist)")
    print("\n".join(pins[k] for k in sorted(needed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
