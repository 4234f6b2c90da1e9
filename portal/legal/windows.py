"""A report's legal window: from the day its reporter learned of it to the last day it may be
filed as a laporan, and how it reads to residents and officers."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext, ngettext

from portal.clock import format_day
from portal.legal.workdays import Clock, add_days


@dataclass(frozen=True)
class Window:
    """The reporting window of one date known, seen on one day."""

    closes_on: date
    closes_at: datetime  # the end of closes_on in the install's time zone, in UTC
    days_left: int  # calendar days from today to closes_on; negative once closed
    warn_days: int
    clock: Clock | None = None  # how it was counted, when known

    @property
    def is_closed(self) -> bool:
        return self.days_left < 0

    @property
    def is_urgent(self) -> bool:
        """Open, with at most the configured number of days left."""
        return 0 <= self.days_left <= self.warn_days

    def text(self) -> str:
        """“The reporting window closes on <date> (N days left)” or “closed on <date>”."""
        when = format_day(self.closes_on, "full")
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

    def rule(self) -> str:
        """How the window is counted: “7 working days from the day you learned of it”."""
        if self.clock is None:
            return ""
        if self.clock.is_working_days:
            return ngettext(
                "%(num)d working day from the day you learned of it",
                "%(num)d working days from the day you learned of it",
                self.clock.days,
            )
        return ngettext(
            "%(num)d day from the day you learned of it",
            "%(num)d days from the day you learned of it",
            self.clock.days,
        )


def compute_window(
    learned_on: date,
    clock: Clock,
    *,
    days_off: Collection[date],
    today: date,
    zone: ZoneInfo,
    warn_days: int,
) -> Window:
    """The window of a date known, seen on `today`; it closes at the end of its last day."""
    closes_on = add_days(learned_on, clock, days_off)
    next_day = datetime.combine(closes_on + timedelta(days=1), time.min, zone)
    closes_at = (next_day - timedelta(microseconds=1)).astimezone(UTC)
    return Window(closes_on, closes_at, (closes_on - today).days, warn_days, clock)


def window_closing_at(
    closes_at: datetime, *, today: date, zone: ZoneInfo, warn_days: int
) -> Window:
    """A window known only by the moment it closes (stored on a report or a case)."""
    closes_on = closes_at.astimezone(zone).date()
    return Window(closes_on, closes_at, (closes_on - today).days, warn_days)
