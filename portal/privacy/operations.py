"""Writes of the privacy area: legal holds, erasure of one kind of one report's data, the
reporter's own corrections. Operations add and flush; the caller commits.

Personal data lives in rows outside the hash-chained history (report contact columns, message
texts, evidence rows and files); history events only refer to them by id. Erasing therefore
clears or deletes those rows and appends an "erased" event: the chain stays verifiable. Stored
files are not deleted here: their keys are queued (PendingFileRemoval) in the same unit of
work and removed by `remove_pending_files` after it commits.
"""

import logging
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.cases.duplicates.models import PhashBand
from portal.cases.history import record_event
from portal.cases.models import Case, Message, Visibility
from portal.db import db, unit_of_work, utcnow
from portal.evidence.models import Evidence, Redaction, UnredactedApproval
from portal.evidence.operations import referenced_keys
from portal.evidence.storage import get_storage
from portal.intake.formal.models import IDENTITY_FIELDS, FormalLaporan
from portal.intake.models import Report
from portal.notify.models import OutboxMessage
from portal.privacy.models import LegalHold, PendingFileRemoval
from portal.privacy.policy import Kind
from portal.privacy.queries import get_active_hold, list_pending_removals

logger = logging.getLogger(__name__)
# Who the history names for what the schedule erased (no user: the install's policy did it).
RETENTION = SimpleNamespace(id=None, email="retention")
MIN_REASON = 10


class PrivacyError(ValueError):
    """A privacy action was refused; the message is for the person who asked."""


class UnderLegalHold(PrivacyError):
    def __init__(self) -> None:
        super().__init__(_l("This case is under a legal hold: its data cannot be erased now."))


def place_legal_hold(*, case: Case, actor: Any, reason: str) -> LegalHold:
    """Stop every erasure of the case's data until the hold is lifted; a reason is required."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise PrivacyError(_l("Give the reason for the legal hold (at least 10 characters)."))
    if get_active_hold(case.id) is not None:
        raise PrivacyError(_l("This case is already under a legal hold."))
    hold = LegalHold(case_id=case.id, reason=reason, placed_by_id=actor.id, placed_at=utcnow())
    db.session.add(hold)
    db.session.flush()
    record_event(
        case, "legal_hold_placed", actor=actor, data={"hold_id": hold.id, "reason": reason}
    )
    logger.info("Legal hold %s placed on case %s by user %s", hold.id, case.id, actor.id)
    return hold


def lift_legal_hold(*, case: Case, actor: Any) -> LegalHold:
    """End the case's legal hold; the retention schedule applies again from its next run."""
    hold = get_active_hold(case.id)
    if hold is None:
        raise PrivacyError(_l("This case is not under a legal hold."))
    hold.lifted_at, hold.lifted_by_id = utcnow(), actor.id
    db.session.flush()
    record_event(case, "legal_hold_lifted", actor=actor, data={"hold_id": hold.id})
    logger.info("Legal hold %s lifted on case %s by user %s", hold.id, case.id, actor.id)
    return hold


def erase(*, report: Report, kind: Kind, actor: Any = RETENTION) -> bool:
    """Erase one kind of one report's data and record it; False when there was nothing left.
    Refused (UnderLegalHold) while the case is held. `actor` None: the reporter herself."""
    case = db.session.get(Case, report.case_id, with_for_update=True)
    if case is None:
        return False
    if get_active_hold(case.id) is not None:
        raise UnderLegalHold()
    erasers = {Kind.CONTACT: _erase_contact, Kind.MESSAGES: _erase_messages}
    data = erasers.get(kind, _erase_screenshots)(report)
    if data is None:
        return False
    by = "reporter" if actor is None else ("retention" if actor is RETENTION else "staff")
    record_event(
        case,
        "erased",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=report,
        data={"report_id": report.id, "what": str(kind), "by": by, **data},
    )
    logger.info("Erased %s of report %s (%s)", kind, report.id, by)
    return True


def _erase_contact(report: Report) -> dict[str, Any] | None:
    """The contact columns, and a formal laporan's identity (ID card included) and witnesses."""
    fields = [
        name
        for name in ("contact_name", "contact_email", "contact_phone")
        if getattr(report, name) is not None
    ]
    email = report.contact_email
    for name in fields:
        setattr(report, name, None)
    if email:
        _scrub_outbox(email)
    identity, witnesses = _erase_formal_identity(report)
    if not (fields or identity or witnesses):
        return None
    db.session.flush()
    erased: dict[str, Any] = {"fields": fields}
    if identity:
        erased["identity"] = True
    if witnesses:
        erased["witnesses"] = witnesses
    return erased


IDENTITY_TEXT = tuple(name for name in IDENTITY_FIELDS if name != "birth_date")


def _erase_formal_identity(report: Report) -> tuple[bool, int]:
    """Blank a formal laporan's identity and witnesses; queue the ID card's files."""
    laporan = db.session.scalar(
        sa.select(FormalLaporan).where(FormalLaporan.report_id == report.id)
    )
    if laporan is None:
        return False, 0
    erased = False
    identity = laporan.identity
    if identity is not None:
        keys = {identity.id_card_original_key, identity.id_card_clean_key}
        keys |= {identity.id_card_thumb_key}
        keys.discard(None)
        erased = bool(keys) or identity.birth_date is not None
        erased = erased or any(getattr(identity, name) for name in IDENTITY_TEXT)
        for name in IDENTITY_TEXT:
            setattr(identity, name, "")
        identity.birth_date = None
        identity.id_card = None
        identity.id_card_original_key = identity.id_card_clean_key = None
        identity.id_card_thumb_key = None
        _queue_removal({k for k in keys if k})
    witnesses = [w for w in laporan.witnesses if w.name or w.address or w.phone]
    for witness in witnesses:
        witness.name = witness.address = witness.phone = ""
    return erased, len(witnesses)


def _queue_removal(keys: set[str]) -> None:
    """Queue stored files for removal after the commit (once per key)."""
    queued = set(
        db.session.scalars(
            sa.select(PendingFileRemoval.key).where(PendingFileRemoval.key.in_(keys))
        )
    )
    db.session.add_all(PendingFileRemoval(key=k, queued_at=utcnow()) for k in keys - queued)


def _scrub_outbox(email: str) -> None:
    """Mail to the address keeps no address or text; mail not sent yet is not sent."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient == email, OutboxMessage.sent_at.is_(None))
        .values(failed_at=utcnow(), last_error="erased")
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .values(recipient="erased", subject="", body_text="", body_html=None)
    )


def _erase_messages(report: Report) -> dict[str, Any] | None:
    messages = db.session.scalars(
        sa.select(Message).where(Message.report_id == report.id, Message.body != "")
    ).all()
    if not messages:
        return None
    for message in messages:
        message.body = ""
    db.session.flush()
    return {"message_ids": [m.id for m in messages]}


def _erase_screenshots(report: Report) -> dict[str, Any] | None:
    rows = db.session.scalars(sa.select(Evidence).where(Evidence.report_id == report.id)).all()
    if not rows:
        return None
    ids = [e.id for e in rows]
    redactions = db.session.scalars(sa.select(Redaction).where(Redaction.evidence_id.in_(ids)))
    keys = {k for e in rows for k in (e.original_key, e.clean_key, e.thumb_key)}
    keys |= {k for r in redactions for k in (r.key, r.thumb_key)}
    # The hashes stay in the history: they prove what was held without being the image.
    kept = [{"evidence_id": e.id, "sha256": e.sha256_original} for e in rows]
    for model in (Redaction, UnredactedApproval, PhashBand):
        db.session.execute(sa.delete(model).where(model.evidence_id.in_(ids)))
    db.session.execute(sa.delete(Evidence).where(Evidence.id.in_(ids)))
    _queue_removal(keys)
    db.session.flush()
    return {"evidence": kept}


def remove_pending_files() -> int:
    """Remove the stored files that committed erasures queued (not those another row still
    uses: keys are content addresses); each batch's queue rows go after its files. Returns
    how many files were removed. Call outside a unit of work: it opens its own."""
    removed = 0
    storage = get_storage()
    while keys := list_pending_removals():
        in_use = referenced_keys(keys)
        db.session.rollback()  # no transaction is held while storage works
        for key in keys:
            if key not in in_use:
                storage.delete(key)
                removed += 1
        with unit_of_work():
            db.session.execute(
                sa.delete(PendingFileRemoval).where(PendingFileRemoval.key.in_(keys))
            )
    return removed


def correct_contact(*, report: Report, name: str, email: str, phone: str) -> list[str]:
    """The reporter corrects her contact details (only changed fields; names them in the
    history, never the values). Refused for an anonymous report: it holds none to correct."""
    if report.visibility == "anonymous":
        raise PrivacyError(_l("You reported anonymously: the portal holds no contact details."))
    wanted = {
        "contact_name": name.strip() or None,
        "contact_email": email.strip() or None,
        "contact_phone": phone.strip() or None,
    }
    changed = [k for k, v in wanted.items() if getattr(report, k) != v]
    if not changed:
        return []
    old_email = report.contact_email
    for key in changed:
        setattr(report, key, wanted[key])
    if old_email and "contact_email" in changed:
        _scrub_outbox(old_email)
    db.session.flush()
    case = db.session.get(Case, report.case_id)
    if case is not None:
        record_event(
            case,
            "contact_corrected",
            visibility=Visibility.REPORTER,
            report=report,
            data={"report_id": report.id, "fields": changed},
        )
    return changed
