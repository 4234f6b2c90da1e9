"""Writes of the proof area: registering and rotating signing keys, signing documents,
queueing hashes for timestamps."""

import hashlib
import logging
from datetime import datetime

import sqlalchemy as sa

from portal.db import db, unit_of_work, utcnow
from portal.proof.models import SignedDocument, SigningKey, TimestampToken
from portal.proof.queries import stamp_sources
from portal.proof.signing import Signer, SigningKeyError, key_path, load_or_create, replace_key

logger = logging.getLogger(__name__)


def current_signer() -> Signer:
    """The install's signing key: made on first use, its public half registered as current."""
    signer = load_or_create(key_path())
    with unit_of_work():  # joins the caller's unit when there is one
        register_key(signer)
    return signer


def register_key(signer: Signer, *, now: datetime | None = None) -> SigningKey:
    """Record the key's public half as the current key (retiring any other current key); a
    key that was retired is refused: its file is stale (rotated on another server)."""
    row = db.session.scalar(sa.select(SigningKey).where(SigningKey.key_id == signer.key_id))
    if row is not None and not row.is_current:
        raise SigningKeyError(
            f"the key in {key_path()} ({signer.key_id}) was retired on "
            f"{row.valid_until:%Y-%m-%d}; copy the current key file to this server"
        )
    if row is not None:
        return row
    now = now or utcnow()
    for other in db.session.scalars(sa.select(SigningKey).where(SigningKey.valid_until.is_(None))):
        other.valid_until = now
        logger.info("Signing key %s retired", other.key_id)
    row = SigningKey(key_id=signer.key_id, public_key_pem=signer.public_pem, valid_from=now)
    db.session.add(row)
    db.session.flush()
    logger.info("Signing key %s in use from now on", signer.key_id)
    return row


def rotate_key(*, now: datetime | None = None) -> SigningKey:
    """Replace the key file with a new key and make it current; the old public key stays
    published with the end of its validity."""
    return register_key(replace_key(key_path()), now=now)


def sign_document(*, kind: str, name: str, body: bytes) -> SignedDocument:
    """Keep `body` with its detached signature; a changed body is signed (and stamped) anew."""
    digest = hashlib.sha256(body).hexdigest()
    doc = db.session.scalar(
        sa.select(SignedDocument).where(SignedDocument.kind == kind, SignedDocument.name == name)
    )
    if doc is not None and doc.sha256 == digest:
        return doc
    signer = current_signer()
    if doc is None:
        doc = SignedDocument(kind=kind, name=name)
        db.session.add(doc)
    doc.body, doc.sha256, doc.key_id = body, digest, signer.key_id
    doc.signature, doc.signed_at = signer.sign(body), utcnow()
    db.session.flush()
    logger.info("Signed %s %s with key %s", kind, name, signer.key_id)
    return doc


def enqueue_stamps(*, limit: int = 500) -> int:
    """Queue a timestamp for every stamped hash that has none yet; how many were queued."""
    queued = 0
    for kind, query in stamp_sources():
        has_token = sa.select(TimestampToken.id).where(
            TimestampToken.kind == kind,
            TimestampToken.target_id == query.selected_columns[0],
            TimestampToken.sha256 == query.selected_columns[1],
        )
        rows = db.session.execute(query.where(~has_token.exists()).limit(limit - queued)).all()
        db.session.add_all(
            TimestampToken(kind=kind, target_id=target, sha256=sha) for target, sha in rows
        )
        queued += len(rows)
        if queued >= limit:
            break
    db.session.flush()
    return queued
