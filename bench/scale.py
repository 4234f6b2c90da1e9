"""Scale benchmark: the same staff and public requests at a small and a large number of cases,
on SQLite and (with BENCH_PG_URL) on PostgreSQL. Prints medians and the ratios large/small
(target <= 1.5) and `flask public refresh-stats` after a few writes (target <= 2 s).

    .venv/bin/python bench/scale.py                      # 10k and BENCH_CASES (100k) cases
    BENCH_CASES=1000000 BENCH_PG_URL=postgresql+psycopg://portal:portal@127.0.0.1:5444/scale_{n} \\
        BENCH_SCALE_DIR=/tmp/scale-data BENCH_REUSE=1 .venv/bin/python bench/scale.py

BENCH_PG_URL names a scratch database that is emptied; `{n}` in it gives each size its own
database, which `--reuse` (or BENCH_REUSE=1) keeps between runs, as it keeps the SQLite files
in --dir (BENCH_SCALE_DIR, default /tmp). A kept database is used again when it holds the
same number of cases, each with its search document (bench/generate.py writes them).
Generating one million cases takes several minutes per database.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._timing import (  # noqa: E402
    SERVER,
    count_cases,
    ensure_database,
    median_ms,
    server_cpu,
)
from bench.generate import generate, make_app  # noqa: E402
from portal.db import db  # noqa: E402

OPEN311 = "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&page_size=50"
# both sizes fill the page: Open311's default window (90 days) holds fewer matches at 10k
OPEN311_NARROW = (
    "/open311/v2/requests.json?status=closed&service_code=politik-uang"
    "&start_date=2000-01-01T00:00:00Z&page_size=50"
)
WRITES = 20  # status changes between two refreshes of the statistics


def supervisor(app) -> tuple[int, int]:
    from portal.accounts.models import Role, Team, User
    from portal.accounts.passwords import hash_password

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "bench@example.test"))
        if user is None:
            team = db.session.scalar(sa.select(Team).where(Team.slug == "bawaslu-sumsel"))
            user = User(
                email="bench@example.test",
                name="Bench",
                role=Role.ADMIN,
                team_id=team.id if team else None,
                password_hash=hash_password("x" * 16),
            )
            db.session.add(user)
            db.session.commit()
        return user.id, user.session_version


def staff_client(app):
    from portal.accounts.auth import stamp_session

    user_id, version = supervisor(app)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{version}"
        session["_fresh"] = True
        stamp_session(session)
    return client, user_id


def page_timings(app, n: int, runs: int) -> dict[str, tuple[float, float]]:
    from portal.cases.models import Case
    from portal.cases.queries import encode_cursor

    client, _user_id = staff_client(app)
    anon = app.test_client()
    with app.app_context():
        deep = db.session.execute(
            sa.select(Case.created_at, Case.id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .offset(int(n * 0.8))
            .limit(1)
        ).one()
        cursor = encode_cursor("newest", deep.created_at, deep.id)
        middle = db.session.get(Case, n // 2)
        reference = middle.reference

    def get(c, url: str, cold: bool = False, uncached: bool = False) -> Callable[[], None]:
        """cold: nothing kept (the shared page cache and the in-process figures emptied);
        uncached: the answer computed each time (the page cache off for this call)."""

        def run() -> None:
            if cold:
                from portal.extensions import cache
                from portal.public.stats import clear_cache

                with app.app_context():
                    clear_cache()
                    cache.clear()
                app.extensions.get("public_page_cache", {}).clear()
            kept = app.config["PAGE_CACHE_SECONDS"]
            if uncached:
                app.config["PAGE_CACHE_SECONDS"] = 0
            try:
                response = c.get(url)
            finally:
                app.config["PAGE_CACHE_SECONDS"] = kept
            assert response.status_code == 200, (url, response.status_code)

        return run

    return {
        "queue first page": median_ms(get(client, "/petugas/kasus/?tab=all"), runs),
        "queue deep page": median_ms(get(client, f"/petugas/kasus/?tab=all&after={cursor}"), runs),
        "queue search (reference)": median_ms(get(client, f"/petugas/kasus/?q={reference}"), runs),
        "queue search (handle)": median_ms(get(client, "/petugas/kasus/?q=@akun7"), runs),
        "case page": median_ms(get(client, f"/petugas/kasus/{n // 2}"), runs),
        "transparency (cached)": median_ms(get(anon, "/transparansi"), runs),
        "transparency (cold)": median_ms(get(anon, "/transparansi", cold=True), runs),
        "Open311 list": median_ms(get(anon, OPEN311, uncached=True), runs),
        "Open311 status+service": median_ms(get(anon, OPEN311_NARROW, uncached=True), runs),
    }


def duplicate_lookup(app, n: int, runs: int) -> tuple[float, float]:
    """What a new report costs in duplicate checks: find_case_to_join for a report carrying a
    known link, and the suggestions (links, similar screenshots, same account) for a new case
    with a screenshot."""
    from portal.cases.duplicates.queries import find_case_to_join, list_duplicate_suggestions
    from portal.cases.models import Case
    from portal.evidence.models import Evidence, Link
    from portal.intake.models import Report

    with app.app_context():
        some_case = db.session.scalar(
            sa.select(Case)
            .join(Report, Report.case_id == Case.id)
            .join(Evidence, Evidence.report_id == Report.id)
            .where(Case.status == "new")
            .order_by(Case.id.desc())
            .limit(1)
        )
        target = db.session.scalar(
            sa.select(Link.url_canonical)
            .join(Report, Report.id == Link.report_id)
            .join(Case, Case.id == Report.case_id)
            .where(Case.status.in_(["new", "triaged", "investigating"]))
            .order_by(Link.id.desc())
            .offset(50)  # a recent post: the open cases are the newest ones
            .limit(1)
        )
        account = db.session.scalar(
            sa.select(Report.reported_account).order_by(Report.id.desc()).offset(10).limit(1)
        )

        def lookup() -> None:
            report = Report(
                case_id=some_case.id,
                tracking_hash="f" * 64,
                category_id=some_case.category_id,
                description="baru",
                reported_account=account,
            )
            report.links = [Link(url_given=target, url_canonical=target)]
            db.session.add(report)
            db.session.flush()
            assert find_case_to_join(report) is not None
            list_duplicate_suggestions(some_case)
            db.session.rollback()

        result = median_ms(lookup, runs)
        db.session.remove()
    return result


def refresh_timings(app, user_id: int, rounds: int = 3) -> tuple[tuple, tuple]:
    """Wall and CPU ms of `flask public refresh-stats` after WRITES status changes (open cases
    move between investigating and waiting for the reporter, so reruns find cases to change;
    median of rounds), and of `refresh-stats --full` once."""
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.workflow import change_status

    runner = app.test_cli_runner()

    def refresh(*args: str) -> tuple[float, float]:
        server = server_cpu()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = runner.invoke(args=["public", "refresh-stats", *args])
        assert result.exit_code == 0, result.output
        cpu = time.process_time() - start_cpu + server_cpu() - server
        return (time.perf_counter() - start) * 1000, cpu * 1000

    incremental = []
    for _ in range(rounds):
        with app.app_context():
            actor = db.session.get(User, user_id)
            moving = ["investigating", "waiting_for_reporter"]
            ids = db.session.scalars(
                sa.select(Case.id).where(Case.status.in_(moving)).order_by(Case.id).limit(WRITES)
            ).all()
            for case_id in ids:
                case = db.session.get(Case, case_id)
                to = moving[1] if case.status == moving[0] else moving[0]
                change_status(case=case, to=to, actor=actor)
                db.session.commit()
            db.session.remove()
        incremental.append(refresh())
    middle = sorted(incremental)[len(incremental) // 2]
    return middle, refresh("--full")


def measure(url: str, n: int, runs: int, reuse: bool) -> dict[str, tuple[float, float]]:
    ensure_database(url)
    if not (reuse and count_cases(url) == n):
        if url.startswith("sqlite:///"):
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        print(f"  generating {n} cases ... {generate(url, n):.1f} s", flush=True)
    # The page cache in this process only; the queue and the case page are measured as rendered
    # (a kept copy costs the same at any size: bench/pages.py measures those).
    app = make_app(url, CACHE_TYPE="SimpleCache", STAFF_PAGE_CACHE_SECONDS=0)
    if url.startswith("postgresql"):
        SERVER["engine"] = sa.create_engine(url, pool_size=1)
    with app.app_context():
        db.create_all()  # tables and indexes newer than a reused database
        with db.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                for index in table.indexes:
                    conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
    _client, user_id = staff_client(app)
    results = page_timings(app, n, runs)
    results["duplicate lookup"] = duplicate_lookup(app, n, runs)
    incremental, full = refresh_timings(app, user_id)
    results[REFRESH] = incremental
    results["refresh-stats --full"] = full
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if "engine" in SERVER:
        SERVER.pop("engine").dispose()
    return results


REFRESH = f"refresh-stats after {WRITES} writes"
REFRESH_TARGET_S = 2.0
RATIO_TARGET = 1.5


def report(label: str, small: int, large: int, results: dict[int, dict[str, tuple]]) -> None:
    """The table of one database: medians at both sizes, the ratios and their targets."""
    print(f"\n{label}: median ms, wall / CPU (this process + its database server)")
    print(
        f"  {'':34}{f'{small:,} cases':>19}{f'{large:,} cases':>19}{'ratio':>15}"
        f"{'target':>10}  ok (CPU)"
    )
    for name, (wall, cpu) in results[small].items():
        big_wall, big_cpu = results[large][name]
        ratio_wall, ratio_cpu = big_wall / max(wall, 1e-3), big_cpu / max(cpu, 1e-3)
        if name == "refresh-stats --full":
            target, ok = "", ""
        elif name == REFRESH:
            target = f"<= {REFRESH_TARGET_S:g} s"
            ok = "yes" if big_wall / 1000 <= REFRESH_TARGET_S else "NO"
        else:
            target, ok = f"<= {RATIO_TARGET}", "yes" if ratio_cpu <= RATIO_TARGET else "NO"
        print(
            f"  {name:34}{wall:10.1f} /{cpu:7.1f}{big_wall:11.1f} /{big_cpu:7.1f}"
            f"{ratio_wall:8.2f} /{ratio_cpu:5.2f}{target:>10}  {ok}"
        )
    seconds = results[large][REFRESH][0] / 1000
    full = results[large]["refresh-stats --full"][0] / 1000
    print(
        f"  refresh-stats at {large:,} cases: {seconds:.2f} s wall after {WRITES} writes"
        f" (target <= {REFRESH_TARGET_S:g} s), {full:.1f} s with --full"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument("--runs", type=int, default=5, help="timed calls per round (3 rounds)")
    parser.add_argument("--dir", default=os.environ.get("BENCH_SCALE_DIR", "/tmp"))
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=os.environ.get("BENCH_REUSE") == "1",
        help="keep databases of the same size (BENCH_REUSE=1)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    targets = [] if args.skip_sqlite else [("SQLite", "sqlite:///{dir}/bench_scale_{n}.sqlite3")]
    if os.environ.get("BENCH_PG_URL"):
        targets.append(("PostgreSQL", os.environ["BENCH_PG_URL"]))
    for label, pattern in targets:
        results = {}
        for n in (args.small, args.large):
            url = pattern.replace("{dir}", args.dir).replace("{n}", str(n))
            print(f"{label}, {n} cases", flush=True)
            results[n] = measure(url, n, args.runs, args.reuse and "{n}" in pattern)
        report(label, args.small, args.large, results)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
