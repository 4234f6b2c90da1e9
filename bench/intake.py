"""Intake benchmark: a report with one 1080x2400 PNG screenshot through the whole WSGI app,
beside the bare Pillow work on the same image, in the same run. Prints the median CPU of each
and the ratio (target <= 1.3), the SQLite write lock's hold per report, then the peak memory
of one report carrying a 40-megapixel image (target <= 512 MiB), then the throughput of 1, 4
and 8 concurrent clients filing reports to gunicorn with the production settings
(deploy/gunicorn.conf.py): N clients against 2x the single-client rate (target >= 0.8, 0
errors), on SQLite and, with BENCH_PG_URL (and BENCH_S3_ENDPOINT), on PostgreSQL + S3.
Exits with 1 when a request of the load part failed.

Reading the load part (bench/_intake_load.py): each line gives the CPU per report of the
gunicorn workers, the database server, the S3 server and this load generator, and the cores
that ours, every other process and nobody used. On a machine others keep busy the shares
say little ("BUSY MACHINE"); the estimates below each table take out what a busy machine
changes (waits for a CPU) and say what an idle one would show, and how much of that the CPU
per report allows at all (one client keeps more than one core busy when the database and S3
server work beside its worker). "the bare Pillow work in 2 processes at once" is what this
machine's second core gave pure CPU work during the run (2.00 when it is free).

    .venv/bin/python bench/intake.py [--runs 30] [--rounds 3] [--reports 8] [--only-load]
    BENCH_PG_URL=postgresql+psycopg://... BENCH_S3_ENDPOINT=http://127.0.0.1:8344 \
        BENCH_S3_BUCKET=portal-test BENCH_S3_KEYS=portal:portal-secret \
        .venv/bin/python bench/intake.py
"""

import argparse
import gc
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import imagehash  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from bench._data import make_app  # noqa: E402
from bench._screens import screenshot_png  # noqa: E402
from portal.evidence.images import PNG_LEVEL  # noqa: E402


def bare_pillow(data: bytes) -> None:
    """What any image intake must do at least: decode, orient, re-encode, thumbnail, hash."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)
    clean = io.BytesIO()
    image.save(clean, "PNG", compress_level=PNG_LEVEL)  # the portal's own setting
    thumb = image.copy()
    thumb.thumbnail((480, 480))
    out = io.BytesIO()
    thumb.save(out, "WEBP", quality=80, method=2)
    imagehash.phash(thumb)
    hashlib.sha256(data).hexdigest()
    hashlib.sha256(clean.getvalue()).hexdigest()


def write_lock_holds(app) -> list[float]:
    """Seconds from each BEGIN IMMEDIATE to its COMMIT or ROLLBACK, collected as they happen."""
    from portal.db import db

    holds: list[float] = []
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin(conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement == "BEGIN IMMEDIATE":
            conn.info["locked_at"] = time.perf_counter()

    def _end(conn) -> None:  # noqa: ANN001
        started = conn.info.pop("locked_at", None)
        if started is not None:
            holds.append(time.perf_counter() - started)

    sa.event.listen(engine, "commit", _end)
    sa.event.listen(engine, "rollback", _end)
    return holds


def form_data(app, png: bytes) -> dict:
    from portal.db import db
    from portal.reference.models import Category, Region

    with app.app_context():
        category = db.session.scalar(
            sa.select(Category.id).where(Category.code == "asn-medsos-posting")
        )
        region = db.session.scalar(sa.select(Region.id).where(Region.code == "16.74"))
    today = date.today()
    return {
        "category": str(category),
        "region": str(region),
        "q-asn-medsos-posting-platform": "instagram",
        "q-asn-medsos-posting-account_handle": "@diskominfo.lubuklinggau",
        "reported_party": "Diskominfo Kota Lubuk Linggau",
        "incident_at": (today - timedelta(days=1)).strftime("%Y-%m-%dT09:30"),
        "learned_on": today.isoformat(),
        "description": "Akun resmi Diskominfo mengunggah materi kampanye calon kepala daerah.",
        "links": "https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc&utm_source=ig_web_copy_link",
        "visibility": "confidential",
        "contact_email": "warga@example.com",
        "idempotency_key": os.urandom(16).hex(),
        "screenshots": [(io.BytesIO(png), "layar.png")],
    }


def time_it(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU of the whole process (threads the call starts)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


PEAK_CHILD = """
import re, sys
sys.path.insert(0, sys.argv[1])
from portal.evidence.images import process_image

def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

data = open(sys.argv[2], "rb").read()
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # reset the peak: forked from a parent that held the image
before = hwm()
p = process_image(data, max_bytes=64 << 20, max_pixels=40_000_000, max_side=20_000,
                  thumb_side=480)
print(before, hwm(), len(data), p.width, p.height)
"""


PEAK_REQUEST_CHILD = """
import io, re, sys
sys.path.insert(0, sys.argv[1])
from bench.intake import form_data, make_app
from bench._screens import screenshot_png

def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

app = make_app(sys.argv[3])
client = app.test_client()
def post(png):
    return client.post("/lapor", data=form_data(app, png), content_type="multipart/form-data")
assert post(screenshot_png()).status_code == 303  # warm: imports, templates, connection
data = open(sys.argv[2], "rb").read()
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
before = hwm()
response = post(data)
assert response.status_code == 303, response.status_code
print(before, hwm())
"""


def peak_request_40mp(path: Path, tmp: str) -> str:
    """Peak RSS of a worker filing one report that carries the 40-megapixel image."""
    root = str(Path(__file__).resolve().parent.parent)
    Path(tmp, "req").mkdir()
    out = subprocess.run(
        [sys.executable, "-c", PEAK_REQUEST_CHILD, root, str(path), f"{tmp}/req"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    before, peak = map(int, out[-2:])
    return (
        f"one report with it through the app: peak RSS {peak / 1024:.0f} MiB, "
        f"{(peak - before) / 1024:.0f} MiB above the warm worker (target <= 512 MiB)"
    )


def peak_memory_40mp(tmp: str) -> str:
    """Peak RSS of one process_image() call on a 5000x8000 photo-like JPEG, in a fresh process."""
    image = Image.effect_mandelbrot((5000, 8000), (-2.2, -1.6, 1.0, 1.6), 60).convert("RGB")
    path = Path(tmp) / "40mp.jpg"
    image.save(path, "JPEG", quality=85)
    del image
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", PEAK_CHILD, root, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    before, peak, size, w, h = map(int, out)
    return (
        f"40 MP image ({w}x{h}, {size / 1e6:.1f} MB JPEG): process_image peak RSS "
        f"{peak / 1024:.0f} MiB, {(peak - before) / 1024:.0f} MiB above the process before "
        f"(its RGB pixels alone are {w * h * 3 / 2**20:.0f} MiB)\n" + peak_request_40mp(path, tmp)
    )


def machine_scaling(png: bytes, runs: int = 8) -> str:
    """The bare Pillow work in two processes at once against one: what this machine's cores
    give pure CPU work right now (2.00 on two free cores), beside the intake figures."""

    def timed(procs: int) -> float:
        start = time.perf_counter()
        children = []
        for _ in range(procs):
            pid = os.fork()
            if pid == 0:  # pragma: no cover  (the child)
                for _ in range(runs):
                    bare_pillow(png)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
        return time.perf_counter() - start

    bare_pillow(png)
    one, two = timed(1), timed(2)
    return f"the bare Pillow work in 2 processes at once: {2 * one / two:.2f}x one process"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reports", type=int, default=8, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3, help="of the load part")
    parser.add_argument("--clients", default="1,4,8")
    parser.add_argument("--only-load", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    png = screenshot_png()
    if not args.only_load:
        single_process(args)
    print(machine_scaling(png))
    from bench._intake_load import run_load

    clients = [int(c) for c in args.clients.split(",")]
    errors = run_load(png, clients, args.reports, args.rounds)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if errors:
        print(f"FAILED: {errors} requests of the load part failed", file=sys.stderr)
    return 1 if errors else 0


def single_process(args: argparse.Namespace) -> None:
    png = screenshot_png()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        client = app.test_client()

        def submit() -> None:
            response = client.post(
                "/lapor", data=form_data(app, png), content_type="multipart/form-data"
            )
            assert response.status_code == 303, response.status_code

        holds = write_lock_holds(app)
        submit()  # warm-up: imports, template compilation, first connection
        bare_pillow(png)
        gc.collect()
        gc.freeze()  # as gunicorn's pre_fork hook does for each worker (deploy/gunicorn.conf.py)
        request_times, bare_times = [], []
        for _ in range(args.runs):  # interleaved so that machine noise hits both alike
            request_times.append(time_it(submit))
            bare_times.append(time_it(lambda: bare_pillow(png)))
        med = statistics.median
        req, bare = med(t[1] for t in request_times), med(t[1] for t in bare_times)
        print(f"screenshot: 1080x2400 PNG, {len(png) / 1024:.0f} KiB; {args.runs} runs each")
        print(
            f"report through the WSGI app: median {req * 1000:.1f} ms CPU "
            f"({med(t[0] for t in request_times) * 1000:.1f} ms wall)"
        )
        print(
            f"bare Pillow work:            median {bare * 1000:.1f} ms CPU "
            f"({med(t[0] for t in bare_times) * 1000:.1f} ms wall)"
        )
        print(f"ratio app/bare (CPU): {req / bare:.2f}  (target <= 1.3)")
        held = statistics.median(holds[1:])
        print(
            f"SQLite write lock held per report (BEGIN IMMEDIATE to COMMIT): median "
            f"{held * 1000:.1f} ms, at most {1 / held:.0f} reports/s through one database"
        )
        print(peak_memory_40mp(tmp))


if __name__ == "__main__":
    sys.exit(main())
