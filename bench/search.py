"""Search benchmark: `search_cases` by reference, handle, link (with tracking parameters) and
words, at 1,000 and at 100,000 cases. Data is written through SQLAlchemy Core in batches into
a scratch database, the index is built with `rebuild_index`, then each search is timed as
the median of N runs. Prints milliseconds and the ratio 100k/1k (target: under 50 ms).

    .venv/bin/python bench/search.py [--small 1000 --cases 100000 --runs 25]
    BENCH_PG_URL=postgresql+psycopg://... .venv/bin/python bench/search.py   # also PostgreSQL

The PostgreSQL database named by BENCH_PG_URL is emptied: give it a scratch database.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._data import fill, make_app  # noqa: E402
from portal.db import db  # noqa: E402

RARE_EVERY = 97  # one case in 97 has the rare word in a description


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (SQLite runs in it; on a shared
    machine the CPU time says what the search costs, the wall clock what the wait was)."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _app(tmp: str, pg_url: str | None):
    if pg_url is None:
        return make_app(tmp)
    from portal import create_app
    from portal.reference.operations import load_reference_data

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": pg_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data()
        db.session.commit()
    return app


def _prepare(n_cases: int) -> dict[str, str]:
    from portal.cases.models import Case
    from portal.cases.search import rebuild_index
    from portal.evidence.models import Link
    from portal.intake.models import Report

    fill(n_cases, n_cases + n_cases // 2)
    rare = sa.select(Report.id).where(Report.case_id % RARE_EVERY == 0).scalar_subquery()
    db.session.execute(
        sa.update(Report)
        .where(Report.id.in_(rare))
        .values(description=Report.description + " sembako bergambar calon")
    )
    rebuild_index()
    db.session.commit()
    middle = db.session.get(Case, n_cases // 2)
    url = db.session.scalar(sa.select(Link.url_given).order_by(Link.id).offset(len_links() // 2))
    account = db.session.scalar(
        sa.select(Report.reported_account).where(Report.case_id == middle.id).limit(1)
    )
    return {
        "reference": middle.reference,
        "handle": account,
        "link": f"{url}?utm_source=wa&igsh=abc",
        "rare word": "sembako",
        "word in every case": "kampanye",
    }


def len_links() -> int:
    from portal.evidence.models import Link

    return db.session.scalar(sa.select(sa.func.count(Link.id))) or 0


def measure(n_cases: int, runs: int, pg_url: str | None) -> dict[str, tuple[float, float]]:
    from portal.cases.search import search_cases

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(tmp, pg_url)
        with app.app_context():
            started = time.perf_counter()
            searches = _prepare(n_cases)
            print(
                f"  {n_cases} cases generated and indexed in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            results = {}
            for name, text in searches.items():
                hits = search_cases(text, sa.true())
                assert hits, f"{name}: nothing found for {text!r}"
                results[name] = median_ms(lambda t=text: search_cases(t, sa.true()), runs)
            db.session.remove()  # first: its open transaction would block the drop
            if pg_url:
                db.drop_all()
            db.engine.dispose()
    return results


def run(label: str, args: argparse.Namespace, pg_url: str | None) -> None:
    print(f"search benchmark on {label}")
    small = measure(args.small, args.runs, pg_url)
    large = measure(args.cases, args.runs, pg_url)
    width = max(len(name) for name in small)
    print(f"  {'search (wall / cpu ms)':<{width}}  {args.small:>15}  {args.cases:>15}  ratio")
    for name, (wall, cpu) in small.items():
        big_wall, big_cpu = large[name]
        print(
            f"  {name:<{width}}  {wall:>7.2f} /{cpu:>6.2f}  {big_wall:>7.2f} /{big_cpu:>6.2f}"
            f"  {big_wall / wall:5.2f} / {big_cpu / cpu:5.2f}"
        )
    slow = [name for name, (wall, _) in large.items() if wall > 50]
    print("  all under 50 ms" if not slow else f"  over 50 ms: {', '.join(slow)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.skip_sqlite:
        run("SQLite", args, None)
    pg_url = os.environ.get("BENCH_PG_URL")
    if pg_url:
        run("PostgreSQL", args, pg_url)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
