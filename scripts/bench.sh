#!/usr/bin/env bash
# `make bench`: every benchmark on SQLite, then on PostgreSQL (+ S3 for intake), against a
# scratch PostgreSQL cluster, SeaweedFS and Redis of its own (ports apart from the tests').
# BENCH_CASES sets the large size of bench/scale.py (default 1000000); BENCH_ONLY="pages scale"
# runs some of them (also: triage, search, which are not in the default set). Generated databases are kept in BENCH_DATA (/tmp/portal-bench-data) and
# the cluster's databases between runs, so a second run does not generate again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
export PGDATA=${BENCH_PGDATA:-/tmp/portal-bench-pg} PGPORT=${BENCH_PGPORT:-5439}
export S3_DIR=/tmp/portal-bench-s3 S3_PORT=8339 S3_BUCKET=portal-bench
export REDIS_DIR=/tmp/portal-bench-redis REDIS_PORT=6389
export PG_STATEMENT_TIMEOUT=0 PG_LOCK_TIMEOUT=0
export BENCH_CASES=${BENCH_CASES:-1000000}
DATA=${BENCH_DATA:-/tmp/portal-bench-data}
ONLY=${BENCH_ONLY:-pages intake scale}
mkdir -p "$DATA"

trap 'bash scripts/services.sh stop' EXIT
eval "$(bash scripts/services.sh start)"
pg="host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres"
for name in bench_pages bench_intake bench_search "scale_10000" "scale_$BENCH_CASES"; do
  psql "$pg" -q -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$name'" -t \
    | grep -q 1 || psql "$pg" -q -c "CREATE DATABASE $name OWNER portal"
done
base=postgresql+psycopg://portal:portal@127.0.0.1:$PGPORT

run() { echo; echo "### $*"; "$@"; }
for part in $ONLY; do
  case $part in
    pages)
      run $PY bench/pages.py
      run $PY bench/pages.py --database "$base/bench_pages" ;;
    intake)
      run env BENCH_PG_URL="$base/bench_intake" BENCH_S3_ENDPOINT="$TEST_S3_ENDPOINT" \
        BENCH_S3_BUCKET="$TEST_S3_BUCKET" BENCH_S3_KEYS="$TEST_S3_ACCESS_KEY:$TEST_S3_SECRET_KEY" \
        $PY bench/intake.py ;;
    scale)
      run env BENCH_PG_URL="$base/scale_{n}" $PY bench/scale.py --reuse --dir "$DATA" ;;
    triage) run $PY bench/triage.py ;;
    search) run env BENCH_PG_URL="$base/bench_search" $PY bench/search.py ;;
    *) echo "unknown benchmark: $part" >&2; exit 2 ;;
  esac
done
