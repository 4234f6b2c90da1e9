"""Canned replies: ready-made messages to reporters, per category and status, kept by admins."""

import logging
import re

from flask_babel import force_locale, format_date

from portal.cases.models import CannedReply, Case
from portal.db import db

logger = logging.getLogger(__name__)


PLACEHOLDERS = ("reference", "deadline")
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


def unknown_placeholders(text: str) -> list[str]:
    """The {names} in a text that are not placeholders we fill (for the admin form)."""
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def fill_placeholders(text: str, *, case: Case, language: str) -> str:
    """The text with {reference} and {deadline} filled in (the deadline as a date in the
    reporter's language, in the portal's time zone); anything else is left as written."""
    if case.due_at is None:
        deadline = "—"
    else:
        with force_locale(language):  # the date in the reporter's language
            deadline = format_date(case.due_at, "long")
    values = {"reference": case.reference or "", "deadline": deadline}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


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
