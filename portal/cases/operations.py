"""Writes on cases. Operations flush and record events; the caller commits."""

from datetime import datetime, time, timedelta

from portal.cases.history import record_event
from portal.cases.models import Case, Status, Visibility
from portal.db import db, utcnow


def add_days(start: datetime, days: int, working_days: bool) -> datetime:
    """A deadline `days` after start, counting only Monday-Friday when working_days is set."""
    if not working_days:
        return start + timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def open_case_for_report(report) -> Case:  # noqa: ANN001
    """A new case for a report that joins no existing case: routed, with a deadline."""
    category = report.category
    now = utcnow()
    case = Case(
        category_id=report.category_id,
        region_id=report.region_id,
        team_id=category.default_team_id,
        status=Status.NEW,
        reported_party=report.reported_party,
        learned_on=report.learned_on,
        first_reported_at=now,
        due_at=add_days(now, category.deadline_days, category.deadline_working_days),
        report_count=0,
    )
    db.session.add(case)
    db.session.flush()
    case.reference = f"ADU-{now.year}-{case.id:06d}"
    record_event(case, "created", visibility=Visibility.PUBLIC,
                 data={"reference": case.reference, "status": Status.NEW})
    return case


def attach_report(case: Case, report) -> None:  # noqa: ANN001
    """Count a report on its case and record it in the history (reporter-visible)."""
    report.case = case
    db.session.add(report)  # SQLAlchemy 2 no longer cascades a new report in via the backref
    case.report_count = (case.report_count or 0) + 1
    if case.first_reported_at is None:
        case.first_reported_at = utcnow()
    db.session.flush()
    record_event(case, "report_attached", visibility=Visibility.REPORTER, report=report,
                 data={"report_id": report.id})


def end_of_window(learned_on, days: int):  # noqa: ANN001, ANN201
    """The last day of a legal reporting window that started on `learned_on`."""
    return datetime.combine(learned_on + timedelta(days=days), time.min).date()


def place_report(report) -> Case:  # noqa: ANN001
    """Put a new report into a case: an existing open one when it is the same matter, else a
    new case. The single entry point intake calls; duplicate detection plugs in here."""
    case = open_case_for_report(report)
    attach_report(case, report)
    return case
