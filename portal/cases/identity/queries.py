"""Reads of identity custody: who is a custodian for a case, the requests and what they allow,
and whether a case is at risk."""

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.cases.identity.models import (
    CaseRisk,
    IdentityCustodian,
    IdentityDecision,
    IdentityRequest,
    RequestState,
)
from portal.cases.models import Case
from portal.cases.queries import list_at_risk
from portal.db import db
from portal.intake.models import ContactVisibility, Report

REQUIRED_APPROVALS = 1
REQUIRED_APPROVALS_AT_RISK = 2


@functools.cache
def shown_with_request() -> tuple[Any, ...]:
    """What the case panel and the inbox print of a request, loaded with it (no query per
    row). Built on first use, not on import: a loader option configures every mapper, and a
    module importing this one before all models are (a test, a script) would fail."""
    return (
        selectinload(IdentityRequest.report),
        selectinload(IdentityRequest.requester),
        selectinload(IdentityRequest.decisions).selectinload(IdentityDecision.custodian),
        selectinload(IdentityRequest.case),
    )


__all__ = ["list_at_risk"]  # with the queue's query, for the custodians' inbox


def is_gate_on() -> bool:
    """True when custodians hold confidential reporters' identities (IDENTITY_CUSTODIAN)."""
    return bool(current_app.config["IDENTITY_CUSTODIAN"])


def is_held(report: Report) -> bool:
    """True when this report's identity is behind the custodian: a confidential reporter who
    left a name, an email or a phone number, on an install with the gate on."""
    return (
        is_gate_on()
        and report.visibility == ContactVisibility.CONFIDENTIAL
        and bool(report.contact_name or report.contact_email or report.contact_phone)
    )


def custodian_condition(user: User) -> sa.ColumnElement[bool]:
    """The cases this user is a custodian for (install-wide or per team), as a condition."""
    rows = db.session.scalars(
        sa.select(IdentityCustodian).where(IdentityCustodian.user_id == user.id)
    ).all()
    if not rows or not user.is_active:
        return sa.false()
    if any(row.team_id is None for row in rows):
        return sa.true()
    return Case.team_id.in_([row.team_id for row in rows])


def is_custodian_for(user: User, case: Case) -> bool:
    """True when the user may decide identity requests of this case."""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Case.id == case.id, custodian_condition(user)))
        )
    )


def is_custodian(user: User) -> bool:
    """True when the user is a custodian for any cases."""
    return bool(
        db.session.scalar(sa.select(sa.exists().where(IdentityCustodian.user_id == user.id)))
    )


def list_custodians() -> Sequence[IdentityCustodian]:
    """Every custodian appointment, by the custodian's name."""
    return db.session.scalars(
        sa.select(IdentityCustodian)
        .join(User, User.id == IdentityCustodian.user_id)
        .order_by(User.name, IdentityCustodian.id)
    ).all()


def is_at_risk(case_id: int) -> bool:
    """True when the case, or a case merged into it, has a reporter at risk."""
    merged = sa.select(Case.id).where(sa.or_(Case.id == case_id, Case.merged_into_id == case_id))
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(CaseRisk.case_id.in_(merged), CaseRisk.is_at_risk.is_(True))
            )
        )
    )


def required_approvals(case: Case) -> int:
    """How many distinct custodians must approve a request of this case now."""
    return REQUIRED_APPROVALS_AT_RISK if is_at_risk(case.id) else REQUIRED_APPROVALS


def get_request(request_id: int, *, for_update: bool = False) -> IdentityRequest | None:
    """A request by id; for_update locks it for the rest of the transaction."""
    return db.session.get(IdentityRequest, request_id, with_for_update=for_update)


def list_requests(case: Case) -> Sequence[IdentityRequest]:
    """Every identity request of a case, newest first."""
    return db.session.scalars(
        sa.select(IdentityRequest)
        .where(IdentityRequest.case_id == case.id)
        .options(*shown_with_request())
        .order_by(IdentityRequest.id.desc())
    ).all()


def list_pending_for(user: User) -> Sequence[IdentityRequest]:
    """The requests waiting for this custodian: on cases they hold, filed by someone else,
    not decided by them yet."""
    return db.session.scalars(
        sa.select(IdentityRequest)
        .join(Case, Case.id == IdentityRequest.case_id)
        .where(
            IdentityRequest.state == RequestState.PENDING,
            IdentityRequest.requester_id != user.id,
            custodian_condition(user),
        )
        .options(*shown_with_request())
        .order_by(IdentityRequest.created_at)
    ).all()


def get_grant(user: User, report: Report) -> IdentityRequest | None:
    """The approved request that lets this user see this report's identity, if any."""
    return db.session.scalar(
        sa.select(IdentityRequest)
        .where(
            IdentityRequest.report_id == report.id,
            IdentityRequest.case_id == report.case_id,
            IdentityRequest.requester_id == user.id,
            IdentityRequest.state == RequestState.APPROVED,
        )
        .order_by(IdentityRequest.id.desc())
        .limit(1)
    )


def may_see_identity(user: User, report: Report) -> bool:
    """Whether this user may see the report's identity (contact details, a formal laporan's
    identity and ID card): always for a named reporter or with the gate off; for a
    confidential reporter only with an approved request of this user's."""
    if not is_gate_on() or report.visibility != ContactVisibility.CONFIDENTIAL:
        return True
    return get_grant(user, report) is not None
