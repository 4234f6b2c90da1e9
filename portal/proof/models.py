"""Timestamp tokens, the install's signing keys (public halves only) and signed documents."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Model, UTCDateTime, utcnow


class StampKind(enum.StrEnum):
    """What a token stamps: the kind names the table, the target id the row."""

    EVIDENCE = "evidence"  # Evidence.sha256_original, the sealed original
    CAPTURE_HTML = "capture.html"  # Capture.html_sha256
    CAPTURE_SCREENSHOT = "capture.screenshot"  # Capture.screenshot_sha256
    CAPTURE_HEADERS = "capture.headers"  # Capture.headers_sha256
    HEADS = "heads"  # SignedDocument.sha256 of a day's chain heads


class TimestampToken(Model):
    """A request for a trusted timestamp of one hash and, once granted, the TSA's token.

    A row waits (no token) until a Time Stamping Authority grants it; the token fields are
    then all set at once, from a response that was checked in full, so none is ever half there.
    A row belongs to a hash as much as to its target: a target whose hash changes (a day's list
    published again) gets a new row, and the old one still stamps the old bytes.
    """

    __table_args__ = (
        sa.UniqueConstraint("kind", "target_id", "sha256", name="uq_timestamp_token_target"),
        sa.Index("ix_timestamp_token_due", "granted_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    target_id: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))  # the hash that is stamped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tsa_url: Mapped[str | None] = mapped_column(sa.String(500))
    gen_time: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the TSA's time
    serial: Mapped[str | None] = mapped_column(sa.String(64))  # the TSA's serial, in hex
    token: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # DER TimeStampToken
    tsa_root_pem: Mapped[str | None] = mapped_column(sa.Text)  # the trusted chain, root first

    @property
    def is_granted(self) -> bool:
        return self.granted_at is not None


class SigningKey(Model):
    """The public half of one of the install's Ed25519 keys and when it was in use.

    The private half lives in a file outside the database (SIGNING_KEY_FILE).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    public_key_pem: Mapped[str] = mapped_column(sa.Text)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: the current key

    @property
    def is_current(self) -> bool:
        return self.valid_until is None


class SignedDocument(Model):
    """A published document kept byte for byte with its detached signature (daily heads)."""

    __table_args__ = (sa.UniqueConstraint("kind", "name", name="uq_signed_document_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)  # Ed25519, 64 bytes
    key_id: Mapped[str] = mapped_column(sa.String(16))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
