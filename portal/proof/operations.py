"""Writes of the proof area: registering and rotating signing keys, signing documents,
queueing hashes for timestamps."""

import hashlib
import logging
from datetime import datetime

import sqlalchemy as sa

from portal.capture.models import Capture
from portal.db import db, unit_of_work, utcnow
from portal.evidence.models import Evidence
from portal.proof.models import SignedDocument, SigningKey, StampKind, TimestampToken
from portal.proof.signing import Signer, SigningKeyError, key_path, load_or_create, replace_key

logger = logging.getLogger(__name__)
HEADS_DOCUMENT = "heads"  # the kind of SignedDocument that holds a day's chain heads

# Each kind of stamp: the model, its id column and the column holding the hash to stamp.
STAMP_SOURCES = (
    (StampKind.EVIDENCE, Evidence.id, Evidence.sha256_original),
    (StampKind.CAPTURE_HTML, Capture.id, Capture.html_sha256),
    (StampKind.CAPTURE_SCREENSHOT, Capture.id, Capture.screenshot_sha256),
    (StampKind.CAPTURE_HEADERS, Capture.id, Capture.headers_sha256),
)


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
    else:
        db.session.execute(  # its old token stamps the old body
            sa.delete(TimestampToken).where(
                TimestampToken.kind == StampKind.HEADS, TimestampToken.target_id == doc.id
            )
        )
    doc.body, doc.sha256, doc.key_id = body, digest, signer.key_id
    doc.signature, doc.signed_at = signer.sign(body), utcnow()
    db.session.flush()
    logger.info("Signed %s %s with key %s", kind, name, signer.key_id)
    return doc


def enqueue_stamps(*, limit: int = 500) -> int:
    """Queue a timestamp for every stamped hash that has none yet; how many were queued."""
    heads = (StampKind.HEADS, SignedDocument.id, SignedDocument.sha256)
    queued = 0
    for kind, id_column, hash_column in (*STAMP_SOURCES, heads):
        has_token = sa.select(TimestampToken.id).where(
            TimestampToken.kind == kind, TimestampToken.target_id == id_column
        )
        query = sa.select(id_column, hash_column).where(
            hash_column.is_not(None), ~has_token.exists()
        )
        if kind == StampKind.HEADS:
            query = query.where(SignedDocument.kind == HEADS_DOCUMENT)
        rows = db.session.execute(query.order_by(id_column).limit(limit - queued)).all()
        db.session.add_all(
            TimestampToken(kind=kind, target_id=target, sha256=sha) for target, sha in rows
        )
        queued += len(rows)
        if queued >= limit:
            break
    db.session.flush()
    return queued
