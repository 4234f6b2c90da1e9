"""The case lifecycle as data: one table of legal moves, and the one function that moves."""

import enum
import logging
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.cases.history import record_event
from portal.cases.models import Case, Status, Visibility
from portal.cases.notifications import notify_status_changed
from portal.db import db, utcnow

logger = logging.getLogger(__name__)

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.TRIAGED, S.REJECTED}),
    S.TRIAGED: frozenset({S.ASSIGNED, S.REJECTED}),
    S.ASSIGNED: frozenset({S.INVESTIGATING, S.REJECTED}),
    S.INVESTIGATING: frozenset({S.WAITING_FOR_REPORTER, S.RESOLVED}),
    S.WAITING_FOR_REPORTER: frozenset({S.INVESTIGATING, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset(),
    S.REOPENED: frozenset({S.INVESTIGATING}),
}
FINISHED = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED})
OPEN = frozenset(Status) - FINISHED
# Moves the reporters are not emailed about: internal steps, and "waiting for reporter", which
# follows a question to ONE reporter (who is emailed about the message itself).
QUIET = frozenset({S.TRIAGED, S.ASSIGNED, S.WAITING_FOR_REPORTER})


class RejectionReason(enum.StrEnum):
    SPAM = "spam"
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"


class Outcome(enum.StrEnum):
    SUBSTANTIATED = "substantiated"
    NOT_SUBSTANTIATED = "not_substantiated"
    REFERRED_ELSEWHERE = "referred_elsewhere"


# Keyed by the enums, looked up also with the plain strings stored in the database.
STATUS_LABELS: dict[str, LazyString] = {
    S.NEW: _l("New"),
    S.TRIAGED: _l("Triaged"),
    S.ASSIGNED: _l("Assigned"),
    S.INVESTIGATING: _l("Investigating"),
    S.WAITING_FOR_REPORTER: _l("Waiting for reporter"),
    S.RESOLVED: _l("Resolved"),
    S.CLOSED: _l("Closed"),
    S.REJECTED: _l("Rejected"),
    S.REOPENED: _l("Reopened"),
}
REASON_LABELS: dict[str, LazyString] = {
    RejectionReason.SPAM: _l("Spam"),
    RejectionReason.OUT_OF_SCOPE: _l("Out of scope"),
    RejectionReason.DUPLICATE: _l("Duplicate"),
}
OUTCOME_LABELS: dict[str, LazyString] = {
    Outcome.SUBSTANTIATED: _l("Substantiated"),
    Outcome.NOT_SUBSTANTIATED: _l("Not substantiated"),
    Outcome.REFERRED_ELSEWHERE: _l("Referred elsewhere"),
}


class CaseError(Exception):
    """A refused change to a case; str() is a translated message for the officer."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class InvalidTransition(CaseError):
    pass


class MissingField(CaseError):
    pass


class StaleCase(CaseError):
    def __init__(self) -> None:
        super().__init__(
            _l(
                "Someone else changed this case while you were looking at it. "
                "The page now shows the current state; please check and try again."
            )
        )


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse a change made from a form that showed an older version of the case."""
    if expected_version is not None and expected_version != case.version:
        raise StaleCase()


def allowed_moves(case: Case) -> list[Status]:
    """The statuses this case may move to, in lifecycle order."""
    legal = TRANSITIONS[Status(case.status)]
    return [s for s in Status if s in legal]


def is_open(status: str) -> bool:
    """True while work on a case is not finished."""
    return Status(status) not in FINISHED


def change_status(
    *,
    case: Case,
    to: str,
    actor: Any,
    reason: str | None = None,
    reason_text: str | None = None,
    outcome: str | None = None,
    summary: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Move a case along the lifecycle, record it, and tell the reporters (flushes)."""
    check_version(case, expected_version)
    before, after = Status(case.status), _parse_status(to)
    if after not in TRANSITIONS[before]:
        raise InvalidTransition(
            _l(
                "A case that is “%(before)s” cannot be moved to “%(after)s”.",
                before=STATUS_LABELS[before],
                after=STATUS_LABELS[after],
            )
        )
    data: dict[str, Any] = {"before": str(before), "after": str(after)}
    data.update(_required_fields(case, after, reason, reason_text, outcome, summary))
    _apply(case, after, data)
    db.session.flush()
    record_event(case, "status_changed", visibility=Visibility.PUBLIC, actor=actor, data=data)
    logger.info("Case %s: %s -> %s", case.id, before, after)
    if after not in QUIET:
        notify_status_changed(case)


def _parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidTransition(_l("Unknown status.")) from None


def _required_fields(
    case: Case,
    after: Status,
    reason: str | None,
    reason_text: str | None,
    outcome: str | None,
    summary: str | None,
) -> dict[str, Any]:
    """The fields a move implies; MissingField when one is absent or not a known value."""
    if after == S.REJECTED:
        if reason not in set(RejectionReason):
            raise MissingField(_l("Choose why the case is rejected."))
        reason_text = (reason_text or "").strip()
        if not reason_text:
            raise MissingField(_l("Explain the rejection to the reporters."))
        return {"reason": reason, "reason_text": reason_text}
    if after == S.RESOLVED:
        if outcome not in set(Outcome):
            raise MissingField(_l("Choose the outcome of the case."))
        summary = (summary or "").strip()
        if not summary:
            raise MissingField(_l("Write a summary of the decision."))
        return {"outcome": outcome, "summary": summary}
    if after == S.ASSIGNED and case.assignee_id is None:
        raise MissingField(_l("Assign the case to an officer first."))
    return {}


def _apply(case: Case, after: Status, data: dict[str, Any]) -> None:
    now = utcnow()
    case.status = after
    if case.first_response_at is None and after != S.NEW:
        case.first_response_at = now
    if after == S.REJECTED:
        case.rejection_reason = data["reason"]
        case.resolved_at = now
    elif after == S.RESOLVED:
        case.outcome = data["outcome"]
        case.public_summary = data["summary"]
        case.resolved_at = now
    elif after == S.REOPENED:
        case.resolved_at = None
