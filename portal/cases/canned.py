"""Canned replies: ready-made messages to reporters, per category and status, kept by admins."""

import logging

from portal.cases.models import CannedReply
from portal.db import db

logger = logging.getLogger(__name__)


def save_canned_reply(
    *,
    reply: CannedReply | None,
    title: str,
    category_id: int | None,
    status: str | None,
    body_id: str,
    body_en: str,
) -> CannedReply:
    """Create or update a canned reply (flushes)."""
    if reply is None:
        reply = CannedReply()
        db.session.add(reply)
    reply.title, reply.category_id, reply.status = title.strip(), category_id, status or None
    reply.body_id, reply.body_en = body_id.strip(), body_en.strip()
    db.session.flush()
    logger.info("Canned reply %s saved", reply.id)
    return reply


def delete_canned_reply(reply: CannedReply) -> None:
    """Remove a canned reply; messages already sent keep their text."""
    db.session.delete(reply)
    db.session.flush()
