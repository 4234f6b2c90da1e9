"""What an officer published about a case: the reviewed public text, kept apart from case work."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class PublicationState(enum.StrEnum):
    PENDING = "pending"  # waiting for a second officer or a supervisor
    PUBLISHED = "published"
    REJECTED = "rejected"  # the reviewer refused the request
    WITHDRAWN = "withdrawn"  # unpublished


class Publication(Model):
    """One request to publish a case; the latest one per case is the one that counts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=PublicationState.PENDING)
    summary: Mapped[str] = mapped_column(sa.Text)
    reported_party: Mapped[str] = mapped_column(sa.String(300), default="")
    evidence_ids: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(sa.Text)  # internal: why refused or withdrawn

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
