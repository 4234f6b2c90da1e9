"""Service deadlines, as pure functions of a case and a moment (legal windows: portal.legal)."""

from datetime import datetime, timedelta

from portal.cases.models import Status

FINISHED = {Status.RESOLVED, Status.CLOSED, Status.REJECTED}


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


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Past its deadline and still being worked on."""
    return due_at is not None and due_at < now and Status(status) not in FINISHED
