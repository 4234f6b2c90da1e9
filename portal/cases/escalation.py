"""Escalation: cases past their deadline are brought to the team's supervisors, once."""

import logging
from datetime import datetime

import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.cases.history import record_event
from portal.cases.models import Case
from portal.cases.notifications import notify_escalation
from portal.cases.workflow import OPEN
from portal.db import db, utcnow

logger = logging.getLogger(__name__)


def escalation_recipients(team_id: int | None) -> list[User]:
    """The team's active supervisors; the active admins when the team has none."""
    supervisors = []
    if team_id is not None:
        supervisors = list(
            db.session.scalars(
                sa.select(User)
                .where(
                    User.team_id == team_id, User.role == Role.SUPERVISOR, User.is_active.is_(True)
                )
                .order_by(User.id)
            )
        )
    if supervisors:
        return supervisors
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def escalate_overdue(*, now: datetime | None = None, batch: int = 500) -> list[Case]:
    """Mark and report every open case past its deadline that was not escalated yet."""
    now = now or utcnow()
    query = (
        sa.select(Case)
        .where(
            Case.due_at < now, Case.escalated_at.is_(None), Case.status.in_([str(s) for s in OPEN])
        )
        .order_by(Case.due_at, Case.id)
        .limit(batch)
    )
    if db.engine.dialect.name == "postgresql":
        # Several app servers may run the loop: each case is escalated by exactly one of them.
        query = query.with_for_update(skip_locked=True)
    cases = list(db.session.scalars(query))
    for case in cases:
        assert case.due_at is not None  # the query picks cases past their due date
        recipients = escalation_recipients(case.team_id)
        case.escalated_at = now
        db.session.flush()
        record_event(
            case,
            "escalated",
            data={"due_at": case.due_at.isoformat(), "recipients": [u.email for u in recipients]},
        )
        notify_escalation(case, recipients)
        logger.info("Case %s escalated to %d people", case.id, len(recipients))
    return cases
