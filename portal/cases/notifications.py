"""Emails of the cases area, queued in the outbox in the same transaction as the change.

Emails to reporters say only that there is news: never the tracking code, never report text."""

import logging
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.cases.models import Case
from portal.intake.models import Report
from portal.notify.operations import InvalidRecipient, queue_email

logger = logging.getLogger(__name__)
ANONYMOUS = "anonymous"
# The residents' words for each status (the same as on their status page).
REPORTER_STATUS = {
    "new": _l("Received, waiting to be checked"),
    "triaged": _l("Checked, waiting for an officer"),
    "assigned": _l("An officer has been assigned"),
    "investigating": _l("Being investigated"),
    "waiting_for_reporter": _l("Waiting for your answer"),
    "resolved": _l("Decided"),
    "closed": _l("Closed"),
    "rejected": _l("Not taken up"),
    "reopened": _l("Reopened"),
}


def _queue(
    *, to: str, subject: Any, template: str, language: str, context: dict[str, Any], kind: str
) -> None:
    """Queue one email; a malformed address is logged and skipped, never blocks the change."""
    try:
        queue_email(
            to=to, subject=subject, template=template, language=language, context=context, kind=kind
        )
    except InvalidRecipient:
        logger.warning("Skipped a %s email to a malformed address", kind)


def _reachable_address(report: Report) -> str | None:
    """The reporter's email, when they left one and are not anonymous."""
    if report.contact_email and report.visibility != ANONYMOUS:
        return report.contact_email
    return None


def _staff_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def notify_status_changed(case: Case) -> None:
    """Tell every reporter who left an email and is not anonymous that there is news."""
    seen: set[str] = set()
    for report in case.reports:
        address = _reachable_address(report)
        if address is None or address.lower() in seen:
            continue
        seen.add(address.lower())
        _queue(
            to=address,
            subject=_l("There is news on your report"),
            template="cases/status_changed",
            language=report.language or "id",
            context={
                "status": case.status,
                "status_label": REPORTER_STATUS.get(case.status, case.status),
            },
            kind="case_status",
        )


def notify_message(report: Report) -> None:
    """Tell one reporter that an officer wrote to them (the text stays on the status page)."""
    address = _reachable_address(report)
    if address is not None:
        _queue(
            to=address,
            subject=_l("There is news on your report"),
            template="cases/message",
            language=report.language or "id",
            context={},
            kind="case_message",
        )


def notify_assigned(case: Case, officer: User) -> None:
    """Tell an officer a case is now theirs."""
    _queue(
        to=officer.email,
        subject=_l("Case %(reference)s was assigned to you", reference=case.reference),
        template="cases/assigned",
        language=_staff_language(),
        context={
            "case_id": case.id,
            "reference": case.reference,
            "name": officer.name,
            "due_at": case.due_at,
            "count": 1,
        },
        kind="case_assigned",
    )


def notify_hand_over(cases: list[Case], officer: User) -> None:
    """One email for a whole hand-over, not one per case."""
    _queue(
        to=officer.email,
        subject=_l("%(num)d cases were handed over to you", num=len(cases)),
        template="cases/assigned",
        language=_staff_language(),
        context={
            "case_id": None,
            "reference": None,
            "name": officer.name,
            "references": [c.reference for c in cases],
            "count": len(cases),
        },
        kind="case_assigned",
    )


def notify_escalation(case: Case, recipients: list[User]) -> None:
    """Tell supervisors (or admins) that a case passed its deadline."""
    for user in recipients:
        _queue(
            to=user.email,
            subject=_l("Overdue: case %(reference)s passed its deadline", reference=case.reference),
            template="cases/escalation",
            language=_staff_language(),
            context={
                "case_id": case.id,
                "reference": case.reference,
                "name": user.name,
                "due_at": case.due_at,
                "team": case.team.name if case.team else "",
                "assignee": case.assignee.name if case.assignee else None,
            },
            kind="case_escalation",
        )
