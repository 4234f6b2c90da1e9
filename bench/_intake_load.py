"""The load part of bench/intake.py: gunicorn with the production settings
(deploy/gunicorn.conf.py) serving the portal, N client threads filing reports over HTTP, the
throughput against 2x the single-client rate, and the CPU the workers spent per report."""

import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from urllib3 import encode_multipart_formdata

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791
TICKS = os.sysconf("SC_CLK_TCK")


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


def serve(settings: dict[str, str]) -> subprocess.Popen:
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
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env
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
    raise RuntimeError("gunicorn did not start")


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) of the master's worker processes so far."""
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def body(png: bytes, category: str, region: str) -> tuple[bytes, str]:
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
        "idempotency_key": os.urandom(16).hex(),
        "screenshots": ("layar.png", png, "image/png"),
    }
    return encode_multipart_formdata(fields)


def file_reports(png: bytes, ids: tuple[str, str], count: int, errors: list[str]) -> None:
    for _ in range(count):
        data, content_type = body(png, *ids)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        try:
            conn.request("POST", "/lapor", data, {"Content-Type": content_type})
            response = conn.getresponse()
            response.read()
            if response.status != 303:
                errors.append(str(response.status))
        except OSError as exc:
            errors.append(type(exc).__name__)
        finally:
            conn.close()


def rate(master: int, png: bytes, ids: tuple[str, str], clients: int, reports: int):
    """Reports per second, errors, and worker CPU seconds per report for N clients."""
    errors: list[str] = []
    threads = [
        threading.Thread(target=file_reports, args=(png, ids, reports, errors))
        for _ in range(clients)
    ]
    cpu = worker_cpu(master)
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done = clients * reports
    return done / elapsed, errors, (worker_cpu(master) - cpu) / done


def run_load(png: bytes, clients: list[int], reports: int) -> None:
    workers = os.environ.get("PORTAL_GUNICORN_WORKERS") or "the default"
    print(f"\nconcurrent intake: gunicorn (deploy/gunicorn.conf.py, {workers} workers), ")
    print(f"{reports} reports per client, one {len(png) // 1024} KiB screenshot each")
    with tempfile.TemporaryDirectory() as tmp:
        for label, settings in targets(tmp):
            ids = prepare(settings["DATABASE_URL"])
            proc = serve(settings)
            try:
                # warm-up: every worker's first request (imports, templates, connections)
                rate(proc.pid, png, ids, 8, 2)
                single = None
                for n in clients:
                    per_s, errors, cpu = rate(proc.pid, png, ids, n, reports)
                    single = single or per_s
                    share = per_s / (2 * single)
                    print(
                        f"  {label:26} {n} client(s): {per_s:5.2f} reports/s, "
                        f"{cpu * 1000:4.0f} ms worker CPU per report, "
                        f"{per_s * cpu:4.2f} cores busy, "
                        f"{share:4.2f} of 2x one client, {len(errors)} errors"
                        + (f" ({', '.join(sorted(set(errors)))})" if errors else ""),
                        flush=True,
                    )
            finally:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench._screens import screenshot_png

    run_load(screenshot_png(), [1, 4, 8], 8)
