"""Two residents report the same post at the same moment: on PostgreSQL both reports join the
open case and both count (the second waits for the first instead of failing on the case's
version). SQLite runs units of work one at a time, so only PostgreSQL is tested here."""

import os
import threading
import time

import pytest
import sqlalchemy as sa

from portal.db import db, unit_of_work

POST = "https://www.instagram.com/p/C9xYz12AbCd/"


def new_report(category_id: int):
    from portal.evidence.models import Link
    from portal.intake.models import Report
    from portal.reference.models import Category

    report = Report(
        tracking_hash=os.urandom(32).hex(),
        category=db.session.get(Category, category_id),
        category_id=category_id,
        description="Akun resmi mengunggah materi kampanye.",
        reported_party="Diskominfo",
        visibility="confidential",
    )
    report.links = [Link(url_given=POST, url_canonical=POST)]
    return report


def lock_waits(app) -> int:
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar_one()


def test_two_reports_joining_one_case_at_once_both_count(app):
    from portal.cases.models import Case
    from portal.cases.operations import place_report
    from portal.reference.models import Category

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite runs one unit of work at a time")
    with app.app_context():
        category_id = db.session.scalar(sa.select(Category.id).limit(1))
        with unit_of_work():
            case_id = place_report(new_report(category_id)).id
    first_placed, outcome = threading.Event(), {}

    def first() -> None:
        with app.app_context(), unit_of_work():
            place_report(new_report(category_id))
            first_placed.set()
            for _ in range(400):  # hold the unit open until the second report waits on it
                if lock_waits(app):
                    break
                time.sleep(0.025)

    def second() -> None:
        first_placed.wait(30)
        try:
            with app.app_context(), unit_of_work():
                outcome["case"] = place_report(new_report(category_id)).id
        except Exception as exc:  # reported below, in the test's own thread
            outcome["error"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["case"] == case_id
    with app.app_context():
        assert db.session.get(Case, case_id).report_count == 3
