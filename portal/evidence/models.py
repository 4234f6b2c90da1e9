"""Evidence files (sanitised images) and links."""

from datetime import datetime

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
