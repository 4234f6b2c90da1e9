"""Reads of the proof area: published keys, signed documents, the timestamps of evidence."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from portal.db import db
from portal.proof.models import SignedDocument, SigningKey, StampKind, TimestampToken
from portal.proof.signing import fingerprint

CAPTURE_KINDS = (StampKind.CAPTURE_SCREENSHOT, StampKind.CAPTURE_HTML, StampKind.CAPTURE_HEADERS)


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


def get_token(*, kind: str, target_id: int) -> TimestampToken | None:
    """The granted timestamp of one stamped hash, if it has one."""
    return db.session.scalar(
        sa.select(TimestampToken).where(
            TimestampToken.kind == kind,
            TimestampToken.target_id == target_id,
            TimestampToken.granted_at.is_not(None),
        )
    )


def list_granted_tokens(
    targets: Iterable[tuple[str, int]],
) -> dict[tuple[str, int], TimestampToken]:
    """The granted tokens of the given (kind, target id) pairs."""
    wanted = set(targets)
    if not wanted:
        return {}
    rows = db.session.scalars(
        sa.select(TimestampToken).where(
            TimestampToken.granted_at.is_not(None),
            TimestampToken.target_id.in_({target for _, target in wanted}),
        )
    )
    return {(r.kind, r.target_id): r for r in rows if (r.kind, r.target_id) in wanted}


def list_stamps(kind: str, target_id: int) -> list[StampView]:
    """The timestamps of one screenshot ("evidence") or of one capture's files ("capture")."""
    kinds = CAPTURE_KINDS if kind == "capture" else (kind,)
    rows = db.session.scalars(
        sa.select(TimestampToken).where(
            TimestampToken.kind.in_(kinds), TimestampToken.target_id == target_id
        )
    ).all()
    rows = sorted(rows, key=lambda r: kinds.index(r.kind))
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
