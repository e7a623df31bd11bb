"""Production settings come from the environment; the deploy check passes with DEBUG off."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def _panhuo(args, tmp_path, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "PANHUO_HTTPS")}
    full_env.update({"PANHUO_HOME": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-m", "panhuo.cli", *args], env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_deploy_check_passes_with_debug_off(tmp_path):
    result = _panhuo(["check", "--deploy"], tmp_path, ALLOWED_HOSTS="panhuo.branch.example")
    assert result.returncode == 0, result.stdout + result.stderr
    # The generated key stays in PANHUO_HOME, readable by its owner only.
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_deploy_check_fails_when_debug_is_on(tmp_path):
    result = _panhuo(["check", "--deploy"], tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800
    # Kept alive by the middleware, at most one write a minute (tests/web/test_idle_session.py).
    assert "panhuo.web.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE


def test_sqlite_runs_in_wal_with_immediate_transactions():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_models_and_migrations_agree(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)   # exits non-zero on a missing migration


def test_postgresql_plans_for_a_store_in_memory_or_on_ssd(db):
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no such planner setting")
    with connection.cursor() as cur:
        cur.execute("SHOW random_page_cost")
        assert float(cur.fetchone()[0]) == 1.1
