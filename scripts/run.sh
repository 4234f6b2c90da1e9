#!/usr/bin/env bash
# Serves the portal (called by `make run` after migrating and loading data): gunicorn with the
# settings of deploy/gunicorn.conf.py, the worker (started again whenever it stops), the
# statistics and daily heads loops, a Redis for shared rate limits and a local mail sink.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}; PORT=${2:-5000}
MAIL_SINK_PORT=${MAIL_SINK_PORT:-8025}
FLASK=(.venv/bin/flask --app app)

pids=()  # stopped in reverse order: the web server first, the mail sink and Redis last
cleanup() {
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Redis removes its socket on a clean stop, but not when a second signal (Ctrl+C reaches the
  # whole process group, then ours) makes it exit at once.
  rm -f instance/redis.sock
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# every SECONDS LOG COMMAND...: runs COMMAND now and again SECONDS after each run ends.
every() {
  local period=$1 log=$2
  shift 2
  (
    child=""
    trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 0' TERM
    while true; do
      "$@" >>"$log" 2>&1 & child=$!; wait "$child" || true
      sleep "$period" & child=$!; wait "$child"
    done
  ) &
  pids+=($!)
}

# No mail server configured: catch outgoing mail in a local SMTP sink that prints it to a log.
MAIL_NOTE="Mail goes to ${PORTAL_MAIL_SERVER:-} (PORTAL_MAIL_SERVER)."
if [ -z "${PORTAL_MAIL_SERVER:-}" ] && ! grep -q '^MAIL_SERVER' instance/config.py 2>/dev/null; then
  .venv/bin/python -u -m aiosmtpd -n -l "127.0.0.1:$MAIL_SINK_PORT" >>instance/mail.log 2>&1 &
  pids+=($!)
  export PORTAL_MAIL_SERVER=127.0.0.1 PORTAL_MAIL_PORT=$MAIL_SINK_PORT
  MAIL_NOTE="Outgoing mail is caught, not delivered: read it in instance/mail.log."
fi

# Several server processes count rate limits together only in a shared store: a private Redis
# on a socket in instance/ (redis-server from Debian), unless a store is configured.
LIMIT_NOTE="Rate limits are stored in ${PORTAL_RATELIMIT_STORAGE_URI:-instance/config.py}."
if [ -z "${PORTAL_RATELIMIT_STORAGE_URI:-}" ] && ! grep -q '^RATELIMIT_STORAGE_URI' instance/config.py 2>/dev/null; then
  if command -v redis-server >/dev/null; then
    sock="$PWD/instance/redis.sock"
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' --appendonly no \
      --logfile "$PWD/instance/redis.log" &
    pids+=($!)
    for _ in $(seq 1 100); do redis-cli -s "$sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export PORTAL_RATELIMIT_STORAGE_URI="redis+unix://$sock"
    LIMIT_NOTE="Rate limits are shared by the server processes through Redis (instance/redis.sock)."
  else
    LIMIT_NOTE="No redis-server: each server process counts rate limits on its own."
  fi
fi

# One worker: link captures and liveness checks, outbox mail, deadline escalation.
bash scripts/supervise.sh instance/worker.log worker "${FLASK[@]}" worker --interval 2 &
pids+=($!)
every 300 instance/stats.log "${FLASK[@]}" public refresh-stats
every 86400 instance/heads.log "${FLASK[@]}" public publish-heads

.venv/bin/gunicorn --config deploy/gunicorn.conf.py --bind "$HOST:$PORT" \
  --access-logfile - >>instance/web.log 2>&1 &
web=$!
pids+=($web)

# The address block is printed once the server answers, so it is the last thing on screen.
probe=$HOST
case $HOST in 0.0.0.0 | "") probe=127.0.0.1 ;; :: | "[::]") probe="[::1]" ;; esac
if ! .venv/bin/python - "http://$probe:$PORT/healthz" "$web" <<'PY'; then
import os, sys, time, urllib.request

url, pid = sys.argv[1], int(sys.argv[2])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    try:
        with opener.open(url, timeout=5) as answer:
            sys.exit(0 if answer.status == 200 else 1)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
  echo "The web server did not start; the end of instance/web.log:" >&2
  tail -n 30 instance/web.log >&2
  exit 1
fi

cat <<MSG

  Portal Aduan Warga is running:   http://$HOST:$PORT/
  Residents:  file a report at      http://$HOST:$PORT/lapor   and follow it at /lacak
  Officers:   log in at             http://$HOST:$PORT/petugas/masuk
              demo logins (DEMO=1): admin@demo.test, supervisor@demo.test, petugas@demo.test
              password:             demo-password-123
  Public:     transparency page     http://$HOST:$PORT/transparansi
  $MAIL_NOTE
  $LIMIT_NOTE
  The outbox sender, escalation and statistics run in the background; requests and errors
  are logged in instance/web.log, the rest in instance/*.log. Stop with Ctrl+C.

MSG
wait "$web"
