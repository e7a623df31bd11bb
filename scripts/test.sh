#!/usr/bin/env bash
# Runs the suite on SQLite, then the tests that touch the operational store again on PostgreSQL when one answers
# (DATABASE_URL, or 127.0.0.1:5432).
#
# Two tiers, so that `make test` stays under 15 minutes on two cores and nothing is left unrun:
#   scripts/test.sh        (make test)       everything not marked slow; on PostgreSQL, without the browser tests
#   scripts/test.sh slow   (make test-slow)  the slow tier: the walks over every page as the other roles, the
#                                            Spark cluster, the wave-1 upgrade, killed imports...; on PostgreSQL
#                                            also every browser test
# CI (.ci/run) runs both.
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
if [ "${1:-}" = slow ]; then
  sqlite_marks="slow"; pg_marks="uses_db and (slow or browser)"
else
  sqlite_marks="not slow"; pg_marks="uses_db and not slow and not browser"
fi

"$BIN/lint-imports" --no-cache
pg_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/panhuo}"
( unset DATABASE_URL; PYTEST_ARGS+=(-m "$sqlite_marks"); run "SQLite (embedded default), $sqlite_marks" sqlite )

if "$BIN/python" - "$pg_url" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL does not answer at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  PYTEST_ARGS+=(-m "$pg_marks")
  DATABASE_URL="$pg_url" run "PostgreSQL ($pg_url), $pg_marks" postgres
  echo "==> ran the suite on SQLite and on PostgreSQL"
else
  echo "==> PostgreSQL not reachable: ran the suite on SQLite only"
fi
