#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL when one answers (DATABASE_URL, or 127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PANHUO_HTTPS=0
home=$(mktemp -d -t panhuo-test-XXXXXX)
trap 'rm -rf "$home"' EXIT

run() {  # $1 = label; pytest exit 5 (nothing collected) is a failure too
  echo "==> panhuo tests on $1"
  PANHUO_HOME="$home/$2" "$BIN/python" -m pytest "${PYTEST_ARGS[@]}"
}
read -r -a PYTEST_ARGS <<< "${PYTEST_ARGS:--q -n 2 -p no:cacheprovider}"

"$BIN/lint-imports" --no-cache
pg_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/panhuo}"
( unset DATABASE_URL; run "SQLite (embedded default)" sqlite )

if "$BIN/python" - "$pg_url" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL does not answer at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  PYTEST_ARGS+=(-m uses_db)
  DATABASE_URL="$pg_url" run "PostgreSQL ($pg_url), tests that touch the operational store" postgres
  echo "==> ran the suite on SQLite and on PostgreSQL"
else
  echo "==> PostgreSQL not reachable: ran the suite on SQLite only"
fi
