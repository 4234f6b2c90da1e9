#!/usr/bin/env bash
# Serves the portal for development (called by `make run` after migrating and loading data),
# with the background loops that send mail and escalate overdue cases.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}; PORT=${2:-5000}
FLASK=(.venv/bin/flask --app app)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# No mail server configured: catch outgoing mail in a local SMTP sink that prints it to a log.
MAIL_NOTE="Mail goes to ${PORTAL_MAIL_SERVER:-} (PORTAL_MAIL_SERVER)."
if [ -z "${PORTAL_MAIL_SERVER:-}" ] && ! grep -q '^MAIL_SERVER' instance/config.py 2>/dev/null; then
  .venv/bin/python -u -m aiosmtpd -n -l 127.0.0.1:8025 >>instance/mail.log 2>&1 & pids+=($!)
  export PORTAL_MAIL_SERVER=127.0.0.1 PORTAL_MAIL_PORT=8025
  MAIL_NOTE="Outgoing mail is caught, not delivered: read it in instance/mail.log."
fi

# One worker: link captures and liveness checks, outbox mail, deadline escalation.
"${FLASK[@]}" worker --interval 2 >>instance/worker.log 2>&1 & pids+=($!)
( while true; do "${FLASK[@]}" public refresh-stats; sleep 300; done ) >>instance/stats.log 2>&1 & pids+=($!)
( while true; do "${FLASK[@]}" public publish-heads; sleep 86400; done ) >>instance/heads.log 2>&1 & pids+=($!)

cat <<MSG

  Portal Aduan Warga is running:   http://$HOST:$PORT/
  Residents:  file a report at      http://$HOST:$PORT/lapor   and follow it at /lacak
  Officers:   log in at             http://$HOST:$PORT/petugas/masuk
              demo logins (DEMO=1): admin@demo.test, supervisor@demo.test, petugas@demo.test
              password:             demo-password-123
  Public:     transparency page     http://$HOST:$PORT/transparansi
  $MAIL_NOTE
  The outbox sender, escalation and statistics run in the background
  (logs in instance/*.log). Stop with Ctrl+C.

MSG
"${FLASK[@]}" run --host "$HOST" --port "$PORT" --no-reload
