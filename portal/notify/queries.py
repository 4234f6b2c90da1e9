"""Reads on the outbox, for the admin page and the CLI."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.db import db
from portal.notify.models import OutboxMessage


@dataclass(frozen=True)
class OutboxRow:
    """One message as admins see it: the recipient masked, never the body."""

    id: int
    kind: str
    recipient: str
    subject: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    failed_at: datetime | None


def mask_address(address: str) -> str:
    """a***@example.test: enough for an admin to tell messages apart, not to read the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _row(message: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        message.id,
        message.kind,
        mask_address(message.recipient),
        message.subject,
        message.attempts,
        message.last_error,
        message.created_at,
        message.next_attempt_at,
        message.failed_at,
    )


def list_pending(*, limit: int = 200) -> list[OutboxRow]:
    """Messages not sent yet and not given up, soonest first."""
    return [
        _row(m)
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    ]


def list_failed(*, limit: int = 200) -> list[OutboxRow]:
    """Messages given up after their last attempt, newest first."""
    return [
        _row(m)
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None))
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    ]


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    failed: int
    sent: int


def count_outbox() -> OutboxCounts:
    """How many messages are pending, given up and sent."""
    m = OutboxMessage
    pending, failed, sent = db.session.execute(
        sa.select(
            sa.func.count().filter(m.sent_at.is_(None), m.failed_at.is_(None)),
            sa.func.count().filter(m.failed_at.is_not(None)),
            sa.func.count().filter(m.sent_at.is_not(None)),
        ).select_from(m)
    ).one()
    return OutboxCounts(pending or 0, failed or 0, sent or 0)
