"""Evidence files (sanitised images) and links."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class Evidence(Model):
    """One uploaded image: a sealed original, a clean copy and a thumbnail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message.id"))
    original_key: Mapped[str] = mapped_column(sa.String(200))  # sealed: officers only, audited
    clean_key: Mapped[str] = mapped_column(sa.String(200))
    thumb_key: Mapped[str] = mapped_column(sa.String(200))
    original_filename: Mapped[str] = mapped_column(sa.String(255), default="")
    original_format: Mapped[str] = mapped_column(sa.String(8))  # JPEG | PNG | WEBP | GIF
    clean_mime: Mapped[str] = mapped_column(sa.String(32))
    sha256_original: Mapped[str] = mapped_column(sa.String(64), index=True)
    sha256_clean: Mapped[str] = mapped_column(sa.String(64))
    size_original: Mapped[int] = mapped_column()
    size_clean: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    phash: Mapped[str] = mapped_column(sa.String(16), index=True)
    is_publishable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("Report", back_populates="evidence")
    message = relationship("Message", back_populates="evidence")
    unredacted_approval = relationship(
        "UnredactedApproval", back_populates="evidence", uselist=False
    )
    redactions = relationship("Redaction", back_populates="evidence", order_by="Redaction.version")

    @property
    def latest_redaction(self) -> "Redaction | None":
        """The redacted copy that counts: the newest version (None when never redacted)."""
        return self.redactions[-1] if self.redactions else None


class UnredactedApproval(Model):
    """An officer's recorded decision that an image's clean copy may be published as it is."""

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence = relationship("Evidence", back_populates="unredacted_approval")
    approved_by = relationship("User")


class Redaction(Model):
    """One redacted copy of an image: opaque boxes drawn on the clean copy, stored as a new
    file with its own hash. Each save is a new version; the clean copy is never changed."""

    __table_args__ = (sa.UniqueConstraint("evidence_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    version: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(sa.String(200))
    thumb_key: Mapped[str] = mapped_column(sa.String(200))
    mime: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    boxes: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)  # [[x, y, width, height]]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence = relationship("Evidence", back_populates="redactions")
    created_by = relationship("User")


class Link(Model):
    """One URL given as evidence, as given and in canonical form."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    url_given: Mapped[str] = mapped_column(sa.Text)
    # None when the text is not an http(s) URL: it is then kept as plain text, never linked.
    url_canonical: Mapped[str | None] = mapped_column(sa.String(2048), index=True)
    platform: Mapped[str | None] = mapped_column(sa.String(32))
    post_id: Mapped[str | None] = mapped_column(sa.String(200))
    account: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("Report", back_populates="links")
