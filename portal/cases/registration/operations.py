"""Writes of registration: the laporan's state from its checklist, the officer's request to
complete it, registering it (number, who, when, the decision clock) or closing it as not
registrable. Every step is in the case's hash-chained history, without personal data; the
resident sees it on the status page and is emailed when she left an address."""

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.cases.history import record_event
from portal.cases.models import Visibility
from portal.cases.registration.models import RegistrationFormat, RegistrationSequence
from portal.cases.registration.numbers import check_pattern, format_number
from portal.cases.registration.queries import (
    deadline_after,
    get_checklist,
    get_pattern,
    regime_of,
)
from portal.cases.registration.requirements import COMPLETABLE
from portal.cases.workflow import CaseError
from portal.clock import local_date
from portal.db import db
from portal.intake.formal.models import CompletionRequest, FormalLaporan, LaporanState
from portal.notify.operations import InvalidRecipient, queue_email

logger = logging.getLogger(__name__)
REASON_MAX = 2000


def refresh_state(laporan: FormalLaporan, *, now: datetime) -> None:
    """Incomplete or complete, from the checklist (a registered or closed one stays)."""
    if laporan.is_open:
        complete = get_checklist(laporan, now=now).is_complete
        laporan.state = LaporanState.COMPLETE if complete else LaporanState.INCOMPLETE
        db.session.flush()


def _require_open(laporan: FormalLaporan) -> None:
    """Lock the laporan for this unit of work (two officers acting at once queue up on
    PostgreSQL; SQLite's write lock does it there) and refuse one already decided."""
    db.session.refresh(laporan, with_for_update=True)
    if not laporan.is_open:
        raise CaseError(str(_l("This laporan is already registered or closed.")))


def request_completion(
    *, laporan: FormalLaporan, missing: list[str], note: str, actor: Any, now: datetime
) -> CompletionRequest:
    """Ask the resident to complete the laporan by the regime's completion deadline."""
    _require_open(laporan)
    missing = [code for code in missing if code in COMPLETABLE]
    if not missing:
        raise CaseError(str(_l("Choose what the resident should complete.")))
    regime = regime_of(laporan)
    due_at = (
        deadline_after(local_date(now), regime.completion_days, regime.completion_working_days)
        if regime is not None
        else None
    )
    request = CompletionRequest(
        laporan_id=laporan.id,
        missing=missing,
        note=note.strip()[:REASON_MAX],
        due_at=due_at,
        requested_by_id=getattr(actor, "id", None),
        requested_at=now,
    )
    db.session.add(request)
    db.session.flush()
    report = laporan.report
    record_event(
        report.case,
        "completion_requested",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=report,
        data={"laporan_id": laporan.id, "missing": missing, "due_at": _iso(due_at)},
    )
    _tell_reporter(laporan, "completion", _l("Please complete your laporan"))
    logger.info("Completion of laporan %s requested (%s)", laporan.id, ", ".join(missing))
    return request


def next_number(*, team_id: int, team_slug: str, on: datetime, region: str) -> str:
    """The team's next registration number in the year of `on` (local). One UPDATE takes the
    number, so two officers registering at once never get the same one (the row lock on
    PostgreSQL, the write lock on SQLite); the unique column is the last guard."""
    day = local_date(on)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(RegistrationSequence)
        .values(team_id=team_id, year=day.year, last_number=0)
        .on_conflict_do_nothing(index_elements=["team_id", "year"])
    )
    seq = db.session.scalar(
        sa.update(RegistrationSequence)
        .where(RegistrationSequence.team_id == team_id, RegistrationSequence.year == day.year)
        .values(last_number=RegistrationSequence.last_number + 1)
        .returning(RegistrationSequence.last_number)
    )
    return format_number(
        get_pattern(team_id), seq=int(seq or 0), on=day, region=region, team=team_slug
    )


def register_laporan(
    *, laporan: FormalLaporan, actor: Any, now: datetime, region: str
) -> FormalLaporan:
    """Give a complete laporan its registration number and start the decision clock."""
    _require_open(laporan)
    checklist = get_checklist(laporan, now=now)
    if not checklist.is_complete:
        raise CaseError(
            str(
                _l(
                    "The laporan cannot be registered yet: %(missing)s.",
                    missing=checklist.summaries(),
                )
            )
        )
    case = laporan.report.case
    team = case.team
    if team is None:
        raise CaseError(str(_l("Route the case to a team before registering it.")))
    laporan.registration_number = next_number(
        team_id=team.id, team_slug=team.slug, on=now, region=region
    )
    regime = regime_of(laporan)
    laporan.decision_due_at = (
        deadline_after(local_date(now), regime.decision_days, regime.decision_working_days)
        if regime is not None
        else None
    )
    laporan.state = LaporanState.REGISTERED
    laporan.registered_at = now
    laporan.registered_by_id = getattr(actor, "id", None)
    if laporan.decision_due_at is not None:
        case.due_at = laporan.decision_due_at  # the decision clock now rules the case
    db.session.flush()
    record_event(
        case,
        "laporan_registered",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=laporan.report,
        data={
            "laporan_id": laporan.id,
            "number": laporan.registration_number,
            "decision_due_at": _iso(laporan.decision_due_at),
        },
    )
    _tell_reporter(laporan, "registered", _l("Your laporan has been registered"))
    logger.info("Laporan %s registered as %s", laporan.id, laporan.registration_number)
    return laporan


def close_not_registrable(
    *, laporan: FormalLaporan, reason: str, actor: Any, now: datetime
) -> None:
    """Close a laporan that cannot be registered, with the reason the resident is told."""
    _require_open(laporan)
    reason = reason.strip()
    if not reason:
        raise CaseError(str(_l("Say why the laporan cannot be registered.")))
    laporan.state = LaporanState.NOT_REGISTRABLE
    laporan.closed_reason = reason[:REASON_MAX]
    laporan.closed_at = now
    db.session.flush()
    record_event(
        laporan.report.case,
        "laporan_not_registrable",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=laporan.report,
        data={"laporan_id": laporan.id, "reason": laporan.closed_reason},
    )
    _tell_reporter(laporan, "not_registrable", _l("Your laporan cannot be registered"))
    logger.info("Laporan %s closed as not registrable", laporan.id)


def save_pattern(*, team_id: int, pattern: str) -> None:
    """Set a team's registration number pattern (PatternRefused names a bad one)."""
    row = db.session.get(RegistrationFormat, team_id)
    if row is None:
        db.session.add(RegistrationFormat(team_id=team_id, pattern=check_pattern(pattern)))
    else:
        row.pattern = check_pattern(pattern)
    db.session.flush()


def reporter_address(laporan: FormalLaporan) -> str | None:
    """Where the resident wants mail: the laporan's email, else the report's contact email."""
    report = laporan.report
    identity = laporan.identity
    if identity is not None and identity.email:
        return identity.email
    return report.contact_email if report.visibility != "anonymous" else None


def _tell_reporter(laporan: FormalLaporan, template: str, subject: Any) -> None:
    """Email the resident that there is news (no content, no identity: she reads it on the
    status page with her code)."""
    address = reporter_address(laporan)
    if not address:
        return
    try:
        queue_email(
            to=address,
            subject=subject,
            template=f"formal/{template}",
            language=laporan.report.language,
            context={},
            kind=f"laporan_{template}",
        )
    except InvalidRecipient:
        logger.warning("Skipped a laporan email to a malformed address")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
