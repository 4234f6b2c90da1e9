"""Link captures, their liveness checks, the worker's job table and official accounts."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class JobKind(enum.StrEnum):
    CAPTURE = "capture"  # target: a canonical URL
    LIVENESS = "liveness"  # target: a capture id


class JobState(enum.StrEnum):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"  # gave up after WORKER_MAX_ATTEMPTS


class Liveness(enum.StrEnum):
    LIVE = "live"
    REMOVED = "removed"  # 404 / 410
    PRIVATE = "private"  # 401 / 403, or sent to a login page
    CHANGED = "changed"  # reachable, but the content hash differs from the capture
    UNREACHABLE = "unreachable"  # network or server error: says nothing about the post


class Job(Model):
    """One unit of background work; claimed with a lease so a dead worker's job comes back."""

    __table_args__ = (
        sa.UniqueConstraint("kind", "target", name="uq_job_kind_target"),
        sa.Index("ix_job_due", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    target: Mapped[str] = mapped_column(sa.String(2048))
    state: Mapped[str] = mapped_column(sa.String(16), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(sa.String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Capture(Model):
    """The snapshot of one canonical URL, shared by every link that points there."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url_canonical: Mapped[str] = mapped_column(sa.String(2048), unique=True)
    final_url: Mapped[str | None] = mapped_column(sa.Text)
    status_code: Mapped[int | None] = mapped_column()
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.String(32))  # why the fetch failed, if it did
    error_detail: Mapped[str | None] = mapped_column(sa.String(300))
    html_key: Mapped[str | None] = mapped_column(sa.String(200))
    html_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    html_size: Mapped[int | None] = mapped_column()
    is_truncated: Mapped[bool] = mapped_column(default=False)
    headers_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    screenshot_key: Mapped[str | None] = mapped_column(sa.String(200))
    screenshot_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    screenshot_size: Mapped[int | None] = mapped_column()
    screenshot_note: Mapped[str | None] = mapped_column(sa.String(300))
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # the body, for liveness
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    liveness: Mapped[str | None] = mapped_column(sa.String(16))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first seen gone

    checks: Mapped[list["LivenessCheck"]] = relationship(
        back_populates="capture", order_by="LivenessCheck.id"
    )

    @property
    def is_ok(self) -> bool:
        return self.error is None


class LivenessCheck(Model):
    """One re-check of a captured URL: what came back and what it means."""

    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[int] = mapped_column(sa.ForeignKey("capture.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.String(32))
    final_url: Mapped[str | None] = mapped_column(sa.Text)
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16))
    is_change: Mapped[bool] = mapped_column(default=False)  # the state differs from before

    capture: Mapped[Capture] = relationship(back_populates="checks")


class OfficialAccount(Model):
    """A government agency's account on a platform; reports naming it are flagged."""

    __table_args__ = (sa.UniqueConstraint("platform", "handle", name="uq_official_account_handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(sa.String(32))
    handle: Mapped[str] = mapped_column(sa.String(200), index=True)  # lowercase, no "@"
    agency: Mapped[str] = mapped_column(sa.String(300))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region = relationship("Region")


class OfficialMatch(Model):
    """A case found to name an official account (once per pair: flagging is idempotent)."""

    __table_args__ = (sa.UniqueConstraint("case_id", "account_id", name="uq_official_match_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("official_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[OfficialAccount] = relationship()
