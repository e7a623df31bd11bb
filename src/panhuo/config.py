"""Where panhuo keeps its files. Pure Python: safe to import from analytics, CLI and Django alike."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

OWNER_ONLY_UMASK = 0o077


def owner_only_files() -> None:
    """Make every file and folder this process creates readable by its owner only (files 0600, folders 0700).

    Called where panhuo starts (the CLI entry, django_setup, settings for WSGI and tests), once for all the
    stores, the import journal, quarantine files, exports and logs, rather than a chmod after each write. They
    hold client data; other accounts on the server have no business reading them.
    """
    os.umask(OWNER_ONLY_UMASK)


def panhuo_home() -> Path:
    """The folder holding both stores (PANHUO_HOME, default ./var), created owner-only on first use."""
    home = Path(os.environ.get("PANHUO_HOME", "var")).expanduser().resolve()
    if not home.exists():
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)   # explicit, whatever the umask of whoever created it
    return home


def sqlite_path() -> Path:
    return panhuo_home() / "panhuo.sqlite3"


def warehouse_path() -> Path:
    return panhuo_home() / "warehouse.duckdb"


def secret_key() -> str:
    """SECRET_KEY from the environment, else a random key generated once and kept in PANHUO_HOME.

    No secret ever lives in the repository; a branch that sets nothing still gets a unique key.
    """
    key = os.environ.get("SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = panhuo_home() / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
