"""Strict parsing of public query parameters: anything unexpected is a BadParam (HTTP 400)."""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.db import db
from portal.reference.models import Category, Region

MAX_VALUE_LENGTH = 200


class BadParam(Exception):
    """A query parameter the public endpoint cannot accept; str() says which and why."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def check_known(args: MultiDict, allowed: set[str]) -> None:
    """Refuse unknown, repeated or overlong parameters."""
    for name in args:
        if name not in allowed:
            raise BadParam(_l("Unknown parameter: %(name)s", name=name[:40]))
        values = args.getlist(name)
        if len(values) > 1:
            raise BadParam(_l("Parameter given more than once: %(name)s", name=name))
    for name, value in args.items():
        if len(value) > MAX_VALUE_LENGTH and name != "service_request_id":
            raise BadParam(_l("Parameter too long: %(name)s", name=name))
        if has_control(value):
            raise BadParam(_l("Parameter contains control characters: %(name)s", name=name))


def has_control(text: str) -> bool:
    """True when text holds a NUL or another control character no parameter needs."""
    return any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text)


def parse_int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number within [low, high]."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParam(
            _l(
                "%(name)s must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            )
        )
    return int(raw)


def parse_month(args: MultiDict, name: str) -> date | None:
    """A month written YYYY-MM, as its first day."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.strptime(raw, "%Y-%m")
    except ValueError:
        raise BadParam(_l("%(name)s must be a month written YYYY-MM.", name=name)) from None
    if not 2000 <= moment.year <= 2100:
        raise BadParam(_l("%(name)s must be a month written YYYY-MM.", name=name))
    return moment.date()


def parse_datetime(args: MultiDict, name: str) -> datetime | None:
    """An ISO 8601 date-time (a time zone is assumed UTC when missing), or a plain date."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadParam(
            _l("%(name)s must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z.", name=name)
        ) from None
    if not 2000 <= moment.year <= 2100:
        raise BadParam(_l("%(name)s is out of range.", name=name))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_category(args: MultiDict, name: str = "kategori") -> Category | None:
    """A category given by its code."""
    code = (args.get(name) or "").strip()
    if not code:
        return None
    category = db.session.scalar(sa.select(Category).where(Category.code == code))
    if category is None:
        raise BadParam(_l("Unknown category: %(code)s", code=code[:64]))
    return category


def parse_region(args: MultiDict, name: str = "wilayah") -> Region | None:
    """A region given by its code (e.g. 16.74)."""
    code = (args.get(name) or "").strip()
    if not code:
        return None
    region = db.session.scalar(sa.select(Region).where(Region.code == code))
    if region is None:
        raise BadParam(_l("Unknown region: %(code)s", code=code[:16]))
    return region
