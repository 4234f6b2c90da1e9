"""Writes on cases. Operations flush and record events; the caller commits."""

import logging
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.cases.deadlines import add_days
from portal.cases.duplicates.queries import find_join
from portal.cases.history import record_event
from portal.cases.labels import assign_label
from portal.cases.models import Case, Message, Status, Visibility
from portal.cases.notifications import notify_assigned, notify_hand_over, notify_message
from portal.cases.routing import route_team_id
from portal.cases.workflow import OPEN, CaseError, change_status, check_version
from portal.db import db, utcnow
from portal.intake.models import Report
from portal.legal.queries import report_window_closes_at

__all__ = [
    "add_days",
    "open_case_for_report",
    "attach_report",
    "place_report",
    "assign_case",
    "claim_case",
    "take_over_case",
    "add_note",
    "send_message",
    "hand_over_cases",
]

logger = logging.getLogger(__name__)


def open_case_for_report(report: Report) -> Case:
    """A new case for a report that joins no existing case: routed, with a deadline."""
    category = report.category
    now = utcnow()
    case = Case(
        category_id=report.category_id,
        region_id=report.region_id,
        team_id=route_team_id(category=category, region_id=report.region_id),
        status=Status.NEW,
        reported_party=report.reported_party,
        learned_on=report.learned_on,
        window_closes_at=report.window_closes_at,
        first_reported_at=now,
        due_at=add_days(now, category.deadline_days, category.deadline_working_days),
        report_count=0,
    )
    db.session.add(case)
    db.session.flush()
    case.reference = f"ADU-{now.year}-{case.id:06d}"
    record_event(
        case,
        "created",
        visibility=Visibility.PUBLIC,
        data={"reference": case.reference, "status": Status.NEW},
    )
    return case


def attach_report(case: Case, report: Report, data: dict[str, Any] | None = None) -> None:
    """Count a report on its case and record it in the history (reporter-visible)."""
    # By id, not `report.case = case`: the backref would load every report of the case first,
    # which grows with the flood of reports a viral post brings.
    report.case_id = case.id
    db.session.add(report)
    case.report_count = (case.report_count or 0) + 1
    if case.first_reported_at is None:
        case.first_reported_at = utcnow()
    if report.learned_on and (case.learned_on is None or report.learned_on < case.learned_on):
        case.learned_on = report.learned_on  # the legal clock runs from the earliest date
    if report.window_closes_at and (
        case.window_closes_at is None or report.window_closes_at < case.window_closes_at
    ):
        case.window_closes_at = report.window_closes_at
    db.session.flush()
    before = report.label
    label = assign_label(report, case.id)
    moved = {"label_before": before} if before and before != label else {}
    record_event(
        case,
        "report_attached",
        visibility=Visibility.REPORTER,
        report=report,
        data={"report_id": report.id, "label": label, **moved, **(data or {})},
    )


def place_report(report: Report) -> Case:
    """Put a new report into a case: an existing open one when it is the same matter, else a
    new case. The single entry point intake calls; duplicate detection plugs in here."""
    if report.window_closes_at is None:
        report.window_closes_at = report_window_closes_at(report, now=utcnow())
    match = find_join(report)
    if match is not None:
        case = _locked(match.case)
        if case.merged_into_id is None and case.status in OPEN:
            attach_report(case, report, data=match.event_data)
            return case
    case = open_case_for_report(report)
    attach_report(case, report)
    return case


def _locked(case: Case) -> Case:
    """The case re-read under a row lock (PostgreSQL), so that two reports joining it at once
    count one after the other instead of one failing on the case's version; SQLite's units of
    work already run one at a time."""
    return db.session.execute(
        sa.select(Case)
        .where(Case.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


class NotTeamMember(CaseError):
    def __init__(self) -> None:
        super().__init__(_l("Cases can only be assigned to active officers of the case's team."))


class ClaimLost(CaseError):
    def __init__(self) -> None:
        super().__init__(
            _l("Someone else took this case a moment ago; it is no longer unassigned.")
        )


def _check_assignee(case: Case, user: User | None) -> User:
    if user is None or not user.is_active or user.team_id != case.team_id:
        raise NotTeamMember()
    return user


def _after_assignment(
    case: Case, assignee: User, actor: User | None, before_id: int | None
) -> None:
    record_event(
        case,
        "assigned",
        actor=actor,
        data={"before": before_id, "after": assignee.id, "assignee": assignee.email},
    )
    if case.status in (Status.NEW, Status.TRIAGED):
        if case.status == Status.NEW:
            change_status(case=case, to=Status.TRIAGED, actor=actor)
        change_status(case=case, to=Status.ASSIGNED, actor=actor)
    notify_assigned(case, assignee)
    logger.info(
        "Case %s assigned to user %s by %s", case.id, assignee.id, getattr(actor, "id", None)
    )


def assign_case(
    *, case: Case, assignee: User | None, actor: User | None, expected_version: int | None = None
) -> None:
    """Assign or reassign a case to a member of its team (moves new/triaged to assigned)."""
    check_version(case, expected_version)
    assignee = _check_assignee(case, assignee)
    if case.assignee_id == assignee.id:
        return
    before = case.assignee_id
    case.assignee_id = assignee.id
    db.session.flush()
    _after_assignment(case, assignee, actor, before)


def claim_case(*, case: Case, officer: User) -> None:
    """Take an unassigned case; exactly one of several simultaneous claims wins (ClaimLost)."""
    _check_assignee(case, officer)
    result = db.session.execute(
        sa.update(Case)
        .where(Case.id == case.id, Case.assignee_id.is_(None))
        .values(assignee_id=officer.id, version=Case.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    won = cast(sa.CursorResult[Any], result).rowcount  # an UPDATE's result has a rowcount
    if won != 1:
        raise ClaimLost()
    db.session.refresh(case)
    _after_assignment(case, officer, officer, None)


def take_over_case(*, case: Case, supervisor: User, expected_version: int | None = None) -> None:
    """A supervisor of the team takes a colleague's case; the previous assignee is recorded."""
    if supervisor.role not in ("supervisor", "admin"):
        raise CaseError(_l("Only a supervisor can take a case over."))
    before = case.assignee.email if case.assignee else None
    assign_case(case=case, assignee=supervisor, actor=supervisor, expected_version=expected_version)
    record_event(case, "taken_over", actor=supervisor, data={"from": before})


def add_note(*, case: Case, author: User, body: str) -> None:
    """An internal note: officers only, never shown to reporters."""
    record_event(case, "note", actor=author, data={"body": body.strip()})


def send_message(
    *,
    case: Case,
    report: Report,
    author: User,
    body: str,
    wait_for_reply: bool = False,
) -> Message:
    """A message to one reporter of the case, shown on their status page and emailed as news."""
    if report.case_id != case.id:
        raise CaseError(_l("That reporter does not belong to this case."))
    message = Message(
        case_id=case.id,
        report_id=report.id,
        direction="to_reporter",
        author_id=author.id,
        body=body.strip(),
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    # Internal: the message itself is for one reporter, not every reporter of the case.
    record_event(
        case,
        "message_sent",
        actor=author,
        report=report,
        data={"message_id": message.id, "report_id": report.id},
    )
    if case.first_response_at is None:
        case.first_response_at = utcnow()
    if wait_for_reply and case.status == Status.INVESTIGATING:
        change_status(case=case, to=Status.WAITING_FOR_REPORTER, actor=author)
    notify_message(report)
    return message


def hand_over_cases(*, from_officer: User, to_officer: User, actor: User | None) -> list[Case]:
    """Move every open case of one officer to another officer of the same team."""
    if to_officer.id == from_officer.id or to_officer.team_id != from_officer.team_id:
        raise NotTeamMember()
    cases = list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.assignee_id == from_officer.id, Case.status.in_([str(s) for s in OPEN]))
            .order_by(Case.id)
            .with_for_update()
        )
    )
    for case in cases:
        _check_assignee(case, to_officer)
        case.assignee_id = to_officer.id
        db.session.flush()
        record_event(
            case,
            "assigned",
            actor=actor,
            data={
                "before": from_officer.id,
                "after": to_officer.id,
                "assignee": to_officer.email,
                "hand_over": True,
            },
        )
    if cases:
        notify_hand_over(cases, to_officer)
    logger.info(
        "Hand-over of %d cases from user %s to user %s", len(cases), from_officer.id, to_officer.id
    )
    return cases
