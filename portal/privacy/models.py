"""Legal holds, retention runs, and stored files waiting to be removed after an erasure."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class LegalHold(Model):
    """A case whose data must not be erased (a court, an investigation), with the reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    placed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case = relationship("Case")
    placed_by = relationship("User", foreign_keys=[placed_by_id])

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RetentionRun(Model):
    """One run of the retention schedule; `finished_at` stays empty when it was interrupted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    files_removed: Mapped[int] = mapped_column(default=0)
    # What the run did, one line per item: {"kind", "case", "report_id", "outcome", "reason"}.
    summary: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)


class PendingFileRemoval(Model):
    """A stored file an erasure committed to remove: written in the erasure's own unit of work
    and removed from storage after it commits, so a run killed in between finishes next time."""

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
