"""Every file panhuo writes under PANHUO_HOME is its owner's only (files 0600, folders 0700): the stores, the
import journal, the secret key, exports. Run through the real command line, each command a process of its own,
with a permissive umask in the parent so the result is panhuo's doing, not the test runner's."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.ingest.exports import simulator_export

pytestmark = pytest.mark.slow   # four commands, one of them the daily run: about 25 s


def _panhuo(args, home):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update({"PANHUO_HOME": str(home), "PANHUO_HTTPS": "0"})
    result = subprocess.run([sys.executable, "-m", "panhuo.cli", *args], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _modes(home) -> dict[str, str]:
    found = {".": oct(stat.S_IMODE(home.stat().st_mode))}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def test_stores_journal_and_exports_are_owner_only(tmp_path):
    home = tmp_path / "home"          # created by panhuo itself
    export = simulator_export(tmp_path / "source")
    old = os.umask(0o022)             # the usual umask: without panhuo's own, files would be 0644
    try:
        _panhuo(["migrate"], home)
        _panhuo(["import", str(export), "--profile", "simulator"], home)
        _panhuo(["import", str(export), "--profile", "simulator"], home)   # already loaded: a journal line
        _panhuo(["run-daily", "--export", str(home / "exports" / "clients.parquet")], home)
    finally:
        os.umask(old)
    modes = _modes(home)
    for name in ("panhuo.sqlite3", "warehouse.duckdb", "import-journal.jsonl", "secret_key",
                 "exports/clients.parquet"):
        assert name in modes, f"{name} not written: {sorted(modes)}"
    loose = {name: mode for name, mode in modes.items()
             if mode != ("0o700" if (home / name).is_dir() else "0o600")}
    assert loose == {}
