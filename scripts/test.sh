#!/usr/bin/env bash
# Runs the whole suite: SQLite (with the Chromium journeys), then PostgreSQL. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

bash scripts/debian-packages.sh chromium postgresql redis-server curl openssl \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core  # WeasyPrint's PDFs

cleanup() { bash scripts/services.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
eval "$(bash scripts/services.sh start)"   # exports TEST_PG_URL, TEST_S3_* and TEST_REDIS_URL

status=0
echo "== Import floors (import-linter) =="
"$VENV/bin/lint-imports" --no-cache | tail -n 6 || status=$?
echo "== Suite on SQLite (with browser tests in Chromium) =="
"$VENV/bin/python" -m pytest -q --cov --cov-report=term:skip-covered tests || status=$?
echo "== Suite on PostgreSQL =="
TEST_DATABASE_URL="$TEST_PG_URL" "$VENV/bin/python" -m pytest -q -m "not e2e" tests || status=$?
exit $status
