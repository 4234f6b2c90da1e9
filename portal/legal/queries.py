"""Reads of the legal area: regimes, days off, and the window of a date known."""

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from portal.clock import install_zone, local_today
from portal.db import db
from portal.intake.models import Report
from portal.legal.models import DayOff, Regime
from portal.legal.windows import Window, compute_window
from portal.legal.workdays import Clock, days_off_between, span_for
from portal.reference.models import Category


def list_regimes() -> list[Regime]:
    """Every regime, by name."""
    return list(db.session.scalars(sa.select(Regime).order_by(Regime.name_id)))


def get_regime(regime_id: int, *, for_update: bool = False) -> Regime | None:
    """A regime by id (locked for the transaction when asked)."""
    return db.session.get(Regime, regime_id, with_for_update=for_update)


def list_days_off() -> list[DayOff]:
    """The days off admins entered, the latest first."""
    return list(db.session.scalars(sa.select(DayOff).order_by(DayOff.day.desc())))


def window_clock(regime: Regime | None) -> Clock | None:
    """The regime's reporting window, or None when it sets none."""
    if regime is None or not regime.window_days:
        return None
    return Clock(regime.window_days, regime.window_working_days)


def get_window(regime: Regime | None, learned_on: date | None, *, now: datetime) -> Window | None:
    """The reporting window of a date known under a regime, seen now; None without one."""
    clock = window_clock(regime)
    if clock is None or learned_on is None:
        return None
    last = learned_on + span_for(clock)
    extra = db.session.scalars(
        sa.select(DayOff.day).where(DayOff.day > learned_on, DayOff.day <= last)
    )
    return compute_window(
        learned_on,
        clock,
        days_off=days_off_between(learned_on, last, extra) if clock.is_working_days else (),
        today=local_today(now),
        zone=install_zone(),
        warn_days=current_app.config["LEGAL_WINDOW_WARN_DAYS"],
    )


def report_window_closes_at(report: Report, *, now: datetime) -> datetime | None:
    """When a report's own window closes: its category's regime from its date known."""
    category = report.category or db.session.get(Category, report.category_id)
    regime = category.regime if category is not None else None
    window = get_window(regime, report.learned_on, now=now)
    return window.closes_at if window is not None else None
