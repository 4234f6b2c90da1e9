"""The install's clock: its time zone, local dates, and dates and times as people read them.

Every page, email and deadline uses these, so that one setting (BABEL_DEFAULT_TIMEZONE,
Asia/Jakarta by default) decides what "today" and "19.42 WIB" mean. Machine outputs (Open311,
open data, Atom) keep ISO 8601 as their specifications require and do not come here.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_gmt, get_timezone_name
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_time, get_locale, gettext


def install_zone() -> ZoneInfo:
    """The time zone this install lives in."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_now(now: datetime | None = None) -> datetime:
    """The moment (now, or the one given) on the install's wall clock."""
    return (now or datetime.now(UTC)).astimezone(install_zone())


def local_today(now: datetime | None = None) -> date:
    """The calendar day in the install's time zone (residents and the law count local days)."""
    return local_now(now).date()


def local_date(moment: datetime) -> date:
    """The local calendar day of a UTC-aware moment."""
    return moment.astimezone(install_zone()).date()


def end_of_local_day(day: date) -> datetime:
    """The last moment of a local day, in UTC (a window open "until that day" closes then)."""
    start_of_next = datetime.combine(day + timedelta(days=1), time.min, install_zone())
    return (start_of_next - timedelta(microseconds=1)).astimezone(UTC)


def zone_label(moment: datetime) -> str:
    """The zone's short name in the reader's language: “WIB”, else “GMT+07:00”."""
    local = moment.astimezone(install_zone())
    locale = get_locale()
    # Babel searches CLDR on every call and a page shows dozens of moments; the name depends
    # only on the language, the zone and which of its offsets applies.
    key = (str(locale), local.tzinfo, local.utcoffset(), local.dst())
    label = _ZONE_LABELS.get(key)
    if label is None:
        label = get_timezone_name(local, "short", locale=locale)
        if label[:1] in "+-":  # no short name in this language (English): the GMT offset
            label = get_timezone_gmt(local, "long", locale=locale)
        _ZONE_LABELS[key] = label
    return label


_ZONE_LABELS: dict[tuple, str] = {}


def format_day(day: date | datetime, width: str = "long") -> str:
    """A date in the reader's language (a moment is taken on the install's clock first)."""
    if isinstance(day, datetime):
        day = local_date(day)
    if width == "full":
        return format_date(day, _full_pattern())
    return format_date(day, width)


def _full_pattern() -> str:
    """The language's full date without a leading zero on the day: “Selasa, 3 Desember 2024”
    (CLDR writes “03” in Indonesian, which nobody writes by hand)."""
    locale = get_locale()
    pattern = locale.date_formats["full"].pattern if locale else "EEEE, d MMMM y"
    return pattern.replace("dd", "d")


def format_moment(moment: datetime) -> str:
    """Weekday, date, time and zone: “Selasa, 3 Desember 2024 pukul 19.42 WIB”."""
    return gettext(
        "%(date)s at %(time)s %(zone)s",
        date=format_day(moment, "full"),
        time=format_time(moment, "short"),
        zone=zone_label(moment),
    )


def format_short_moment(moment: datetime) -> str:
    """Date and time with the zone, compact, for lists and tables."""
    return f"{format_datetime(moment, 'short')} {zone_label(moment)}"


def init_app(app: Flask) -> None:
    """The helpers as Jinja filters: |local_day, |local_moment, |local_short."""
    app.add_template_filter(format_day, "local_day")
    app.add_template_filter(format_moment, "local_moment")
    app.add_template_filter(format_short_moment, "local_short")
