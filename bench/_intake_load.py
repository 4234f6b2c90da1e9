"""The load part of bench/intake.py: gunicorn with the production settings
(deploy/gunicorn.conf.py, its own worker count for this machine) serving the portal, N client
threads filing reports over HTTP in interleaved rounds, the throughput against 2x the
single-client rate, and the CPU each part used per report: the gunicorn workers, the database
server, the S3 server, this load generator, and every other process on the machine.

The load generator is kept cheap: every request body is one multipart body built once, sent
from memory with a fresh one-time key spliced in (the key is the only part that must differ);
its CPU is measured and printed, so a run where it is not small can be seen as such.
"""

import http.client
import os
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from urllib3 import encode_multipart_formdata

from bench._cpu import Window, listeners, own_thread_wait, process_roots, worker_pids
from bench._intake_figures import TARGET, Run, Series, Tally, judge, print_series

ROOT = Path(__file__).resolve().parent.parent
KEY_MARK = b"K" * 32  # the one-time key's place in the prebuilt body


def targets(tmp: str) -> list[tuple[str, dict[str, str]]]:
    """(label, PORTAL_* settings) of each configuration to load."""
    found = [
        (
            "SQLite + local files",
            {
                "DATABASE_URL": f"sqlite:///{tmp}/intake.sqlite3",
                "PORTAL_UPLOAD_FOLDER": f"{tmp}/uploads",
            },
        )
    ]
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        settings = {"DATABASE_URL": pg, "PORTAL_UPLOAD_FOLDER": f"{tmp}/uploads-pg"}
        endpoint = os.environ.get("BENCH_S3_ENDPOINT")
        label = "PostgreSQL + local files"
        if endpoint:
            access, secret = os.environ.get("BENCH_S3_KEYS", "portal:portal-secret").split(":")
            settings |= {
                "PORTAL_STORAGE_BACKEND": '"s3"',
                "PORTAL_S3_ENDPOINT_URL": f'"{endpoint}"',
                "PORTAL_S3_BUCKET": f'"{os.environ.get("BENCH_S3_BUCKET", "portal-test")}"',
                "PORTAL_S3_ACCESS_KEY": f'"{access}"',
                "PORTAL_S3_SECRET_KEY": f'"{secret}"',
                "PORTAL_S3_PREFIX": f'"bench-{os.getpid()}/"',
            }
            label = "PostgreSQL + S3"
        found.append((label, settings))
    return found


def prepare(url: str) -> tuple[str, str]:
    """Schema and reference data (a PostgreSQL database is emptied); category and region."""
    import sqlalchemy as sa

    from bench._data import make_app
    from portal.db import db
    from portal.reference.models import Category, Region

    app = make_app(url)
    with app.app_context():
        category = db.session.scalar(
            sa.select(Category.id).where(Category.code == "asn-medsos-posting")
        )
        region = db.session.scalar(sa.select(Region.id).where(Region.code == "16.74"))
        db.session.remove()
        db.engine.dispose()
    return str(category), str(region)


def free_port() -> int:
    """A port nobody listens on now (other benchmarks may run on this machine at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(settings: dict[str, str], log: Path, port: int) -> subprocess.Popen:
    """gunicorn with the production settings file; the access log (next to `log`) holds each
    request's time in the worker, queueing for a free worker left out."""
    env = {
        **os.environ,
        **settings,
        "PORTAL_SECRET_KEY": "bench",
        "PORTAL_WTF_CSRF_ENABLED": "false",
        "PORTAL_RATELIMIT_ENABLED": "false",
        "PORTAL_MAIL_SUPPRESS_SEND": "true",
        "PORTAL_LOG_LEVEL": "WARNING",
        "PORTAL_GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                *("-c", "deploy/gunicorn.conf.py"),
                *("--access-logfile", str(log.with_name("access.log"))),
                *("--access-logformat", "%(L)s"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    for _ in range(300):
        if proc.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and proc.pid in listeners(port):
                return proc  # our own server answered, not another one on this port
        except OSError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not start; its log: {log}")


def body(png: bytes, category: str, region: str) -> tuple[bytes, bytes, str]:
    """The report form as one multipart body, split around its one-time key."""
    from datetime import date, timedelta

    today = date.today()
    fields = {
        "category": category,
        "region": region,
        "q-asn-medsos-posting-platform": "instagram",
        "q-asn-medsos-posting-account_handle": "@diskominfo.lubuklinggau",
        "reported_party": "Diskominfo Kota Lubuk Linggau",
        "incident_at": (today - timedelta(days=1)).strftime("%Y-%m-%dT09:30"),
        "learned_on": today.isoformat(),
        "description": "Akun resmi Diskominfo mengunggah materi kampanye calon kepala daerah.",
        "links": "https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc",
        "visibility": "confidential",
        "contact_email": "warga@example.com",
        "idempotency_key": KEY_MARK.decode(),
        "screenshots": ("layar.png", png, "image/png"),
    }
    data, content_type = encode_multipart_formdata(fields)
    before, after = data.split(KEY_MARK)
    return before, after, content_type


def file_reports(form: tuple[bytes, bytes, str], port: int, count: int, out: Tally) -> None:
    """One client: `count` reports one after the other, each on a new connection (sync
    workers close it after the response), timed; and how long this thread waited for a CPU."""
    before, after, content_type = form
    errors = out.errors
    for _ in range(count):
        start = time.perf_counter()
        parts = [before, os.urandom(16).hex().encode(), after]
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(sum(len(p) for p in parts)),
        }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("POST", "/lapor", parts, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 303:
                errors.append(str(response.status))
        except OSError as exc:
            errors.append(type(exc).__name__)
        finally:
            conn.close()
            out.latencies.append(time.perf_counter() - start)
    out.waits.append(own_thread_wait())


def database_name(url: str) -> str:
    """The PostgreSQL database a configuration uses (its backends' CPU waits count)."""
    import sqlalchemy as sa

    return (sa.engine.make_url(url).database or "") if url.startswith("postgresql") else ""


@dataclass(frozen=True)
class Served:
    """One configuration being loaded: its request body, server and what to account."""

    form: tuple[bytes, bytes, str]
    port: int
    roots: dict[str, int]
    log: Path
    database: str


def rate(served: Served, clients: int, reports: int) -> Run:
    """N clients filing `reports` reports each, with the CPU every part used meanwhile."""
    tally = Tally()
    access = served.log.with_name("access.log")
    seen = access.stat().st_size if access.exists() else 0
    threads = [
        threading.Thread(target=file_reports, args=(served.form, served.port, reports, tally))
        for _ in range(clients)
    ]
    window = Window(served.roots, database=served.database).start()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    window.stop()
    time.sleep(0.05)  # the last access log line
    with open(access, "rb") as f:
        f.seek(seen)
        tally.service = [float(line) for line in f.read().split()]
    return Run(clients * reports / elapsed, tally.errors, window, clients * reports, tally)


def load_one(settings, png: bytes, clients: list[int], reports: int, rounds: int):
    """Interleaved rounds (1, 4, 8 clients, then again) so that machine noise hits each alike."""
    ids = prepare(settings["DATABASE_URL"])
    form = body(png, *ids)
    log = Path(settings["PORTAL_UPLOAD_FOLDER"]).parent / "gunicorn.log"
    port = free_port()
    proc = serve(settings, log, port)
    series = Series({n: [] for n in clients})
    try:
        endpoint = settings.get("PORTAL_S3_ENDPOINT_URL", "").strip('"')
        url = settings["DATABASE_URL"]
        roots = process_roots(proc.pid, url, endpoint)
        served = Served(form, port, roots, log, database_name(url))
        rate(served, 8, 2)  # warm-up: every worker's first request and connection
        series.workers = len(worker_pids(proc.pid))
        for _ in range(rounds):
            for n in clients:
                series.runs[n].append(rate(served, n, reports))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return series, roots, log


def run_load(png: bytes, clients: list[int], reports: int, rounds: int = 3) -> int:
    """Load every configuration; returns the number of failed requests."""
    workers = os.environ.get("PORTAL_GUNICORN_WORKERS")
    print(
        f"\nconcurrent intake: gunicorn with deploy/gunicorn.conf.py "
        f"({workers or 'its default'} sync workers for {os.cpu_count()} cores), "
        f"{reports} reports per client and round, {rounds} interleaved rounds (medians), "
        f"one {len(png) // 1024} KiB screenshot each, all on one case (one link); "
        f"target: 4 and 8 clients >= {TARGET} of 2x one client, 0 errors"
    )
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for label, settings in targets(tmp):
            series, roots, log = load_one(settings, png, clients, reports, rounds)
            failed = print_series(label, series, roots, clients)
            judge(series, clients)
            if failed:
                print("    the end of gunicorn's log:\n" + log.read_text()[-3000:])
            errors += failed
    return errors
