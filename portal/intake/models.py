"""Reports: one resident's submission."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class ContactVisibility(enum.StrEnum):
    ANONYMOUS = "anonymous"  # no contact kept at all
    CONFIDENTIAL = "confidential"  # contact visible to officers only
    NAMED = "named"  # name may be shown with the report


class Report(Model):
    """One resident's submission; belongs to exactly one case."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    tracking_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # HMAC of the form's one-time key, the submitting session's secret and the content
    # (intake/idempotency.py): finds a double submission of that form, and nothing else.
    idempotency_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # After this the hash and the seal open nothing; a later submission clears them.
    idempotency_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The tracking code XOR a pad derived from the form key and the session secret, which
    # only the submitting browser holds: shows that browser the same receipt again.
    receipt_seal: Mapped[str | None] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(16), default="web")  # web | open311
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    reported_party: Mapped[str] = mapped_column(sa.String(300), default="")
    reported_account: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    platform: Mapped[str | None] = mapped_column(sa.String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    incident_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    learned_on: Mapped[date | None] = mapped_column(sa.Date)
    # The end (local midnight, in UTC) of the last day its regime allowed for a laporan.
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(sa.Text)
    visibility: Mapped[str] = mapped_column(sa.String(16), default=ContactVisibility.ANONYMOUS)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(8), default="id")
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # "B": the reporter's label in its current case, given once per case (cases/labels.py).
    label: Mapped[str | None] = mapped_column(sa.String(8))
    # The privacy notice the resident was shown with the form (privacy/policy.notice_version).
    notice_version: Mapped[str | None] = mapped_column(sa.String(32))

    case = relationship("Case", back_populates="reports")
    category = relationship("Category")
    region = relationship("Region")
    evidence = relationship("Evidence", back_populates="report", order_by="Evidence.id")
    links = relationship("Link", back_populates="report", order_by="Link.id")
    messages = relationship("Message", back_populates="report", order_by="Message.id")


class HeldUpload(Model):
    """An image a resident sent with a form that is not filed yet (intake/uploads.py).

    Bound to the form's one-time key and the browser session that rendered it (`owner_hash`),
    so no other session can see or claim it. While `received < size` its bytes are chunks in
    `parts`; once complete it is an accepted, cleaned image (the same three files an Evidence
    row points to), which a filed report claims. Expired rows are removed by the worker.
    """

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, not guessable
    owner_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    size: Mapped[int] = mapped_column()  # the whole file, as announced
    received: Mapped[int] = mapped_column(default=0)
    parts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # chunk keys, in order
    # Set once the bytes passed the image checks: what the Evidence row will record.
    original_key: Mapped[str | None] = mapped_column(sa.String(200))
    clean_key: Mapped[str | None] = mapped_column(sa.String(200))
    thumb_key: Mapped[str | None] = mapped_column(sa.String(200))
    image: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    @property
    def is_complete(self) -> bool:
        return self.original_key is not None
