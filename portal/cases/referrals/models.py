"""Referrals: a case handed to an outside body (Bawaslu, BKN, ...) and what it answered."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class Body(enum.StrEnum):
    BAWASLU = "bawaslu"
    BKN = "bkn"
    INSPEKTORAT = "inspektorat"
    POLICE = "police"
    OMBUDSMAN = "ombudsman"
    OTHER = "other"


class ReferralStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Sanction(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Referral(Model):
    """A case (or part of it) handed to an outside body, and what that body answered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    body: Mapped[str] = mapped_column(sa.String(16), index=True)
    body_name: Mapped[str] = mapped_column(sa.String(200), default="")
    reference_number: Mapped[str] = mapped_column(sa.String(100), default="")
    referred_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default=ReferralStatus.OPEN)
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    sanction_applied: Mapped[str] = mapped_column(sa.String(8), default=Sanction.UNKNOWN)
    sanction: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case = relationship("Case")
    recorded_by = relationship("User")

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == ReferralStatus.OPEN
            and self.due_on is not None
            and self.due_on < utcnow().date()
        )
