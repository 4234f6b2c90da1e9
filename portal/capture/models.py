"""Link captures, their liveness checks, the worker's job table, official accounts and the
officer-supplied platform sessions."""

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
    PRIVATE = "private"  # 401 / 403 without a login page
    CHANGED = "changed"  # reachable, but the content hash differs from the capture
    UNREACHABLE = "unreachable"  # network or server error: says nothing about the post
    LOGIN_WALL = "login_wall"  # a login or consent page came back: says nothing about the post


class CaptureState(enum.StrEnum):
    CAPTURED = "captured"
    LOGIN_WALL = "login_wall"  # the platform showed a login or consent page instead of the post
    FAILED = "failed"  # refused, unreachable or an HTTP error: see `error`


# What kind of page a wall reason means (the reasons are set by capture/walls.py).
WALL_KINDS = {"consent": "consent", "js_required": "interstitial", "placeholder": "interstitial"}


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
    state: Mapped[str] = mapped_column(sa.String(16), default=CaptureState.CAPTURED)
    wall_reason: Mapped[str | None] = mapped_column(sa.String(32))  # why it is a login wall
    wall_detail: Mapped[str | None] = mapped_column(sa.String(300))  # the marker that matched
    # The platform whose officer-supplied session the page was fetched with (its cookies were
    # sent), or None for an anonymous fetch.
    session_platform: Mapped[str | None] = mapped_column(sa.String(16))
    archive_url: Mapped[str | None] = mapped_column(sa.Text)  # the public web archive's copy
    archive_error: Mapped[str | None] = mapped_column(sa.String(300))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    checks: Mapped[list["LivenessCheck"]] = relationship(
        back_populates="capture", order_by="LivenessCheck.id"
    )

    @property
    def is_ok(self) -> bool:
        """The post itself was captured (not a login wall, not a failure)."""
        return self.state == CaptureState.CAPTURED

    @property
    def is_login_wall(self) -> bool:
        return self.state == CaptureState.LOGIN_WALL

    @property
    def wall_kind(self) -> str | None:
        """login, consent or interstitial, for a login-wall capture."""
        if not self.is_login_wall:
            return None
        return WALL_KINDS.get(self.wall_reason or "", "login")

    @property
    def manifest_fields(self) -> dict[str, Any]:
        """What an evidence manifest should say about how this capture was made."""
        return {
            "capture_state": self.state,
            "login_wall": (
                {"kind": self.wall_kind, "reason": self.wall_reason, "detail": self.wall_detail}
                if self.is_login_wall
                else None
            ),
            "captured_with_officer_session": self.session_platform is not None,
            "session_platform": self.session_platform,
            "archive_url": self.archive_url,
        }


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


class CaptureSession(Model):
    """An admin-supplied browser session for one platform (a Playwright storage state), sealed
    with AES-GCM; only the capture worker opens it, and no page ever shows it again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(sa.String(16), unique=True)
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)  # nonce + ciphertext of the JSON
    key_id: Mapped[str] = mapped_column(sa.String(16))  # which key sealed it (not the key)
    cookie_count: Mapped[int] = mapped_column()
    domains: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # the cookies' domains
    # The earliest expiry among its cookies; None when all are session cookies.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    uploaded_by = relationship("User")
