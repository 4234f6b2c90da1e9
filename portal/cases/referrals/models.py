"""Referrals: a case handed to an outside body (Bawaslu, BKN, ...) and what it answered, and
the civil servant a case is about, for BKN."""

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


class ReportedCivilServant(Model):
    """The civil servant (ASN) a case is about, as an officer entered it for BKN: personal
    data, shown only to staff and put only in the case's evidence bundle."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    nip: Mapped[str] = mapped_column(sa.String(18), default="")  # 18 digits, or empty
    nik: Mapped[str] = mapped_column(sa.String(16), default="")  # 16 digits, or empty
    agency: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    chronology: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case = relationship("Case")
    updated_by = relationship("User")
