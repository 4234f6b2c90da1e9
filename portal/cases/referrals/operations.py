"""Referrals: a case handed to an outside body (Bawaslu, BKN, Inspektorat, police, ...) and
what that body answered.

Each change records two events: a public one naming only the body (and, once answered,
whether a sanction was applied), and an internal one with the details (reference number,
dates, outcome text), which may name people or internal files of the other body."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.cases.history import record_event
from portal.cases.models import Case, Visibility
from portal.cases.referrals.models import Body, Referral, ReferralStatus, Sanction
from portal.cases.workflow import CaseError
from portal.db import db

logger = logging.getLogger(__name__)

BODY_LABELS = {
    Body.BAWASLU: _l("Bawaslu (election supervisory body)"),
    Body.BKN: _l("BKN (National Civil Service Agency)"),
    Body.INSPEKTORAT: _l("Inspektorat (inspectorate)"),
    Body.POLICE: _l("Police"),
    Body.OMBUDSMAN: _l("Ombudsman"),
    Body.OTHER: _l("Other body"),
}
SANCTION_LABELS = {
    Sanction.YES: _l("Sanction applied"),
    Sanction.NO: _l("No sanction"),
    Sanction.UNKNOWN: _l("Not known"),
}


class ReferralError(CaseError):
    """A referral change that cannot be made; str() is a message for the officer."""


def refer_case(
    *,
    case: Case,
    body: str,
    body_name: str = "",
    reference_number: str = "",
    referred_on: date,
    due_on: date | None = None,
    actor: Any,
) -> Referral:
    """Record that the case was referred to an outside body (flushes)."""
    if body not in set(Body):
        raise ReferralError(_l("Choose the body the case is referred to."))
    if body == Body.OTHER and not body_name.strip():
        raise ReferralError(_l("Name the body the case is referred to."))
    if due_on is not None and due_on < referred_on:
        raise ReferralError(_l("The answer cannot be due before the referral was made."))
    referral = Referral(
        case_id=case.id,
        body=body,
        body_name=body_name.strip(),
        reference_number=reference_number.strip(),
        referred_on=referred_on,
        due_on=due_on,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(referral)
    db.session.flush()
    record_event(
        case,
        "referred",
        visibility=Visibility.PUBLIC,
        actor=actor,
        data={"referral_id": referral.id, "body": body, "body_name": referral.body_name},
    )
    record_event(
        case,
        "referral_details",
        actor=actor,
        data={
            "referral_id": referral.id,
            "reference_number": referral.reference_number,
            "referred_on": referred_on.isoformat(),
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    logger.info("Case %s referred to %s by user %s", case.id, body, getattr(actor, "id", None))
    return referral


def record_referral_outcome(
    *,
    referral: Referral,
    outcome: str,
    sanction_applied: str,
    sanction: str = "",
    answered_on: date,
    actor: Any,
) -> None:
    """Record the outside body's answer; may be corrected later, each time recorded."""
    if sanction_applied not in set(Sanction):
        raise ReferralError(_l("Say whether a sanction was applied."))
    if not outcome.strip():
        raise ReferralError(_l("Describe what the body decided."))
    referral.status = ReferralStatus.ANSWERED
    referral.outcome = outcome.strip()
    referral.sanction_applied = sanction_applied
    referral.sanction = sanction.strip() if sanction_applied == Sanction.YES else ""
    referral.answered_on = answered_on
    db.session.flush()
    case = referral.case
    record_event(
        case,
        "referral_answered",
        visibility=Visibility.PUBLIC,
        actor=actor,
        data={
            "referral_id": referral.id,
            "body": referral.body,
            "body_name": referral.body_name,
            "sanction_applied": sanction_applied,
        },
    )
    record_event(
        case,
        "referral_details",
        actor=actor,
        data={
            "referral_id": referral.id,
            "outcome": referral.outcome,
            "sanction": referral.sanction,
            "answered_on": answered_on.isoformat(),
        },
    )
    logger.info("Referral %s of case %s answered", referral.id, case.id)


def list_referrals(case: Case) -> list[Referral]:
    """The case's referrals, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Referral).where(Referral.case_id == case.id).order_by(Referral.id)
        )
    )


def get_referral(case: Case, referral_id: int) -> Referral | None:
    """A referral of this case (None for another case's referral)."""
    return db.session.scalar(
        sa.select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id)
    )


@dataclass(frozen=True)
class ReferralCount:
    body: str
    status: str
    sanction_applied: str
    count: int


def count_referrals_by_body_and_sanction(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    category_id: int | None = None,
    region_id: int | None = None,
    published_only: bool = False,
) -> list[ReferralCount]:
    """Referrals per body, status and sanction, for statistics (filters on the case)."""
    query = (
        sa.select(
            Referral.body, Referral.status, Referral.sanction_applied, sa.func.count(Referral.id)
        )
        .join(Case, Case.id == Referral.case_id)
        .group_by(Referral.body, Referral.status, Referral.sanction_applied)
        .order_by(Referral.body, Referral.status, Referral.sanction_applied)
    )
    if since is not None:
        query = query.where(Case.created_at >= since)
    if until is not None:
        query = query.where(Case.created_at < until)
    if category_id is not None:
        query = query.where(Case.category_id == category_id)
    if region_id is not None:
        query = query.where(Case.region_id == region_id)
    if published_only:
        query = query.where(Case.is_published.is_(True))
    return [ReferralCount(*row) for row in db.session.execute(query)]
