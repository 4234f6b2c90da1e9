"""Writes of identity custody: appointing custodians, requesting a reporter's identity,
deciding, showing it, and the at-risk flag. Every step is a case event; event data name the
request and the reporter's label, never the identity itself. Operations flush; the caller
commits."""

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Team, User
from portal.accounts.operations import record_account_event
from portal.cases.history import record_event
from portal.cases.identity import queries
from portal.cases.identity.models import (
    CaseRisk,
    IdentityCustodian,
    IdentityDecision,
    IdentityRequest,
    RequestState,
)
from portal.cases.models import Case, Visibility
from portal.cases.notifications import _queue, _staff_language
from portal.cases.workflow import CaseError
from portal.db import db, utcnow
from portal.evidence.models import Evidence
from portal.intake.models import Report

logger = logging.getLogger(__name__)
MAX_REASON = 2000


class IdentityError(CaseError):
    """A refused identity step, with a message for the officer or custodian."""


@dataclass(frozen=True)
class Identity:
    """What a reporter left about herself, shown once to the officer allowed to see it."""

    label: str
    name: str
    email: str
    phone: str


# Custodians -----------------------------------------------------------------------------------


def appoint_custodian(*, user: User, team: Team | None, actor: User) -> IdentityCustodian:
    """Make a user a custodian for one team's cases, or for every case when team is None."""
    if not user.is_active:
        raise IdentityError(_l("Only an active user can be a custodian."))
    exists = db.session.scalar(
        sa.select(IdentityCustodian).where(
            IdentityCustodian.user_id == user.id,
            IdentityCustodian.team_id.is_(None)
            if team is None
            else IdentityCustodian.team_id == team.id,
        )
    )
    if exists is not None:
        raise IdentityError(_l("This user is already a custodian for these cases."))
    row = IdentityCustodian(
        user_id=user.id, team_id=team.id if team else None, granted_by_id=actor.id
    )
    db.session.add(row)
    db.session.flush()
    record_account_event(user, "custodian_appointed", actor=actor, team=team.slug if team else None)
    logger.info("User %s appointed custodian by user %s", user.id, actor.id)
    return row


def dismiss_custodian(row: IdentityCustodian, *, actor: User) -> None:
    """End a custodian appointment."""
    team = row.team.slug if row.team else None
    user = row.user
    db.session.delete(row)
    db.session.flush()
    record_account_event(user, "custodian_dismissed", actor=actor, team=team)
    logger.info("Custodian appointment of user %s ended by user %s", user.id, actor.id)


# Requests and decisions -----------------------------------------------------------------------


def request_identity(
    *, case: Case, report: Report, requester: User, reason: str
) -> IdentityRequest:
    """An officer asks to see a confidential reporter's identity, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise IdentityError(_l("Say why you need the reporter's identity."))
    if len(reason) > MAX_REASON:
        raise IdentityError(_l("The reason is too long."))
    if report.case_id != case.id:
        raise IdentityError(_l("Choose a reporter of this case."))
    if not queries.is_held(report):
        raise IdentityError(_l("This reporter's identity is not held by a custodian."))
    pending = db.session.scalar(
        sa.select(IdentityRequest.id).where(
            IdentityRequest.report_id == report.id,
            IdentityRequest.requester_id == requester.id,
            IdentityRequest.state == RequestState.PENDING,
        )
    )
    if pending is not None:
        raise IdentityError(_l("Your request for this reporter is already waiting."))
    row = IdentityRequest(
        case_id=case.id, report_id=report.id, requester_id=requester.id, reason=reason
    )
    db.session.add(row)
    db.session.flush()
    record_event(
        case,
        "identity_requested",
        actor=requester,
        data={"request_id": row.id, "label": report.label, "reason": reason},
    )
    _tell_custodians(case, row)
    logger.info("Identity request %s on case %s by user %s", row.id, case.id, requester.id)
    return row


def decide_request(
    *, request: IdentityRequest, custodian: User, approve: bool, note: str = ""
) -> IdentityRequest:
    """A custodian approves or refuses. One refusal ends the request; it is approved once
    enough distinct custodians (two when the case is at risk) approved it."""
    # Locked and read again: two custodians approving at once must see each other's approval.
    db.session.refresh(request, with_for_update=True)
    case = request.case
    if not queries.is_custodian_for(custodian, case):
        raise IdentityError(_l("You are not a custodian for this case."))
    if custodian.id == request.requester_id:
        raise IdentityError(_l("You cannot decide your own request; another custodian must."))
    if request.state != RequestState.PENDING:
        raise IdentityError(_l("This request was already decided."))
    if any(d.custodian_id == custodian.id for d in request.decisions):
        raise IdentityError(_l("You already decided this request; another custodian must."))
    note = (note or "").strip()[:MAX_REASON]
    db.session.add(
        IdentityDecision(request=request, custodian_id=custodian.id, is_approval=approve, note=note)
    )
    db.session.flush()
    approvals = sum(1 for d in request.decisions if d.is_approval)
    needed = queries.required_approvals(case)
    base = {"request_id": request.id, "label": request.report.label}
    if not approve:
        _close(request, RequestState.REFUSED)
        record_event(
            case,
            "identity_refused",
            visibility=Visibility.REPORTER,
            actor=custodian,
            report=request.report,
            data={**base, "reason": request.reason},
        )
    else:
        record_event(
            case,
            "identity_approval",
            actor=custodian,
            data={**base, "approvals": approvals, "needed": needed},
        )
        if approvals >= needed:
            _close(request, RequestState.APPROVED)
            record_event(
                case,
                "identity_granted",
                visibility=Visibility.REPORTER,
                actor=custodian,
                report=request.report,
                data={**base, "reason": request.reason, "approvals": approvals},
            )
    if request.state != RequestState.PENDING:
        _tell_requester(case, request)
    logger.info(
        "Identity request %s %s by custodian %s",
        request.id,
        "approved" if approve else "refused",
        custodian.id,
    )
    return request


def _close(request: IdentityRequest, state: RequestState) -> None:
    request.state = state
    request.decided_at = utcnow()
    db.session.flush()


def show_identity(*, report: Report, viewer: User) -> Identity:
    """The identity, for the officer an approved request allows; each showing is recorded."""
    grant = queries.get_grant(viewer, report) if queries.is_held(report) else None
    if grant is None:
        raise IdentityError(_l("A custodian has not allowed you to see this identity."))
    record_event(
        report.case,
        "identity_viewed",
        visibility=Visibility.REPORTER,
        actor=viewer,
        report=report,
        data={"request_id": grant.id, "label": report.label},
    )
    logger.info("Identity of report %s shown to user %s", report.id, viewer.id)
    return Identity(
        label=report.label or "",
        name=report.contact_name or "",
        email=report.contact_email or "",
        phone=report.contact_phone or "",
    )


# At-risk reporters ----------------------------------------------------------------------------


def set_at_risk(
    *, case: Case, is_at_risk: bool, actor: User | None = None, report: Report | None = None
) -> None:
    """Flag a case's reporter as at risk of retaliation, or clear the flag (officers only).
    Flagging takes unredacted screenshots off the public page: only redacted copies may go."""
    if actor is None and not is_at_risk:
        raise IdentityError(_l("Only an officer can clear the flag."))
    row = db.session.get(CaseRisk, case.id)
    if row is not None and row.is_at_risk == is_at_risk:
        return
    if row is None:
        if not is_at_risk:
            return
        row = CaseRisk(case_id=case.id)
        db.session.add(row)
    row.is_at_risk, row.changed_at = is_at_risk, utcnow()
    row.changed_by_id = actor.id if actor else None
    withdrawn = _withdraw_unredacted(case) if is_at_risk else 0
    db.session.flush()
    record_event(
        case,
        "at_risk_set" if is_at_risk else "at_risk_cleared",
        actor=actor,
        report=report,
        data={"by": "officer" if actor else "reporter", "withdrawn_images": withdrawn},
    )
    logger.info("Case %s at-risk flag %s", case.id, "set" if is_at_risk else "cleared")


def _withdraw_unredacted(case: Case) -> int:
    """Stop publishing this case's screenshots that have no redacted copy; how many."""
    rows = db.session.scalars(
        sa.select(Evidence)
        .join(Report, Report.id == Evidence.report_id)
        .where(Report.case_id == case.id, Evidence.is_publishable.is_(True))
    ).all()
    withdrawn = [e for e in rows if e.latest_redaction is None]
    for evidence in withdrawn:
        evidence.is_publishable = False
    return len(withdrawn)


# Emails to staff: a case reference and a link, never the reporter ------------------------------


def _tell_custodians(case: Case, request: IdentityRequest) -> None:
    told = {request.requester_id}
    for row in queries.list_custodians():
        user = row.user
        if user.id in told or not user.is_active:
            continue
        if row.team_id is not None and row.team_id != case.team_id:
            continue
        told.add(user.id)
        _queue(
            to=user.email,
            subject=_l("An identity request on case %(reference)s", reference=case.reference),
            template="cases/identity_request",
            language=_staff_language(),
            context={"name": user.name, "reference": case.reference},
            kind="identity_request",
        )


def _tell_requester(case: Case, request: IdentityRequest) -> None:
    user: Any = request.requester
    _queue(
        to=user.email,
        subject=_l("Your identity request on case %(reference)s", reference=case.reference),
        template="cases/identity_decided",
        language=_staff_language(),
        context={
            "name": user.name,
            "reference": case.reference,
            "case_id": case.id,
            "is_approved": request.state == RequestState.APPROVED,
        },
        kind="identity_decided",
    )


def record_identity_shown(*, report: Report, viewer: User, what: str) -> None:
    """Record that a held identity was shown in another form (`what`: the laporan form, its
    PDF, the ID card) under the viewer's approved request; nothing to record otherwise."""
    grant = queries.get_grant(viewer, report)
    if grant is None or not queries.is_gate_on():
        return
    record_event(
        report.case,
        "identity_viewed",
        visibility=Visibility.REPORTER,
        actor=viewer,
        report=report,
        data={"request_id": grant.id, "label": report.label, "what": what},
    )
