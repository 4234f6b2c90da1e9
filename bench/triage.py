"""Triage benchmark: the queue's first page, a page deep in the queue, the duplicate lookup for
a new report and a status change, at 1k cases and at 60k cases / 100k reports in the same run.
Prints medians and the ratios (target <= 1.5).

    .venv/bin/python bench/triage.py [--cases 60000 --reports 100000 --runs 25]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._data import NOW, fill, make_app  # noqa: E402
from portal.db import db  # noqa: E402


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(n_cases: int, n_reports: int, runs: int) -> dict[str, float]:
    from portal.accounts.models import Role, Team, User
    from portal.accounts.passwords import hash_password
    from portal.cases.duplicates.queries import find_case_to_join, list_duplicate_suggestions
    from portal.cases.models import Case
    from portal.cases.queries import encode_cursor
    from portal.cases.workflow import change_status
    from portal.evidence.models import Link
    from portal.intake.models import Report

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        with app.app_context():
            started = time.perf_counter()
            fill(n_cases, n_reports)
            from portal.cases.duplicates.queries import backfill_phash_bands

            backfill_phash_bands()
            db.session.commit()
            team = db.session.scalar(sa.select(Team).where(Team.slug == "bawaslu-sumsel"))
            user = User(
                email="bench@example.test",
                name="Bench",
                role=Role.SUPERVISOR,
                team_id=team.id,
                password_hash=hash_password("x" * 16),
            )
            db.session.add(user)
            db.session.commit()
            print(
                f"  {n_cases} cases / {n_reports} reports generated in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            deep = db.session.execute(
                sa.select(Case.created_at, Case.id)
                .order_by(Case.created_at.desc(), Case.id.desc())
                .offset(int(n_cases * 0.8))
                .limit(1)
            ).one()
            cursor = encode_cursor("newest", deep.created_at, deep.id)
            user_id, version = user.id, user.session_version

        client = app.test_client()
        with client.session_transaction() as session:
            from portal.accounts.auth import stamp_session

            session["_user_id"] = f"{user_id}:{version}"
            session["_fresh"] = True
            stamp_session(session)

        def first_page() -> None:
            assert client.get("/petugas/kasus/?tab=all").status_code == 200

        def deep_page() -> None:
            response = client.get(f"/petugas/kasus/?tab=all&after={cursor}")
            assert response.status_code == 200, response.status_code

        results = {
            "queue first page": median_ms(first_page, runs),
            "queue deep page": median_ms(deep_page, runs),
        }

        with app.app_context():
            some_case = db.session.get(Case, n_cases // 2)
            target_url = db.session.scalar(
                sa.select(Link.url_canonical)
                .join(Report, Report.id == Link.report_id)
                .join(Case, Case.id == Report.case_id)
                .where(Case.status.in_(["new", "triaged", "investigating"]))
                .order_by(Link.id)
                .limit(1)
                .offset(n_reports // 20)
            )

            def duplicate_lookup() -> None:
                report = Report(
                    case_id=some_case.id,
                    tracking_hash="f" * 64,
                    category_id=some_case.category_id,
                    description="baru",
                    reported_account="@akun1",
                )
                report.links = [Link(url_given=target_url, url_canonical=target_url)]
                db.session.add(report)
                db.session.flush()
                assert find_case_to_join(report) is not None
                list_duplicate_suggestions(some_case)
                db.session.rollback()

            results["duplicate lookup"] = median_ms(duplicate_lookup, runs)
            movable = iter(
                db.session.scalars(
                    sa.select(Case.id).where(Case.status == "new").order_by(Case.id).limit(runs + 5)
                ).all()
            )
            actor = db.session.get(User, user_id)

            def status_change() -> None:
                case = db.session.get(Case, next(movable))
                change_status(case=case, to="triaged", actor=actor)
                db.session.commit()

            results["status change"] = median_ms(status_change, runs)
        with app.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    print(f"triage benchmark on SQLite (reference time {NOW:%Y-%m-%d})")
    small = measure(args.small, int(args.small * args.reports / args.cases), args.runs)
    large = measure(args.cases, args.reports, args.runs)
    print(f"{'operation':<20}{'1k cases':>12}{'large':>12}{'ratio':>8}  (target <= 1.5)")
    for name in small:
        ratio = large[name] / small[name]
        print(f"{name:<20}{small[name]:>10.1f}ms{large[name]:>10.1f}ms{ratio:>8.2f}")


if __name__ == "__main__":
    main()
