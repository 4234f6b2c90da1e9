"""Writes on the outbox: queue an email with the change it reports; send what is due."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_mail import Message

from portal.db import db, unit_of_work, utcnow
from portal.notify.mailer import SmtpSession, email_context, render_email
from portal.notify.models import OutboxMessage
from portal.notify.queries import mask_address

logger = logging.getLogger(__name__)


class InvalidRecipient(ValueError):
    """The address cannot be put on an envelope (empty, several, or a header injection)."""


@dataclass
class SendStats:
    """What one pass of the sender did."""

    sent: int = 0
    failed: int = 0  # failed this time, will be retried
    given_up: int = 0


@dataclass(frozen=True)
class Delivered:
    """A message the SMTP server accepted while the database could not record it as sent."""

    message_id: int
    sent_at: datetime


def queue_email(
    *, to: str, subject: Any, template: str, language: str, context: dict[str, Any], kind: str
) -> OutboxMessage:
    """Render an email in the recipient's language and add it to the outbox (flushes; the
    caller commits it together with the change it reports)."""
    to = to.strip()
    local, _, domain = to.partition("@")
    if not local or "." not in domain or len(to) > 254 or any(c in to for c in "\r\n,;<> "):
        raise InvalidRecipient("not a single plain email address")  # no address: it gets logged
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with email_context(language):
        text, html = render_email(template, context)
        subject_text = " ".join(str(subject).split())[:300]
    message = OutboxMessage(
        kind=kind,
        recipient=to,
        subject=subject_text,
        body_text=text,
        body_html=html,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    logger.info("Queued %s email %s", kind, message.id)
    return message


def send_pending(
    *, now: datetime | None = None, limit: int = 50, delivered: list[Delivered] | None = None
) -> SendStats:
    """Send due messages, one claimed at a time, each claim and outcome a unit of work of its
    own (so call it outside any unit: no transaction is open while SMTP talks).

    A long-running caller passes `delivered`, kept from one call to the next: a message the
    server accepted but whose sending could not be recorded (the database locked or gone) is
    added to it before the error is raised, and recorded first on the next call, before anything
    is claimed, so it is never sent twice. Without it such a message is sent again once its
    lease runs out."""
    stats = SendStats()
    if delivered:
        with unit_of_work():
            for item in delivered:
                _record_sent(item.message_id, item.sent_at)
        delivered.clear()
    smtp = SmtpSession()
    try:
        for _ in range(limit):
            claimed = _claim_next(now or utcnow())
            if claimed is None:
                break
            message, message_id, mail = claimed
            try:
                smtp.send(mail)  # outside any transaction: no lock is held while SMTP talks
            except Exception as exc:  # any failure is recorded and retried, never lost
                # Should recording fail too, the error ends the pass; the lease brings the
                # message back.
                with unit_of_work():
                    _record_failure(message, exc, now or utcnow(), stats)
                if not _concerns_only_this_message(exc):
                    break  # the server is unreachable: leave the rest for the next pass
                continue
            sent_at = now or utcnow()
            try:
                with unit_of_work():
                    _record_sent(message_id, sent_at)
            except Exception:
                if delivered is not None:
                    delivered.append(Delivered(message_id, sent_at))
                raise
            stats.sent += 1
    finally:
        smtp.close()
    return stats


def retry_message(*, message: OutboxMessage) -> None:
    """Make a pending or given-up message due now (admin "retry now"); it gets one more try."""
    message.failed_at = None
    message.next_attempt_at = utcnow()
    db.session.flush()
    logger.info("Retry of email %s requested", message.id)


def retry_failed_messages() -> int:
    """Make every given-up message due now; returns how many."""
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
    ).all()
    for message in messages:
        retry_message(message=message)
    return len(messages)


def purge_sent(*, before: datetime) -> int:
    """Delete sent messages older than `before` (their bodies need not be kept); how many."""
    result = db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.sent_at < before))
    return cast(sa.CursorResult[Any], result).rowcount or 0  # a DELETE's result has a rowcount


def _record_sent(message_id: int, sent_at: datetime) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(sent_at=sent_at)
    )
    logger.info("Sent email %s", message_id)


def _claim_next(now: datetime) -> tuple[OutboxMessage, int, Message] | None:
    """Lease the next due message so no other sender takes it, in a unit of work of its own.

    FOR UPDATE SKIP LOCKED makes concurrent senders on PostgreSQL pass each other by; on SQLite
    the write lock taken at BEGIN serialises them. The lease (next_attempt_at in the future)
    keeps the message away from others while it is sent outside any transaction, and brings
    it back if this sender dies before recording the outcome."""
    with unit_of_work():
        message = db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = now + timedelta(
            seconds=current_app.config["OUTBOX_LEASE_SECONDS"]
        )
        return message, message.id, _mail_for(message)


def _mail_for(message: OutboxMessage) -> Message:
    """The Flask-Mail message: text with an HTML alternative, a stable Message-ID."""
    mail = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    domain = str(mail.sender).rsplit("@", 1)[-1].strip(">") or "localhost"
    # The same id on a re-send (crash after delivery) lets mail systems drop the duplicate.
    mail.msgId = f"<outbox.{message.id}.{int(message.created_at.timestamp())}@{domain}>"
    return mail


def _record_failure(
    message: OutboxMessage, exc: BaseException, now: datetime, stats: SendStats
) -> None:
    """Store the error and schedule a retry with backoff, or give up after the last attempt."""
    config = current_app.config
    message.last_error = _describe(exc, message.recipient)
    permanent = _is_permanent(exc)
    if permanent or message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        message.failed_at = now
        stats.given_up += 1
        logger.warning(
            "Gave up on email %s after %s attempts: %s",
            message.id,
            message.attempts,
            message.last_error,
        )
        return
    delay = min(
        config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (message.attempts - 1),
        config["OUTBOX_BACKOFF_MAX_SECONDS"],
    )
    message.next_attempt_at = now + timedelta(seconds=delay)
    stats.failed += 1
    logger.warning(
        "Email %s not sent (attempt %s), retry at %s: %s",
        message.id,
        message.attempts,
        message.next_attempt_at.isoformat(),
        message.last_error,
    )


def _concerns_only_this_message(exc: BaseException) -> bool:
    """The server refused this one message, or the message itself is at fault (not the
    connection): the others may still go."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        return True
    return not isinstance(exc, OSError)


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx refusal of every recipient: retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def _describe(exc: BaseException, recipient: str) -> str:
    """The error for admins, without the recipient's address (the page masks it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values()
        )
        text = f"recipient refused: {text}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text.replace(recipient, mask_address(recipient))[:1000]
