"""Writes of staff intake: a report or finding staff enter, and a report taken up as a finding.

Both add and flush only; the view ends the unit of work. A staff entry goes through
intake.operations.submit_report like every other door (routing, duplicates, evidence checks),
so a refused screenshot or a refused officer leaves no row and no file behind.
"""

import logging
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.cases.history import record_event
from portal.cases.models import Visibility
from portal.cases.workflow import CaseError
from portal.clock import local_today
from portal.db import db, utcnow
from portal.intake.drafts import ReportDraft
from portal.intake.findings.models import Channel, Finding
from portal.intake.models import Report
from portal.intake.operations import SubmittedReport, submit_report
from portal.legal.queries import get_window

logger = logging.getLogger(__name__)
SOURCE = "staff"  # Report.source of a report staff entered


class NotOfTheTeam(CaseError):
    def __init__(self) -> None:
        super().__init__(_l("Only officers of the case's team can record its findings."))


class OfficerNotInTeam(CaseError):
    def __init__(self) -> None:
        super().__init__(_l("The finding officer must be an active officer of your team."))


class AlreadyAFinding(CaseError):
    def __init__(self) -> None:
        super().__init__(_l("This report is already recorded as a finding."))


class FoundInTheFuture(CaseError):
    def __init__(self) -> None:
        super().__init__(_l("The date found cannot be in the future."))


def check_officer(*, actor: User, officer: User) -> None:
    """The one recording and the one who found it: active staff of one team."""
    if actor.team_id is None or not officer.is_active or officer.team_id != actor.team_id:
        raise OfficerNotInTeam()


def record_finding(
    *, draft: ReportDraft, channel: Channel, officer: User, actor: User
) -> SubmittedReport:
    """File what staff entered as a report (its date known is the date found) and mark it
    with its channel and finding officer; raises ScreenshotRejected or OfficerNotInTeam."""
    if draft.learned_on is None:
        raise ValueError("a finding needs the date it was found")
    submitted = submit_report(draft, source=SOURCE)  # screenshots stored before any query
    check_officer(actor=actor, officer=officer)
    finding = _add(submitted.report, channel, officer, actor, draft.learned_on, note="")
    finding.window_closes_at = submitted.report.window_closes_at
    record_event(
        submitted.case,
        "finding_recorded",
        actor=actor,
        data=_event_data(submitted.report, finding, officer),
    )
    logger.info("Staff entry (%s) by user %s on case %s", channel, actor.id, submitted.case.id)
    return submitted


def take_up_report(
    *, report: Report, officer: User, actor: User, found_on: date, note: str = ""
) -> Finding:
    """Take a resident's report up as the office's own finding, with its own window from
    found_on; the report, its reporter and the case history stay as they are."""
    if actor.team_id is None or report.case.team_id != actor.team_id:
        raise NotOfTheTeam()
    check_officer(actor=actor, officer=officer)
    if found_on > local_today():
        raise FoundInTheFuture()
    if db.session.query(Finding.id).filter_by(report_id=report.id).first() is not None:
        raise AlreadyAFinding()
    finding = _add(report, Channel.TAKEN_UP, officer, actor, found_on, note=note.strip())
    window = get_window(report.category.regime, found_on, now=utcnow())
    finding.window_closes_at = window.closes_at if window is not None else None
    # Reporter-visible: an anonymous resident learns that the office took the matter up.
    record_event(
        report.case,
        "taken_up_as_finding",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=report,
        data=_event_data(report, finding, officer),
    )
    logger.info("Report %s taken up as a finding by user %s", report.id, actor.id)
    return finding


def _add(
    report: Report, channel: Channel, officer: User, actor: User, found_on: date, *, note: str
) -> Finding:
    finding = Finding(
        report_id=report.id,
        channel=str(channel),
        officer_id=officer.id,
        team_id=officer.team_id,
        found_on=found_on,
        note=note,
        recorded_by_id=actor.id,
    )
    db.session.add(finding)
    db.session.flush()
    return finding


def _event_data(report: Report, finding: Finding, officer: User) -> dict:
    return {
        "report_id": report.id,
        "label": report.label,
        "channel": finding.channel,
        "officer": officer.email,
        "found_on": finding.found_on.isoformat(),
        "window_closes_at": (
            finding.window_closes_at.isoformat() if finding.window_closes_at else None
        ),
    }
