"""Registration numbers: a team's pattern and the fields it may use, as pure functions.

A pattern is a Python format string with only these fields: `seq` (the number in the team's
year, e.g. `{seq:03d}`), `year`, `month` (two digits), `month_roman` (XII), `day`, `region`
(REGISTRATION_REGION_CODE) and `team` (its slug). `{seq:03d}/Reg/LP/PW/{region}/{month_roman}/
{year}` gives `001/Reg/LP/PW/06.04/XII/2024`.
"""

import string
from datetime import date

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
FIELDS = frozenset({"seq", "year", "month", "month_roman", "day", "region", "team"})


class PatternRefused(ValueError):
    """A pattern that names an unknown field, reaches into one, or lacks `seq`."""


def check_pattern(pattern: str) -> str:
    """The pattern when it is usable; PatternRefused otherwise (never runs arbitrary lookups:
    `{seq.__class__}` or `{seq[0]}` are refused)."""
    try:
        names = [name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name]
    except ValueError as err:
        raise PatternRefused(str(err)) from err
    for name in names:
        if name not in FIELDS:
            raise PatternRefused(name)
    if "seq" not in names or len(pattern) > 200:
        raise PatternRefused("seq")
    format_number(pattern, seq=1, on=date(2024, 12, 3), region="00.00", team="x")
    return pattern


def format_number(pattern: str, *, seq: int, on: date, region: str, team: str) -> str:
    """The number `seq` of the day `on` written in the pattern."""
    try:
        return pattern.format(
            seq=seq,
            year=on.year,
            month=f"{on.month:02d}",
            month_roman=ROMAN[on.month - 1],
            day=f"{on.day:02d}",
            region=region,
            team=team,
        )
    except (ValueError, KeyError, IndexError) as err:
        raise PatternRefused(str(err)) from err
