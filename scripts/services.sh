#!/usr/bin/env bash
# Starts (or stops) the services the tests use: a throwaway PostgreSQL cluster, SeaweedFS S3 and
# Redis (rate limits shared between app servers).
# `start` prints `export` lines for the test environment; safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PGDATA=${PGDATA:-/tmp/portal-test-pg}
PGPORT=${PGPORT:-5433}
S3_DIR=${S3_DIR:-/tmp/portal-test-s3}
S3_PORT=${S3_PORT:-8333}
export AWS_ACCESS_KEY_ID=${S3_ACCESS_KEY:-portal} AWS_SECRET_ACCESS_KEY=${S3_SECRET_KEY:-portal-secret}
S3_BUCKET=${S3_BUCKET:-portal-test}
REDIS_DIR=${REDIS_DIR:-/tmp/portal-test-redis}
REDIS_PORT=${REDIS_PORT:-6380}
# The benchmarks' own cluster lifts these (bulk loads of a million cases run longer).
PG_STATEMENT_TIMEOUT=${PG_STATEMENT_TIMEOUT:-120s}
PG_LOCK_TIMEOUT=${PG_LOCK_TIMEOUT:-60s}
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_pg() {
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ "$(id -u)" = 0 ]; then install -d -o postgres -g postgres -m 700 "$PGDATA"; else mkdir -p -m 700 "$PGDATA"; fi
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o "-p $PGPORT \
      -c listen_addresses=127.0.0.1 -k $PGDATA -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c log_lock_waits=on -c deadlock_timeout=2s" >/dev/null
  fi
  psql "host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" -v ON_ERROR_STOP=1 -q \
    -v st="$PG_STATEMENT_TIMEOUT" -v lt="$PG_LOCK_TIMEOUT" <<'SQL' >/dev/null
SELECT 'CREATE ROLE portal LOGIN PASSWORD ''portal''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname='portal')\gexec
-- A test's statement that waits on a lock or runs on for minutes is a hang: it fails with an
-- error (and server.log names the lock it waited for) instead of holding up the whole pass.
ALTER ROLE portal SET statement_timeout = :'st';
ALTER ROLE portal SET lock_timeout = :'lt';
SELECT 'CREATE DATABASE portal_test OWNER portal' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='portal_test')\gexec
SELECT 'CREATE DATABASE portal_test_migrations OWNER portal' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='portal_test_migrations')\gexec
SELECT 'CREATE DATABASE portal_test_restore OWNER portal' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='portal_test_restore')\gexec
SELECT 'CREATE DATABASE portal_smoke OWNER portal' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='portal_smoke')\gexec
SQL
  echo "export TEST_PG_URL=postgresql+psycopg://portal:portal@127.0.0.1:$PGPORT/portal_test"
}

start_s3() {
  local weed="$VENV/bin/weed" code=000
  if ! curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then
    mkdir -p "$S3_DIR"
    nohup "$weed" mini -dir="$S3_DIR" -ip=127.0.0.1 -ip.bind=127.0.0.1 -webdav=false \
      -s3.port="$S3_PORT" >"$S3_DIR.log" 2>&1 &
    echo $! > "$S3_DIR.pid"
  fi
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -I --aws-sigv4 aws:amz:us-east-1:s3 \
      --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "http://127.0.0.1:$S3_PORT/$S3_BUCKET" || true)
    [ "$code" = 200 ] && break
    # weed mini creates no bucket by itself here: create it once S3 answers.
    [ "$code" = 404 ] && curl -s -o /dev/null -X PUT --aws-sigv4 aws:amz:us-east-1:s3 \
      --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "http://127.0.0.1:$S3_PORT/$S3_BUCKET" || true
    sleep 0.2
  done
  if [ "$code" != 200 ]; then echo "echo 'S3 not ready (HTTP $code)' >&2"; return 0; fi
  echo "export TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT TEST_S3_BUCKET=$S3_BUCKET"
  echo "export TEST_S3_ACCESS_KEY=$AWS_ACCESS_KEY_ID TEST_S3_SECRET_KEY=$AWS_SECRET_ACCESS_KEY"
}

start_redis() {
  if ! command -v redis-server >/dev/null; then
    echo "echo 'redis-server is not installed: the Redis tests are skipped' >&2"
    return 0
  fi
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    mkdir -p "$REDIS_DIR"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' \
      --appendonly no --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" \
      --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

stop_all() {
  [ -f "$S3_DIR.pid" ] && kill "$(cat "$S3_DIR.pid")" 2>/dev/null || true
  rm -f "$S3_DIR.pid"
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start_pg; start_s3; start_redis ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
