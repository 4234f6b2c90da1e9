"""The report this device opened with its tracking code: the session remembers its id (never
the code) for a limited idle time. Shared by the status page and the resident's data pages."""

import time

from flask import current_app, session

from portal.intake.models import Report
from portal.intake.queries import get_tracked_report

TRACKED_KEY = "tracked_report_id"
TRACKED_AT_KEY = "tracked_at"
# Where the status page last found the report: [report id, case id, window closing time (ISO)
# or None], the parts of its key the report decides (intake/statuspage.py).
TRACKED_CASE_KEY = "tracked_case"
# Activity is noted to the minute: the idle time runs from the last noted moment.
ACTIVITY_STEP = 60


def remember_tracked(report: Report) -> None:
    """This device opened the report with its code."""
    session[TRACKED_KEY] = report.id
    session[TRACKED_AT_KEY] = int(time.time())
    session.pop(TRACKED_CASE_KEY, None)


def tracked_report() -> Report | None:
    """The report this device opened with its code, while the idle time has not run out."""
    report_id = tracked_report_id()
    return None if report_id is None else get_tracked_report(report_id)


def tracked_report_id() -> int | None:
    """The id of the report this device opened with its code, while the idle time has not run
    out (each call counts as activity); the report itself is not read."""
    report_id, seen = session.get(TRACKED_KEY), session.get(TRACKED_AT_KEY, 0)
    idle = current_app.config["TRACK_IDLE_MINUTES"] * 60
    if not report_id or time.time() - seen > idle:
        forget_tracked()
        return None
    if time.time() - seen >= ACTIVITY_STEP:  # not on every page: each write re-signs the cookie
        session[TRACKED_AT_KEY] = int(time.time())
    return int(report_id)


def forget_tracked() -> None:
    """Drop the tracked report from this device's session."""
    session.pop(TRACKED_KEY, None)
    session.pop(TRACKED_AT_KEY, None)
    session.pop(TRACKED_CASE_KEY, None)
