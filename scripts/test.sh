#!/usr/bin/env bash
# Runs the whole suite: SQLite (with the Chromium journeys) and PostgreSQL, the two
# passes side by side (they share no database, port, bucket prefix or Redis key; much of a pass is
# waiting on servers, browsers and subprocesses, so two passes keep two cores busy). Called by
# `make test`. TEST_PASSES=serial runs them one after the other.
#
# The PostgreSQL pass leaves out the Chromium tests (-m "not e2e") and the tests marked `nodb`
# that build no app (tests/conftest.py): they touch no database, so the SQLite pass covers them.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

bash scripts/debian-packages.sh chromium postgresql redis-server curl openssl \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core  # WeasyPrint's PDFs

pg_log=$(mktemp)
pg_pid=""
cleanup() {
  [ -n "$pg_pid" ] && kill "$pg_pid" 2>/dev/null
  rm -f "$pg_log"
  bash scripts/services.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(bash scripts/services.sh start)"   # exports TEST_PG_URL, TEST_S3_* and TEST_REDIS_URL

# COVERAGE=1 measures line and branch coverage of the SQLite pass (slower; not run in CI).
cov_args=()
[ "${COVERAGE:-0}" = 1 ] && cov_args=(--cov --cov-report=term:skip-covered)

status=0
echo "== Import floors (import-linter) =="
"$VENV/bin/lint-imports" --no-cache | tail -n 6 || status=$?

postgres_pass() {
  # The deadline (SIGINT: pytest still prints what failed) keeps a stuck pass from eating the CI.
  TEST_DATABASE_URL="$TEST_PG_URL" exec timeout --signal=INT --kill-after=60 "${PG_PASS_DEADLINE:-40m}" \
    "$VENV/bin/python" -m pytest -q -m "not e2e" tests
}
if [ "${TEST_PASSES:-parallel}" = serial ]; then
  echo "== Suite on SQLite (with browser tests in Chromium) =="
  "$VENV/bin/python" -m pytest -q "${cov_args[@]}" tests || status=$?
  echo "== Suite on PostgreSQL =="
  (postgres_pass) || status=$?
else
  postgres_pass >"$pg_log" 2>&1 &
  pg_pid=$!
  echo "== Suite on SQLite (with browser tests in Chromium; PostgreSQL runs alongside) =="
  "$VENV/bin/python" -m pytest -q "${cov_args[@]}" tests || status=$?
  pg_status=0
  wait "$pg_pid" || pg_status=$?
  pg_pid=""
  echo "== Suite on PostgreSQL =="
  cat "$pg_log"
  if [ "$pg_status" != 0 ]; then
    status=$pg_status
    echo "== PostgreSQL server log: lock waits and errors =="
    grep -E "still waiting|deadlock|canceling statement|ERROR" "${PGDATA:-/tmp/portal-test-pg}/server.log" | tail -n 40 || true
  fi
fi
exit $status
