"""Counting days the way the law does, as pure functions: calendar days or working days.

A working day is Monday to Friday and not a public holiday of Indonesia (from the `holidays`
package) nor a day off an admin entered (cuti bersama). "Within N days of D" ends on the N-th
day after D; the day D itself is not counted.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

SATURDAY = 5


@dataclass(frozen=True)
class Clock:
    """A number of days and how they are counted."""

    days: int
    is_working_days: bool


def public_holidays(years: Iterable[int]) -> dict[date, str]:
    """Indonesia's public holidays of the given years, by date."""
    return dict(holidays.country_holidays("ID", years=sorted(set(years))).items())


def is_working_day(day: date, days_off: Collection[date]) -> bool:
    """Monday to Friday, and not a day off."""
    return day.weekday() < SATURDAY and day not in days_off


def add_days(start: date, clock: Clock, days_off: Collection[date] = ()) -> date:
    """The last day of a period of `clock` that starts after `start`."""
    if not clock.is_working_days:
        return start + timedelta(days=clock.days)
    current, left = start, clock.days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, days_off):
            left -= 1
    return current


def days_off_between(start: date, end: date, extra: Iterable[date] = ()) -> set[date]:
    """Public holidays and the extra days off from start to end (inclusive)."""
    found = {d for d in public_holidays(range(start.year, end.year + 1)) if start <= d <= end}
    return found | {d for d in extra if start <= d <= end}


def span_for(clock: Clock) -> timedelta:
    """A calendar span surely longer than the clock (weekends, and a long Lebaran break)."""
    return timedelta(days=clock.days * 2 + 21) if clock.is_working_days else timedelta(clock.days)
