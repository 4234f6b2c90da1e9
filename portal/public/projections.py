"""What the public may see of a case: small frozen objects with public fields only.

Public templates, exports and the API are built from these, never from models, so a new
private column cannot leak by accident. Dates are whole days in the portal's time zone.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import overload
from zoneinfo import ZoneInfo

from flask import current_app


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    day: date
    status: str | None  # the status a change moved to
    text: str | None  # only text written for the public (the published summary)
    body: str | None = None  # referrals: the outside body (bkn, bawaslu, ...)
    sanction_applied: str | None = None  # an answered referral: yes | no | unknown


@dataclass(frozen=True)
class PublicImage:
    """A publishable evidence image: its public copy (the newest redacted copy, else the approved
    clean copy), that copy's thumbnail, and its size."""

    thumbnail: str
    image: str
    width: int
    height: int


@dataclass(frozen=True)
class PublicCase:
    reference: str
    category_code: str
    category_name_id: str
    category_name_en: str
    region_code: str | None
    region_name: str | None
    reported_party: str
    status: str
    outcome: str | None
    summary: str
    opened_on: date
    published_on: date | None
    resolved_on: date | None
    updated_on: date | None
    timeline: tuple[PublicEvent, ...] = ()
    thumbnails: tuple[PublicImage, ...] = ()

    def category_name(self, locale: str) -> str:
        return self.category_name_en if locale == "en" else self.category_name_id


# The open-data columns, in order: stable names, documented at /data.
EXPORT_COLUMNS = (
    "reference",
    "category_code",
    "category_name_id",
    "category_name_en",
    "region_code",
    "region_name",
    "reported_party",
    "status",
    "outcome",
    "summary",
    "opened_on",
    "published_on",
    "resolved_on",
    "updated_on",
)


def public_keys(cls: type) -> set[str]:
    """The field names of a projection (a test pins them)."""
    return {f.name for f in fields(cls)}


@overload
def to_day(moment: datetime) -> date: ...
@overload
def to_day(moment: None) -> None: ...
@overload
def to_day(moment: datetime | None) -> date | None: ...
def to_day(moment: datetime | None) -> date | None:
    """A UTC moment as a calendar day in the portal's time zone."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def export_row(case: PublicCase) -> dict[str, object]:
    """One open-data record: the export columns of a public case."""
    row = {name: getattr(case, name) for name in EXPORT_COLUMNS}
    for name in ("opened_on", "published_on", "resolved_on", "updated_on"):
        row[name] = row[name].isoformat() if row[name] else None
    return row
