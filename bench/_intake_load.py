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
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from urllib3 import encode_multipart_formdata

from bench._cpu import Window, endpoint_pid, postmaster_pid

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791
KEY_MARK = b"K" * 32  # the one-time key's place in the prebuilt body
TARGET = 0.8


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


def serve(settings: dict[str, str], log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        **settings,
        "PORTAL_SECRET_KEY": "bench",
        "PORTAL_WTF_CSRF_ENABLED": "false",
        "PORTAL_RATELIMIT_ENABLED": "false",
        "PORTAL_MAIL_SUPPRESS_SEND": "true",
        "PORTAL_LOG_LEVEL": "WARNING",
        "PORTAL_GUNICORN_BIND": f"127.0.0.1:{PORT}",
    }
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
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


def file_reports(form: tuple[bytes, bytes, str], count: int, errors: list[str]) -> None:
    before, after, content_type = form
    for _ in range(count):
        parts = [before, os.urandom(16).hex().encode(), after]
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(sum(len(p) for p in parts)),
        }
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
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


@dataclass
class Run:
    rate: float  # reports per second
    errors: list[str]
    window: Window
    done: int

    def per_report(self, part: str) -> float | None:
        """CPU seconds a part used per report."""
        assert self.window.parts is not None
        seconds = self.window.parts.get(part)
        return None if seconds is None else seconds / self.done

    def cores(self, seconds: float) -> float:
        return seconds / self.window.elapsed


def rate(form, roots: dict[str, int], clients: int, reports: int) -> Run:
    """N clients filing `reports` reports each, with the CPU every part used meanwhile."""
    errors: list[str] = []
    threads = [
        threading.Thread(target=file_reports, args=(form, reports, errors)) for _ in range(clients)
    ]
    window = Window(roots).start()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    window.stop()
    return Run(clients * reports / elapsed, errors, window, clients * reports)


@dataclass
class Series:
    runs: dict[int, list[Run]] = field(default_factory=dict)

    def median_rate(self, n: int) -> float:
        return statistics.median(r.rate for r in self.runs[n])


def roots_of(master: int, settings: dict[str, str]) -> dict[str, int]:
    """The process trees to account: the gunicorn master, and the database and S3 servers
    when they run on this machine (SQLite runs inside the workers)."""
    roots = {"workers": master}
    if settings["DATABASE_URL"].startswith("postgresql"):
        pid = postmaster_pid(settings["DATABASE_URL"])
        if pid is not None:
            roots["database"] = pid
    endpoint = settings.get("PORTAL_S3_ENDPOINT_URL", "").strip('"')
    if endpoint and (pid := endpoint_pid(endpoint)) is not None:
        roots["S3"] = pid
    return roots


def load_one(label: str, settings, png: bytes, clients: list[int], reports: int, rounds: int):
    """Interleaved rounds (1, 4, 8 clients, then again) so that machine noise hits each alike."""
    ids = prepare(settings["DATABASE_URL"])
    form = body(png, *ids)
    log = Path(settings["PORTAL_UPLOAD_FOLDER"]).parent / "gunicorn.log"
    proc = serve(settings, log)
    series = Series({n: [] for n in clients})
    try:
        roots = roots_of(proc.pid, settings)
        rate(form, roots, 8, 2)  # warm-up: every worker's first request and connection
        for _ in range(rounds):
            for n in clients:
                series.runs[n].append(rate(form, roots, n, reports))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return series, roots


def ms(seconds: float | None) -> str:
    return "    -" if seconds is None else f"{seconds * 1000:5.0f}"


def print_series(label: str, series: Series, roots: dict[str, int], clients: list[int]) -> int:
    """One line per client count (medians over the rounds) and its CPU; returns the errors."""
    single = series.median_rate(clients[0]) * clients[0] if clients[0] == 1 else None
    print(f"  {label}")
    print(
        "    clients  reports/s  share of 2x one  |  CPU ms per report: workers database"
        "   S3 client  |  cores: ours others idle"
    )
    errors = 0
    for n in clients:
        runs = series.runs[n]
        errors += sum(len(r.errors) for r in runs)
        med = statistics.median
        per = {p: med((r.per_report(p) or 0) for r in runs) for p in ("workers", "client")}
        for part in ("database", "S3"):
            per[part] = med(r.per_report(part) or 0 for r in runs) if part in roots else None
        ours = med(r.cores(sum(r.window.parts.values())) for r in runs)  # type: ignore[union-attr]
        others = med(r.cores(r.window.others) for r in runs)
        idle = med(r.cores(r.window.idle) for r in runs)
        share = f"{series.median_rate(n) / (2 * single):5.2f}" if single else "    -"
        failed = [e for r in runs for e in r.errors]
        print(
            f"    {n:7d}  {series.median_rate(n):9.2f}  {share:>15}  |  "
            f"{ms(per['workers']):>26} {ms(per['database']):>8} {ms(per['S3']):>4} "
            f"{ms(per['client']):>6}  |  {ours:11.2f} {others:6.2f} {idle:4.2f}"
            + (f"  {len(failed)} ERRORS ({', '.join(sorted(set(failed)))})" if failed else "")
        )
    return errors


def judge(series: Series, clients: list[int]) -> None:
    """What a busy machine hides. `used`: the share of the cores the other processes left free
    that our parts (workers, database, S3, client) used, 1.00 when nothing in the portal
    serialises; `CPU per report` against one client's: what running side by side costs; and
    how many cores one client kept busy (on an idle machine the N-client share is at most
    2 / (2 x that), so above 1.25 the target cannot be met by any concurrency)."""
    if clients[0] != 1:
        return
    cores = os.cpu_count() or 1

    def cpu(r: Run) -> float:
        return sum((r.window.parts or {}).values()) / r.done

    lone = statistics.median(cpu(r) for r in series.runs[1])
    busy = statistics.median(r.cores(sum((r.window.parts or {}).values())) for r in series.runs[1])
    print(f"    1 client: {lone * 1000:.0f} ms CPU per report (all parts), {busy:.2f} cores busy")
    for n in clients[1:]:
        runs = series.runs[n]
        used = statistics.median(
            r.cores(sum((r.window.parts or {}).values())) / (cores - r.cores(r.window.others))
            for r in runs
        )
        each = statistics.median(cpu(r) for r in runs)
        print(
            f"    {n} clients: used {used:.2f} of the cores left free by others; "
            f"{each * 1000:.0f} ms CPU per report ({each / lone:.2f}x one client's)"
        )


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
            series, roots = load_one(label, settings, png, clients, reports, rounds)
            errors += print_series(label, series, roots, clients)
            judge(series, clients)
    return errors
