"""HTTP benchmark: each page of the portal beside a Flask hello-world, both served by gunicorn
with deploy/gunicorn.conf.py (2 sync workers), loaded by wrk (32 connections, 10 s) in
interleaved rounds. Prints each page's median share of hello-world's requests per second, the
machine's load and the share of CPU that processes other than the servers and wrk used.

    .venv/bin/python bench/pages.py [--rounds 3] [--seconds 10] [--connections 32] [--fresh]
    .venv/bin/python bench/pages.py --database postgresql+psycopg://USER:PW@HOST:PORT/SCRATCH

The portal runs on the demo data (`flask demo load`), built on first use: in an SQLite file in
instance/bench/, or in the PostgreSQL database `--database` names (emptied when it is built; its
uploads go to instance/bench-pg/). How to read the output: README.md, "Benchmarks".
"""

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nobody listens on now (fixed ports clashed with other servers on the machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORTAL_PORT, HELLO_PORT, COMPARE_PORT = free_port(), free_port(), free_port()
SECRET = "bench-http"  # noqa: S105  (a throw-away server on localhost)
OFFICER = "petugas@demo.test"
TARGETS = {
    "home": 0.40,
    "transparency": 0.30,
    "status": 0.30,
    "report form": 0.20,
    "Open311 list": 0.20,
    "officer queue": 0.10,
    "case page": 0.08,
}


@dataclass
class Page:
    name: str
    path: str
    cookie: str = ""
    port: int = PORTAL_PORT
    shares: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    cpu_shares: list[float] = field(default_factory=list)  # hello's CPU per request / this one's


@dataclass
class Run:
    rate: float
    cpu_per_request: float  # seconds of server CPU
    wrk_cores: float  # CPU wrk used, in cores
    server_cores: float
    other_share: float  # of the whole machine's CPU


def database_url(folder: Path, database: str | None) -> str:
    return database or f"sqlite:///{folder / 'portal.sqlite3'}"


def portal_env(folder: Path, database: str | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_SQLALCHEMY_DATABASE_URI": database_url(folder, database),
        "PORTAL_UPLOAD_FOLDER": str(folder / "uploads"),
        "PORTAL_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def build_database(folder: Path, fresh: bool, database: str | None) -> None:
    """The demo database, as `make db DEMO=1` builds it (kept for the next run)."""
    url = database_url(folder, database)
    marker = folder / "ready"
    if marker.exists() and marker.read_text() == url and not fresh:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if database:
        empty_postgresql(database)
    print(f"building the demo database ({url.split('://')[0]}) ...", flush=True)
    for command in (
        "db upgrade",
        "reference load",
        "demo load",
        "public refresh-stats",
        "cases reindex --if-empty",
    ):
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "app", *command.split()],
            cwd=ROOT,
            env=portal_env(folder, database),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    marker.write_text(url)


def empty_postgresql(url: str) -> None:
    """Drop everything in the scratch database's public schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def serve(app: str, port: int, env: dict[str, str], root: Path = ROOT) -> subprocess.Popen:
    """gunicorn with the portal's own settings file; only the address and app differ."""
    env = {
        **env,
        "PORTAL_GUNICORN_BIND": f"127.0.0.1:{port}",
        "PORTAL_GUNICORN_WORKERS": "2",
        "PYTHONPATH": str(root),
    }
    command = [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app]
    log = open(Path(env["PORTAL_UPLOAD_FOLDER"]).parent / f"gunicorn-{port}.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {app} exited (port {port} in use?); see {log.name}")
        try:
            get(port, "/healthz" if app == "app:app" else "/")
            return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"gunicorn {app} did not start")


def get(port: int, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def officer_cookie(port: int) -> str:
    """Log in through the login form as the demo officer; the session cookie it sets."""
    from portal.demo.shared import PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # No User-Agent, as wrk sends none: Flask-Login's session protection marks a session seen
    # from another browser as not fresh, and wrk, replaying the login's cookie, would make
    # every request write that mark and sign a new cookie (a browser keeps the new one).
    opener.addheaders = []
    url = f"http://127.0.0.1:{port}/petugas/masuk"
    html = opener.open(url).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"csrf_token": token.group(1), "email": OFFICER, "password": PASSWORD}
    opener.open(url, urllib.parse.urlencode(form).encode()).read()
    # A staff page once more: a fresh login's session gets its CSRF secret on the first page
    # with a form; wrk replays the cookie a browser would hold from then on.
    opener.open(f"http://127.0.0.1:{port}/petugas/kasus/").read()
    session = next((c.value for c in jar if c.name == "session"), None)
    if session is None:
        raise RuntimeError("the demo officer could not log in")
    return f"session={session}"


def pick_rows(folder: Path, database: str | None) -> tuple[int, int]:
    """A case of the officer's team with the most reports, and one of its reports."""
    env = portal_env(folder, database)
    os.environ.update({k: v for k, v in env.items() if k.startswith("PORTAL_")})
    import sqlalchemy as sa

    from portal import create_app
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.db import db
    from portal.intake.models import Report

    app = create_app()
    with app.app_context():
        team = db.session.scalar(sa.select(User.team_id).where(User.email == OFFICER))
        case_id = db.session.scalar(
            sa.select(Case.id)
            .where(Case.team_id == team)
            .order_by(Case.report_count.desc(), Case.id)
            .limit(1)
        )
        report_id = db.session.scalar(
            sa.select(sa.func.min(Report.id)).where(Report.case_id == case_id)
        )
    return case_id, report_id


def tracking_cookie(report_id: int) -> str:
    """The session a resident's browser holds after entering the report's tracking code.

    Signed with the server's key, as /lacak would set it: the code itself is only stored hashed.
    Like a browser's, it holds the CSRF secret Flask-WTF put there when /lacak showed its form.
    """
    import secrets

    from flask import Flask

    app = Flask(__name__)
    app.secret_key = SECRET
    serializer = app.session_interface.get_signing_serializer(app)
    data = {
        "csrf_token": secrets.token_hex(20),
        "tracked_report_id": report_id,
        "tracked_at": int(time.time()),
    }
    return f"session={serializer.dumps(data)}"


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process when it runs on this machine: its backends' CPU
    is part of what a page costs."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    if engine.url.host not in ("127.0.0.1", "localhost", None):
        return None
    with engine.connect() as conn:
        backend = conn.scalar(sa.text("SELECT pg_backend_pid()"))
    engine.dispose()
    try:
        stat = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(stat[1])


def proc_ticks(pid: int) -> int:
    """CPU ticks of a process, with those of its reaped children (recycled workers)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15])  # utime stime cutime cstime


def tree_ticks(master: int) -> int:
    """A gunicorn master's CPU ticks and its live workers'."""
    total = proc_ticks(master)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            continue
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    return sum(values) - values[3] - values[4], sum(values)


def wrk(port: int, page: Page, args: argparse.Namespace, masters: list[int]) -> Run:
    """One wrk run against one page, with the CPU the servers, wrk and everyone else used."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--timeout",
        "30s",
    ]
    if page.cookie:
        command += ["-H", f"Cookie: {page.cookie}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    servers_before = sum(tree_ticks(m) for m in masters)
    busy_before, all_before = machine_ticks()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    busy, total = machine_ticks()
    busy, total = busy - busy_before, total - all_before
    servers = sum(tree_ticks(m) for m in masters) - servers_before
    wrk_ticks = (usage.ru_utime + usage.ru_stime) * CLK_TCK
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect [1-9]", out)
    if proc.returncode or match is None or done is None or bad:
        raise RuntimeError(f"wrk on {page.path} failed:\n{out}")
    seconds = total / CLK_TCK / (os.cpu_count() or 1)
    return Run(
        rate=float(match.group(1)),
        cpu_per_request=servers / CLK_TCK / max(1, int(done.group(1))),
        wrk_cores=wrk_ticks / CLK_TCK / seconds,
        server_cores=servers / CLK_TCK / seconds,
        other_share=max(0.0, busy - servers - wrk_ticks) / total,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--only", help="comma-separated page names (default: every page)")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a scratch PostgreSQL database for the demo data (default: SQLite in --dir)",
    )
    parser.add_argument("--dir", help="demo data folder (default instance/bench or bench-pg)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo database")
    parser.add_argument(
        "--compare",
        metavar="CHECKOUT",
        help="also serve the portal from another checkout (e.g. a git worktree of main) on the "
        "same database, measured in the same rounds: before/after shares",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: bash scripts/debian-packages.sh wrk")
    default = "bench-pg" if args.database else "bench"
    folder = Path(args.dir or ROOT / "instance" / default).resolve()
    build_database(folder, args.fresh, args.database)
    case_id, report_id = pick_rows(folder, args.database)
    env = portal_env(folder, args.database)
    servers: list[subprocess.Popen] = []
    try:
        servers.append(serve("app:app", PORTAL_PORT, env))
        servers.append(serve("bench.wsgi_hello:app", HELLO_PORT, env))
        if args.compare:
            servers.append(serve("app:app", COMPARE_PORT, env, Path(args.compare).resolve()))
        officer = officer_cookie(PORTAL_PORT)
        pages = [
            Page("home", "/"),
            Page("transparency", "/transparansi"),
            Page("status", "/lacak/status", tracking_cookie(report_id)),
            Page("report form", "/lapor"),
            Page("Open311 list", "/open311/v2/requests.json"),
            Page("officer queue", "/petugas/kasus/", officer),
            Page("case page", f"/petugas/kasus/{case_id}", officer),
        ]
        if args.only:
            pages = [p for p in pages if p.name in args.only.split(",")]
        before = [Page(p.name, p.path, p.cookie, COMPARE_PORT) for p in pages]
        compared = before if args.compare else []
        masters = [s.pid for s in servers]
        postmaster = postmaster_pid(args.database) if args.database else None
        if postmaster:  # PostgreSQL's backends count as the servers' CPU
            masters.append(postmaster)
        report(measure(pages + compared, args, masters), pages, compared, args)
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=30)


def as_browser(page: Page) -> None:
    """Hold the session cookie a browser would hold now. The portal notes a visitor's activity
    in the session once a minute, which signs a new cookie; a browser keeps it, but wrk replays
    one cookie for a whole run: given one older than a minute, every request would sign anew."""
    if not page.cookie:
        return
    response = get(page.port, page.path, page.cookie)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name == "session":
            page.cookie = "session=" + rest.split(";")[0]


def measure(pages: list[Page], args: argparse.Namespace, masters: list[int]) -> list[Run]:
    """Warm every page, then rounds of hello-world and each page in a shuffled order."""
    for page in pages:
        response = get(page.port, page.path, page.cookie)
        if response.status != 200:
            raise RuntimeError(f"{page.path} answers {response.status}, not 200")
    warm = argparse.Namespace(**{**vars(args), "seconds": 2})
    for page in pages:
        wrk(page.port, page, warm, masters)
    hello_runs = []
    for number in range(1, args.rounds + 1):
        load = os.getloadavg()[0]
        base = wrk(HELLO_PORT, Page("hello-world", "/"), args, masters)
        hello_runs.append(base)
        order = random.sample(pages, len(pages))
        for page in order:
            as_browser(page)
            run = wrk(page.port, page, args, masters)
            page.rates.append(run.rate)
            page.shares.append(run.rate / base.rate)
            page.cpu_shares.append(base.cpu_per_request / run.cpu_per_request)
            base.other_share = max(base.other_share, run.other_share)
        print(
            f"round {number}: hello-world {base.rate:,.0f} req/s, load average {load:.2f}, "
            f"others used up to {base.other_share:.1%} of the CPU",
            flush=True,
        )
    return hello_runs


def report(
    hello_runs: list[Run], pages: list[Page], before: list[Page], args: argparse.Namespace
) -> None:
    database = "PostgreSQL" if args.database else "SQLite"
    print(
        f"\n{database}: gunicorn deploy/gunicorn.conf.py, 2 sync workers; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s; {args.rounds} interleaved rounds"
    )
    print(
        f"{'page':16}{'median req/s':>14}{'share of hello':>16}{'target':>8}"
        f"{'CPU ms/req':>12}{'CPU share':>11}  shares per round"
    )
    hello_ms = statistics.median(r.cpu_per_request for r in hello_runs)
    for label, group in (("", pages), ("before: ", before)):
        for page in group:
            share = statistics.median(page.shares)
            target = TARGETS[page.name]
            mark = "ok" if share >= target else "BELOW"
            rounds = " ".join(f"{s:.3f}" for s in page.shares)
            cpu_share = statistics.median(page.cpu_shares)
            print(
                f"{label + page.name:16}{statistics.median(page.rates):14,.0f}{share:16.3f}"
                f"{target:8.2f}{1000 * hello_ms / cpu_share:12.2f}{cpu_share:11.3f}"
                f"  {rounds}  {mark}"
            )
    rate = statistics.median(r.rate for r in hello_runs)
    wrk_cores = statistics.median(r.wrk_cores for r in hello_runs)
    server_cores = statistics.median(r.server_cores for r in hello_runs)
    others = max(r.other_share for r in hello_runs)
    print(
        f"hello-world: {rate:,.0f} req/s, {1000 * hello_ms:.2f} ms of server CPU a request; "
        f"its 2 workers used {server_cores:.2f} cores, "
        f"wrk {wrk_cores:.2f} cores of its {args.threads} threads"
    )
    print(f"other processes used at most {others:.1%} of the CPU in any run")
    print(f"load average now: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
