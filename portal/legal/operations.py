"""Writes of the legal area: loading the built-in regimes, admins' edits, days off."""

import logging
from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.db import check_version, db
from portal.legal import data
from portal.legal.models import DayOff, Regime

logger = logging.getLogger(__name__)


class DayOffExists(ValueError):
    """That date is already a day off."""


def load_regimes() -> dict[str, Regime]:
    """Add the built-in regimes that are missing (an existing one keeps its admins' edits)."""
    regimes = {}
    for spec in data.REGIMES:
        regime = db.session.scalar(sa.select(Regime).where(Regime.code == spec["code"]))
        if regime is None:
            regime = Regime(**spec)
            db.session.add(regime)
        regimes[spec["code"]] = regime
    db.session.flush()
    return regimes


def update_regime(regime: Regime, *, version: str, **values: Any) -> None:
    """An admin's edit of a regime's names, clocks and basis; refused if it changed meanwhile."""
    check_version(regime, version)
    unknown = set(values) - set(Regime.editable)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in values.items():
        setattr(regime, name, value)
    db.session.flush()
    logger.info("Regime %s updated", regime.id)


def add_day_off(*, day: date, name: str) -> DayOff:
    """A day off (cuti bersama) that working-day clocks skip; DayOffExists if already there."""
    if db.session.scalar(sa.select(DayOff.id).where(DayOff.day == day)) is not None:
        raise DayOffExists(day.isoformat())
    row = DayOff(day=day, name=name.strip())
    db.session.add(row)
    db.session.flush()
    logger.info("Day off %s added", day)
    return row


def remove_day_off(row: DayOff) -> None:
    """Working-day clocks count this day again."""
    db.session.delete(row)
    db.session.flush()
    logger.info("Day off %s removed", row.day)
