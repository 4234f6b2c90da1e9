#!/usr/bin/env bash
# Follows README.md "Running it for real" on this machine, so that the recipe cannot rot:
#  - an install folder like /srv/portal-aduan: this checkout's code (symlinks), a new instance/;
#  - the settings file deploy/portal.env.example as it is, with only the values that name
#    outside hosts or secrets replaced by local ones (the lines below say which);
#  - step 3 of the README, taken from README.md and run as written, except that `runuser -u
#    portal --` is dropped (no such user here);
#  - the web and worker units started from their ExecStart=, WorkingDirectory= and
#    EnvironmentFile= lines in a clean environment, as systemd starts them; the timers' services
#    run once;
#  - then GET /healthz and the report form through the headers nginx adds, an admin login, and
#    a stop with SIGTERM, as `systemctl stop` sends.
# Step 1 (user, pip install, translations, files) needs root and minutes: the checkout's .venv
# and compiled catalogues stand in. tests/test_production_recipe.py runs this script.
#
# Environment: SMOKE_DIR (an empty folder), SMOKE_REDIS_URL (a Redis), SMOKE_DATABASE_URL (an
# empty database; default SQLite in the instance folder), SMOKE_S3_ENDPOINT, SMOKE_S3_BUCKET,
# SMOKE_S3_ACCESS_KEY, SMOKE_S3_SECRET_KEY (default: files in uploads/), SMOKE_PORT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${SMOKE_DIR:?an empty folder}" "${SMOKE_REDIS_URL:?a Redis URL}"
PORT=${SMOKE_PORT:-8000}
APP=$SMOKE_DIR/srv/portal-aduan
ETC=$SMOKE_DIR/etc/portal-aduan
LOGS=$SMOKE_DIR/logs
ADMIN_PASSWORD=smoke-test-password-1
mkdir -p "$APP/instance" "$APP/uploads" "$ETC" "$LOGS"
for name in app.py portal templates migrations deploy .venv; do ln -s "$ROOT/$name" "$APP/$name"; done

# The settings: the example, with the values that must point at this machine replaced.
local_value() {
  case $1 in
    PORTAL_SECRET_KEY) python3 -c 'import secrets; print(secrets.token_hex(32))' ;;
    PORTAL_DATABASE_URL) echo "${SMOKE_DATABASE_URL:-sqlite:///$APP/instance/portal.sqlite3}" ;;
    PORTAL_STORAGE_BACKEND) [ -n "${SMOKE_S3_ENDPOINT:-}" ] && echo s3 || echo local ;;
    PORTAL_S3_ENDPOINT_URL) echo "${SMOKE_S3_ENDPOINT:-}" ;;
    PORTAL_S3_BUCKET) echo "${SMOKE_S3_BUCKET:-}" ;;
    PORTAL_S3_ACCESS_KEY) echo "${SMOKE_S3_ACCESS_KEY:-}" ;;
    PORTAL_S3_SECRET_KEY) echo "${SMOKE_S3_SECRET_KEY:-}" ;;
    PORTAL_RATELIMIT_STORAGE_URI) echo "$SMOKE_REDIS_URL" ;;
    PORTAL_MAIL_SERVER) echo 127.0.0.1 ;;
    PORTAL_GUNICORN_BIND) echo "127.0.0.1:$PORT" ;;
    *) return 1 ;;
  esac
}
while IFS= read -r line; do
  key=${line%%=*}
  if [[ $line =~ ^PORTAL_[A-Z0-9_]+= ]] && value=$(local_value "$key"); then
    echo "$key=$value"
  else
    echo "$line"
  fi
done <"$ROOT/deploy/portal.env.example" >"$ETC/portal.env"
{
  echo "# Added by the smoke test: its own prefix in a shared bucket, and its own uploads/"
  echo "# (the default follows the symlinked code back to the checkout)."
  echo "PORTAL_S3_PREFIX=smoke-$$-$RANDOM/"
  echo "PORTAL_UPLOAD_FOLDER=$APP/uploads"
} >>"$ETC/portal.env"
export PORTAL_ENV_FILE=$ETC/portal.env

# Step 3 of the README, as written there.
step3=$(sed -n '/<!-- production-smoke: begin -->/,/<!-- production-smoke: end -->/p' \
  "$ROOT/README.md" | sed -e '/^```/d' -e '/^<!--/d' \
  -e "s#/srv/portal-aduan#$APP#g" -e 's#runuser -u portal -- ##')
[ -n "$step3" ] || { echo "README.md has no production-smoke block" >&2; exit 1; }
echo "== README step 3 =="
echo "$step3"
# setsid: no terminal, so the password prompt reads the two lines given here.
printf '%s\n%s\n' "$ADMIN_PASSWORD" "$ADMIN_PASSWORD" |
  setsid --wait bash -euo pipefail -c "$step3" >"$LOGS/step3.log" 2>&1 ||
  { cat "$LOGS/step3.log" >&2; exit 1; }

# A unit's commands run in its WorkingDirectory= with nothing but its EnvironmentFile=.
unit_value() {
  sed -n "s/^$2=//p" "$ROOT/deploy/systemd/$1" | sed -e "s#/srv/portal-aduan#$APP#g" -e "s#/etc/portal-aduan#$ETC#g"
}
as_systemd() {  # as_systemd UNIT COMMAND...: replaces this process with COMMAND
  local unit=$1
  shift
  cd "$(unit_value "$unit" WorkingDirectory)"
  exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$SMOKE_DIR" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' - "$(unit_value "$unit" EnvironmentFile)" "$@" \
    </dev/null
}
run_oneshot() {  # its ExecStart= lines one after the other, as systemd runs Type=oneshot
  local command
  while IFS= read -r command; do
    # shellcheck disable=SC2086  # ExecStart= is split at spaces, like systemd does here
    (as_systemd "$1" $command) || return 1
  done < <(unit_value "$1" ExecStart)
}
start_service() {  # one long-running ExecStart=; its process id is the service's main PID
  # shellcheck disable=SC2046
  (as_systemd "$1" $(unit_value "$1" ExecStart)) >"$LOGS/$1.log" 2>&1 &
  pids+=($!)
}

pids=()
stop() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
}
trap stop EXIT

echo "== Services =="
start_service portal-web.service
start_service portal-worker.service
oneshots=()  # what the timers start, side by side
for unit in portal-refresh-stats.service portal-publish-heads.service portal-sweep.service; do
  run_oneshot "$unit" >"$LOGS/$unit.log" 2>&1 &
  oneshots+=("$unit:$!")
done
for job in "${oneshots[@]}"; do
  wait "${job#*:}" || { cat "$LOGS/${job%%:*}.log" >&2; exit 1; }
  echo "${job%%:*}: done"
done

echo "== Requests through the headers nginx adds =="
"$APP/.venv/bin/python" - "127.0.0.1:$PORT" "$ADMIN_PASSWORD" "${pids[0]}" <<'PY' ||
import http.client, os, re, sys, time

address, password, web = sys.argv[1], sys.argv[2], int(sys.argv[3])
proxied = {"Host": address, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def request(method, path, headers=proxied, body=None):
    conn = http.client.HTTPConnection(address, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.headers, answer.read().decode()


deadline = time.monotonic() + 120
while True:
    os.kill(web, 0)  # the web server is still there
    try:
        status, _, _ = request("GET", "/healthz")
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
assert status == 200, status
print("GET /healthz: 200")
status, headers, _ = request("GET", "/healthz", headers={"Host": address})
assert status in (301, 302) and headers["Location"].startswith("https://"), status
print("GET /healthz without the proxy's headers: redirected to HTTPS")
status, _, page = request("GET", "/lapor")
assert status == 200 and "Kirim laporan" in page, status
print("GET /lapor: 200, in Indonesian")
status, headers, page = request("GET", "/petugas/masuk")
cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie"))
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
form = f"csrf_token={token}&email=admin%40example.go.id&password={password}&next="
status, headers, _ = request("POST", "/petugas/masuk", body=form, headers={
    **proxied, "Cookie": cookie, "Referer": f"https://{address}/petugas/masuk",
    "Content-Type": "application/x-www-form-urlencoded"})
assert status == 303, status
print("POST /petugas/masuk as the admin: 303")
PY
  { tail -n 40 "$LOGS/portal-web.service.log" "$LOGS/portal-worker.service.log"; exit 1; } >&2

grep -q "Worker .* started" "$LOGS/portal-worker.service.log" ||
  { cat "$LOGS/portal-worker.service.log" >&2; exit 1; }
kill -0 "${pids[1]}" || { echo "the worker is not running" >&2; exit 1; }
echo "worker: running"
echo "== Stop =="
stop
trap - EXIT
for pid in "${pids[@]}"; do ! kill -0 "$pid" 2>/dev/null || { echo "$pid still running" >&2; exit 1; }; done
echo "stopped; the production recipe works"
