"""Deadlines and the legal reporting window, as pure functions of a case and a moment."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date, gettext, ngettext

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


def end_of_window(learned_on: date, days: int) -> date:
    """The last day on which a report is still within a window that started on `learned_on`."""
    return learned_on + timedelta(days=days)


@dataclass(frozen=True)
class Window:
    closes_on: date
    days_left: int  # negative once the window has closed

    @property
    def is_closed(self) -> bool:
        return self.days_left < 0

    @property
    def is_urgent(self) -> bool:
        return 0 <= self.days_left <= 2

    def text(self) -> str:
        """“The reporting window closes on <date> (N days left)” or “closed N days ago”."""
        when = format_date(self.closes_on, "long")
        if self.days_left == 0:
            return gettext("The reporting window closes today, %(date)s.", date=when)
        if self.is_closed:
            return ngettext(
                "The reporting window closed on %(date)s (%(num)d day ago).",
                "The reporting window closed on %(date)s (%(num)d days ago).",
                -self.days_left,
                date=when,
            )
        return ngettext(
            "The reporting window closes on %(date)s (%(num)d day left).",
            "The reporting window closes on %(date)s (%(num)d days left).",
            self.days_left,
            date=when,
        )


def reporting_window(
    learned_on: date | None, window_days: int | None, today: date
) -> Window | None:
    """The legal window from when residents learned of it; None when it does not apply."""
    if learned_on is None or not window_days:
        return None
    closes_on = end_of_window(learned_on, window_days)
    return Window(closes_on, (closes_on - today).days)
