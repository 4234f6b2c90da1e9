"""Reads of registration: a laporan's facts and checklist, a team's pattern, the deadlines."""

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from portal.cases.models import Case
from portal.cases.registration.models import RegistrationFormat
from portal.cases.registration.requirements import Checklist, LaporanFacts, check_requirements
from portal.clock import install_zone, local_today
from portal.db import db
from portal.intake.formal.models import FormalIdentity, FormalLaporan
from portal.intake.models import Report
from portal.legal.models import DayOff, Regime
from portal.legal.windows import compute_window
from portal.legal.workdays import Clock, days_off_between, span_for


def get_laporan(laporan_id: int) -> FormalLaporan | None:
    """A laporan by id."""
    return db.session.get(FormalLaporan, laporan_id)


def get_laporan_of(report: Report) -> FormalLaporan | None:
    """The formal laporan of a report, if the resident asked for one."""
    return db.session.scalar(sa.select(FormalLaporan).where(FormalLaporan.report_id == report.id))


def list_laporan(case: Case) -> list[FormalLaporan]:
    """The formal laporan of a case's reports, oldest first."""
    return list(
        db.session.scalars(
            sa.select(FormalLaporan)
            .join(Report, Report.id == FormalLaporan.report_id)
            .options(
                selectinload(FormalLaporan.report).selectinload(Report.evidence),
                selectinload(FormalLaporan.report).selectinload(Report.links),
                selectinload(FormalLaporan.identity),
                selectinload(FormalLaporan.witnesses),
                selectinload(FormalLaporan.requests),
                selectinload(FormalLaporan.registered_by),
            )
            .where(Report.case_id == case.id)
            .order_by(FormalLaporan.id)
        )
    )


def identity_values(identity: FormalIdentity | None) -> dict[str, object]:
    """The identity's answers by field name (empty without one)."""
    if identity is None:
        return {}
    names = ("full_name", "nik", "birth_place", "birth_date", "sex", "occupation")
    return {name: getattr(identity, name) for name in names + ("nationality", "address")}


def stored_facts(laporan: FormalLaporan) -> LaporanFacts:
    """The checklist's view of a stored laporan."""
    report = laporan.report
    identity = laporan.identity
    return LaporanFacts(
        identity=identity_values(identity),
        has_id_card=identity is not None and identity.id_card_original_key is not None,
        party_name=laporan.party_name,
        party_address=laporan.party_address,
        incident_at=report.incident_at,
        event_place=laporan.event_place,
        description=report.description,
        evidence_count=len(report.evidence) + len(report.links),
        witness_count=len(laporan.witnesses),
        filed_at=report.created_at,
        window_closes_at=report.window_closes_at,
    )


def get_checklist(laporan: FormalLaporan, *, now: datetime) -> Checklist:
    """The syarat formil and materiil of a stored laporan."""
    return check_requirements(stored_facts(laporan), now=now)


def get_pattern(team_id: int | None) -> str:
    """The team's registration number pattern, or the install's default."""
    row = db.session.get(RegistrationFormat, team_id) if team_id else None
    return row.pattern if row else current_app.config["REGISTRATION_NUMBER_FORMAT"]


def regime_of(laporan: FormalLaporan) -> Regime | None:
    """The legal regime of the laporan's category."""
    category = laporan.report.category
    return category.regime if category is not None else None


def deadline_after(start: date, days: int | None, is_working: bool) -> datetime | None:
    """The end (install time zone, in UTC) of the last day of `days` counted after `start`;
    None when the regime sets no such clock."""
    if not days:
        return None
    clock = Clock(days, is_working)
    last = start + span_for(clock)
    extra = db.session.scalars(sa.select(DayOff.day).where(DayOff.day > start, DayOff.day <= last))
    window = compute_window(
        start,
        clock,
        days_off=days_off_between(start, last, extra) if is_working else (),
        today=local_today(),
        zone=install_zone(),
        warn_days=0,
    )
    return window.closes_at
