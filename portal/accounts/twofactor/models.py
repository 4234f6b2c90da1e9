"""Models of two-step sign-in: a user's TOTP secret, their recovery codes, and which roles
must use it."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Model, UTCDateTime, utcnow


class TotpCredential(Model):
    """A staff member's authenticator-app secret; in force once enrolled_at is set.

    The secret is stored encrypted (see totp.seal_secret): a copy of the database alone does
    not yield codes. last_step is the RFC 6238 time step of the last code accepted, so that
    neither that code nor an earlier one is accepted again.
    """

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    secret_sealed: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    @property
    def is_enrolled(self) -> bool:
        return self.enrolled_at is not None


class RecoveryCode(Model):
    """One single-use recovery code, kept only as an Argon2id hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RolePolicy(Model):
    """An admin's setting for one role: must its members use two-step sign-in?"""

    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    is_two_factor_required: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
