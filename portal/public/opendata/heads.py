"""Daily head hashes: each published case's audit-chain head as of the end of a day.

Published at /data/rantai/<day>.json so that anyone who saved a day's list can later check,
with the auditors, that no event before that day was altered (portal.cases.history). The list
is kept byte for byte with a detached Ed25519 signature (<day>.json.sig) and, once the worker
got one, an RFC 3161 timestamp token (<day>.json.tst).
"""

import hashlib
import json
import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from portal.cases.models import Case, CaseEvent
from portal.db import db
from portal.proof.models import SignedDocument
from portal.proof.operations import sign_document
from portal.proof.queries import HEADS_DOCUMENT, get_signed_document
from portal.public.models import HeadHash

logger = logging.getLogger(__name__)


def _end_of(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day + timedelta(days=1), time.min, zone)


def publish_heads(*, day: date) -> int:
    """Store the head (last seq and hash before the day's end) of every published case."""
    db.session.execute(sa.delete(HeadHash).where(HeadHash.day == day))
    last = (
        sa.select(CaseEvent.case_id, sa.func.max(CaseEvent.seq).label("seq"))
        .where(CaseEvent.created_at < _end_of(day))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Case.id, Case.reference, CaseEvent.seq, CaseEvent.hash)
        .join(last, last.c.case_id == Case.id)
        .join(CaseEvent, sa.and_(CaseEvent.case_id == Case.id, CaseEvent.seq == last.c.seq))
        .where(Case.is_published.is_(True))
    ).all()
    db.session.add_all(
        HeadHash(day=day, case_id=r.id, reference=r.reference, seq=r.seq, head_hash=r.hash)
        for r in rows
    )
    db.session.flush()
    listing = get_heads(day)
    if listing is not None:
        sign_document(kind=HEADS_DOCUMENT, name=day.isoformat(), body=_document(listing))
    logger.info("Head hashes of %s: %d published cases", day, len(rows))
    return len(rows)


def _document(listing: dict[str, Any]) -> bytes:
    return (json.dumps(listing, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def get_signed_heads(day: date) -> SignedDocument | None:
    """The day's signed list, while it still says what get_heads() does (a case unpublished
    since then drops out of the list, and the old signature no longer applies)."""
    listing = get_heads(day)
    doc = get_signed_document(kind=HEADS_DOCUMENT, name=day.isoformat())
    if listing is None or doc is None or json.loads(doc.body) != listing:
        return None
    return doc


def get_heads(day: date) -> dict[str, Any] | None:
    """The day's list (cases still published only), with a digest over its lines."""
    rows = db.session.execute(
        sa.select(HeadHash.reference, HeadHash.seq, HeadHash.head_hash)
        .join(Case, Case.id == HeadHash.case_id)
        .where(HeadHash.day == day, Case.is_published.is_(True))
        .order_by(HeadHash.reference)
    ).all()
    if not rows and not db.session.scalar(
        sa.select(HeadHash.id).where(HeadHash.day == day).limit(1)
    ):
        return None
    cases = [{"reference": r.reference, "seq": r.seq, "head_hash": r.head_hash} for r in rows]
    lines = "".join(f"{c['reference']} {c['seq']} {c['head_hash']}\n" for c in cases)
    return {
        "day": day.isoformat(),
        "algorithm": "sha256-chain-v1",
        "list_sha256": hashlib.sha256(lines.encode()).hexdigest(),
        "cases": cases,
    }
