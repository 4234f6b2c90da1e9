"""Concurrent uploads against a real server: N residents post a report with two screenshots
at once to the portal under gunicorn (threads, SQLite file database in WAL), then open their
receipt and their status page with the code. Prints errors by status and what was stored.

    .venv/bin/python bench/uploads.py [--reports 50] [--code PATH_OF_ANOTHER_CHECKOUT] [--side 1080]

--code runs the server from another checkout (e.g. main, for the numbers before a change); the
database and the clients are the same. Also used by tests/test_intake_concurrency.py.
"""

import argparse
import collections
import http.cookiejar
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
# --code: the portal package comes from that checkout (the bench helpers from this one)
sys.path[:0] = [os.environ.get("BENCH_CODE", str(HERE)), str(HERE)]

import sqlalchemy as sa  # noqa: E402
from werkzeug.datastructures import FileStorage, MultiDict  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from bench._screens import screenshot_png  # noqa: E402

CODE_RE = re.compile(r'id="tracking-code"[^>]*>([0-9A-Z-]+)<')
REFERENCE_RE = re.compile(r'id="case-reference">(ADU-\d{4}-\d+)<')


@dataclass
class Outcome:
    """What one resident saw: the status of each step, and the receipt's code and reference."""

    number: int
    status: int = 0
    code: str = ""
    reference: str = ""
    status_page_ok: bool = False
    retry_after: str | None = None
    problems: list[str] = field(default_factory=list)


def prepare_database(folder: Path) -> dict[str, str]:
    """A schema with reference data in `folder`; the PORTAL_* settings a server needs."""
    from portal import create_app
    from portal.db import db
    from portal.reference.operations import load_reference_data

    config = {
        "SECRET_KEY": "bench-uploads",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.sqlite3",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        "SESSION_COOKIE_SECURE": False,
    }
    app = create_app({"TESTING": True, **config})
    with app.app_context():
        db.create_all()
        load_reference_data()
        db.session.commit()
        db.engine.dispose()
    return {f"PORTAL_{k}": _env(v) for k, v in config.items()}


def _env(value: object) -> str:
    return {True: "true", False: "false"}.get(value, str(value))  # type: ignore[call-overload]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(
    env: dict[str, str], log: Path, *, code: Path = HERE, workers: int = 2, threads: int = 8
) -> Iterator[str]:
    """gunicorn serving the portal from the checkout `code` (its log to `log`); yields its
    base URL."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    out = log.open("ab")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--chdir",
            str(code),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--graceful-timeout",
            "5",
            "portal:create_app()",
        ],
        env={**os.environ, **env, "PYTHONPATH": str(code)},
        stdout=subprocess.DEVNULL,
        stderr=out,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/", timeout=20):  # noqa: S310
                    break
            except OSError:  # not listening yet, or still importing
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn ended:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


def form_fields(number: int, category: int, region: int, side: int) -> MultiDict:
    """One resident's report: unique link, description and two unique screenshots."""
    today = date.today()
    fields = MultiDict(
        {
            "category": str(category),
            "q-asn-medsos-posting-platform": "instagram",
            "q-asn-medsos-posting-account_handle": "@diskominfo.contoh",
            "reported_party": f"Dinas Contoh nomor {number}",
            "region": str(region),
            "incident_at": (today - timedelta(days=1)).strftime("%Y-%m-%dT09:30"),
            "learned_on": today.isoformat(),
            "description": f"Laporan uji beban nomor {number}: akun resmi mengunggah kampanye.",
            "links": f"https://www.instagram.com/p/Uji{number:04d}Beban/",
            "visibility": "anonymous",
            "idempotency_key": os.urandom(16).hex(),
        }
    )
    for part in (1, 2):
        body = screenshot_png(side, side * 20 // 9, seed=number * 2 + part)
        fields.add(
            "screenshots",
            FileStorage(
                io.BytesIO(body), filename=f"bukti-{number}-{part}.png", content_type="image/png"
            ),
        )
    return fields


def file_one(base: str, number: int, fields: MultiDict) -> Outcome:
    """Post the form as a browser does, read the receipt, then open the status page."""
    outcome = Outcome(number)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    boundary, body = encode_multipart(fields)
    request = urllib.request.Request(
        base + "/lapor",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with opener.open(request, timeout=300) as response:  # follows the 303 to the receipt
            outcome.status, page = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        outcome.status, outcome.retry_after = err.code, err.headers.get("Retry-After")
        outcome.problems.append(f"report: HTTP {err.code}")
        return outcome
    code, reference = CODE_RE.search(page), REFERENCE_RE.search(page)
    if not (code and reference):
        outcome.problems.append("receipt without code or reference")
        return outcome
    outcome.code, outcome.reference = code.group(1), reference.group(1)
    for part in (1, 2):
        if f"bukti-{number}-{part}.png" not in page:
            outcome.problems.append(f"receipt lacks screenshot {part}")
    track = urllib.request.Request(
        base + "/lacak",
        data=f"code={outcome.code}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with opener.open(track, timeout=60) as response:
        status_page = response.read().decode()
    shown = REFERENCE_RE.search(status_page)
    outcome.status_page_ok = bool(shown and shown.group(1) == outcome.reference)
    if not outcome.status_page_ok:
        outcome.problems.append("the code opened another report's page")
    return outcome


def ids(folder: Path) -> tuple[int, int]:
    engine = sa.create_engine(f"sqlite:///{folder}/portal.sqlite3")
    with engine.connect() as conn:
        category = conn.execute(
            sa.text("SELECT id FROM category WHERE code = 'asn-medsos-posting'")
        ).scalar_one()
        region = conn.execute(sa.text("SELECT id FROM region WHERE code = '16.74'")).scalar_one()
    engine.dispose()
    return category, region


def run_load(base: str, folder: Path, reports: int, side: int) -> list[Outcome]:
    """`reports` residents filing at once (one thread each)."""
    category, region = ids(folder)
    forms = [form_fields(n, category, region, side) for n in range(reports)]
    with ThreadPoolExecutor(max_workers=reports) as pool:
        return list(pool.map(lambda n: file_one(base, n, forms[n]), range(reports)))


def stored(folder: Path) -> dict[str, int]:
    """Rows, and evidence rows whose three files are all present."""
    engine = sa.create_engine(f"sqlite:///{folder}/portal.sqlite3")
    with engine.connect() as conn:
        count = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
            for t in ("report", "evidence")
        }
        keys = conn.execute(sa.text("SELECT original_key, clean_key, thumb_key FROM evidence"))
        count["evidence_with_files"] = sum(
            all((folder / "uploads" / k).is_file() for k in row) for row in keys
        )
    engine.dispose()
    return count


def measure_lock(folder: Path, reports: int, side: int) -> None:
    """In one process, one upload after another: how long each POST held the SQLite write
    lock (from BEGIN IMMEDIATE to COMMIT/ROLLBACK) beside the whole request."""
    from portal import create_app
    from portal.db import db

    env = prepare_database(folder)
    config = {k.removeprefix("PORTAL_"): v for k, v in env.items()}
    app = create_app(
        {
            **config,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
        }
    )
    held: list[float] = []
    began: list[float] = []
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        if statement == "BEGIN IMMEDIATE":
            began.append(time.perf_counter())

    def _end(conn):  # noqa: ANN001, ANN202
        if began:
            held.append(time.perf_counter() - began.pop())

    sa.event.listen(engine, "commit", _end)
    sa.event.listen(engine, "rollback", _end)
    category, region = ids(folder)
    client = app.test_client()
    locks, totals = [], []
    for number in range(reports):
        fields = form_fields(number, category, region, side)
        held.clear()
        started = time.perf_counter()
        response = client.post("/lapor", data=fields, content_type="multipart/form-data")
        totals.append(time.perf_counter() - started)
        locks.append(sum(held))
        assert response.status_code == 303, response.status_code
    print(
        f"write lock held per upload: median {statistics.median(locks) * 1000:.0f} ms, "
        f"max {max(locks) * 1000:.0f} ms"
    )
    print(
        f"whole request: median {statistics.median(totals) * 1000:.0f} ms, "
        f"max {max(totals) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--code", type=Path, default=HERE)
    parser.add_argument("--side", type=int, default=1080, help="screenshot width in pixels")
    parser.add_argument("--measure-lock", action="store_true", help="sequential, in-process")
    args = parser.parse_args()
    if os.environ.get("BENCH_CODE") != str(args.code):  # import the portal from --code
        env = {**os.environ, "BENCH_CODE": str(args.code)}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    print(f"code: {args.code}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.measure_lock:
            measure_lock(folder, args.reports, args.side)
            return
        env = prepare_database(folder)
        with server(env, folder / "server.log", code=args.code) as base:
            started = time.perf_counter()
            outcomes = run_load(base, folder, args.reports, args.side)
            took = time.perf_counter() - started
        by_status = collections.Counter(o.status for o in outcomes)
        problems = [p for o in outcomes for p in o.problems]
        print(f"code: {args.code}")
        print(
            f"{args.reports} concurrent reports, 2 screenshots of {args.side} px each, {took:.1f} s"
        )
        print(f"final status of the report POST: {dict(sorted(by_status.items()))}")
        print(f"problems: {len(problems)} {collections.Counter(problems).most_common(3)}")
        print(f"stored: {stored(folder)}")
        print(f"distinct codes: {len({o.code for o in outcomes if o.code})}")


if __name__ == "__main__":
    main()
