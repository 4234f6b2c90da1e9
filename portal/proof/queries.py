"""Reads of the proof area: published keys, signed documents, the timestamps of evidence."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from portal.capture.models import Capture
from portal.db import db
from portal.evidence.models import Evidence
from portal.proof.models import SignedDocument, SigningKey, StampKind, TimestampToken
from portal.proof.signing import fingerprint

CAPTURE_KINDS = (StampKind.CAPTURE_SCREENSHOT, StampKind.CAPTURE_HTML, StampKind.CAPTURE_HEADERS)
HEADS_DOCUMENT = "heads"  # the kind of SignedDocument that holds a day's chain heads
# Each kind of stamp: the id column of what it stamps, and the column holding the hash.
SOURCES: dict[str, tuple[Any, Any]] = {
    StampKind.EVIDENCE: (Evidence.id, Evidence.sha256_original),
    StampKind.CAPTURE_SCREENSHOT: (Capture.id, Capture.screenshot_sha256),
    StampKind.CAPTURE_HTML: (Capture.id, Capture.html_sha256),
    StampKind.CAPTURE_HEADERS: (Capture.id, Capture.headers_sha256),
    StampKind.HEADS: (SignedDocument.id, SignedDocument.sha256),
}


@dataclass(frozen=True)
class PublicKey:
    """What is published of one signing key."""

    key_id: str
    fingerprint: str
    public_key_pem: str
    valid_from: datetime
    valid_until: datetime | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "key_id": self.key_id,
            "algorithm": "Ed25519",
            "fingerprint_sha256": self.fingerprint,
            "public_key_pem": self.public_key_pem,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass(frozen=True)
class StampView:
    """One timestamp as the case page shows it."""

    kind: str
    is_granted: bool
    tsa_host: str | None
    gen_time: datetime | None
    attempts: int
    last_error: str | None


def list_public_keys() -> list[PublicKey]:
    """Every signing key the install has used, oldest first."""
    rows = db.session.scalars(sa.select(SigningKey).order_by(SigningKey.valid_from, SigningKey.id))
    return [
        PublicKey(
            r.key_id, fingerprint(r.public_key_pem), r.public_key_pem, r.valid_from, r.valid_until
        )
        for r in rows
    ]


def get_public_key(key_id: str) -> PublicKey | None:
    """One published key by its id."""
    return next((k for k in list_public_keys() if k.key_id == key_id), None)


def get_signed_document(*, kind: str, name: str) -> SignedDocument | None:
    """A signed document by kind and name."""
    return db.session.scalar(
        sa.select(SignedDocument).where(SignedDocument.kind == kind, SignedDocument.name == name)
    )


def stamp_sources() -> list[tuple[str, sa.Select]]:
    """Per kind of stamp: a query of (target id, hash) for every target that has a hash."""
    sources = []
    for kind, (id_column, hash_column) in SOURCES.items():
        query = sa.select(id_column, hash_column).where(hash_column.is_not(None))
        if kind == StampKind.HEADS:
            query = query.where(SignedDocument.kind == HEADS_DOCUMENT)
        sources.append((kind, query.order_by(id_column)))
    return sources


def get_token(*, kind: str, target_id: int, sha256: str) -> TimestampToken | None:
    """The granted timestamp of one hash of one target, if it has one."""
    return db.session.scalar(
        sa.select(TimestampToken).where(
            TimestampToken.kind == kind,
            TimestampToken.target_id == target_id,
            TimestampToken.sha256 == sha256,
            TimestampToken.granted_at.is_not(None),
        )
    )


def list_granted_tokens(
    targets: Iterable[tuple[str, int, str]],
) -> dict[tuple[str, int, str], TimestampToken]:
    """The granted tokens of the given (kind, target id, hash) triples."""
    wanted = set(targets)
    if not wanted:
        return {}
    rows = db.session.scalars(
        sa.select(TimestampToken).where(
            TimestampToken.granted_at.is_not(None),
            TimestampToken.target_id.in_({target for _, target, _ in wanted}),
        )
    )
    found = {(r.kind, r.target_id, r.sha256): r for r in rows}
    return {key: row for key, row in found.items() if key in wanted}


def list_stamps(kind: str, target_id: int) -> list[StampView]:
    """The timestamps of the current hashes of one screenshot ("evidence") or of one capture's
    files ("capture")."""
    kinds = CAPTURE_KINDS if kind == "capture" else (kind,)
    current = {}
    for each in kinds:
        id_column, hash_column = SOURCES[each]
        current[each] = db.session.scalar(sa.select(hash_column).where(id_column == target_id))
    rows = db.session.scalars(
        sa.select(TimestampToken).where(
            TimestampToken.kind.in_(kinds), TimestampToken.target_id == target_id
        )
    ).all()
    rows = sorted(
        (r for r in rows if current.get(r.kind) == r.sha256), key=lambda r: kinds.index(r.kind)
    )
    return [
        StampView(
            kind=r.kind,
            is_granted=r.is_granted,
            tsa_host=urlsplit(r.tsa_url).hostname if r.tsa_url else None,
            gen_time=r.gen_time,
            attempts=r.attempts,
            last_error=r.last_error,
        )
        for r in rows
    ]


def configured_urls() -> list[str]:
    """TIMESTAMP_URLS as a list (one address given as plain text counts as a list of one)."""
    urls = current_app.config.get("TIMESTAMP_URLS") or ()
    return [urls] if isinstance(urls, str) else [str(url) for url in urls]


def timestamps_enabled() -> bool:
    """Whether a Time Stamping Authority is configured."""
    return bool(configured_urls())
