#!/usr/bin/env bash
# Keeps one command running: when it exits, logs why and starts it again after a pause that
# doubles from 1 s up to 60 s (and starts at 1 s again once a run lasted a minute).
# `make run` keeps the worker alive this way; production uses systemd's Restart=always.
# Usage: scripts/supervise.sh LOG NAME COMMAND [ARG...]   (the command's output goes to LOG)
set -uo pipefail
log=$1 name=$2
shift 2
pause=1 child=""

say() { printf '%s supervise: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$log"; }
stop() {
  trap - TERM INT
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi
  exit 0
}
trap stop TERM INT

while true; do
  started=$SECONDS
  "$@" >>"$log" 2>&1 &
  child=$!
  say "$name started (pid $child)"
  wait "$child"
  status=$?
  child=""
  if ((SECONDS - started >= 60)); then pause=1; fi
  say "$name exited with status $status; starting it again in ${pause}s"
  sleep "$pause" &
  child=$!
  wait "$child"
  pause=$((pause * 2 > 60 ? 60 : pause * 2))
done
