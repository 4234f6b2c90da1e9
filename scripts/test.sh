#!/usr/bin/env bash
# Runs the whole suite: SQLite (with the Chromium journeys), then PostgreSQL. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for pkg in chromium postgresql curl openssl; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

cleanup() { bash scripts/services.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
eval "$(bash scripts/services.sh start)"   # exports TEST_PG_URL and S3_* for the tests

status=0
echo "== Import floors (import-linter) =="
"$VENV/bin/lint-imports" --no-cache | tail -n 6 || status=$?
echo "== Suite on SQLite (with browser tests in Chromium) =="
"$VENV/bin/python" -m pytest -q --cov --cov-report=term:skip-covered tests || status=$?
echo "== Suite on PostgreSQL =="
TEST_DATABASE_URL="$TEST_PG_URL" "$VENV/bin/python" -m pytest -q -m "not e2e" tests || status=$?
exit $status
