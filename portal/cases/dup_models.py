"""Models of duplicate handling and referrals: phash bands, duplicate decisions, referrals."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, db, utcnow
from portal.intake.models import Report

BANDS = 4  # a 64-bit phash split into four 16-bit bands


class PhashBand(db.Model):
    """One 16-bit band of an evidence's perceptual hash, keyed as band << 16 | value.

    Lets near-duplicate candidates be found by indexed equality (multi-index hashing); the
    whole hash is repeated here so that the lookup index covers the query."""

    __table_args__ = (sa.Index("ix_phash_band_lookup", "band_key", "evidence_id", "phash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id", ondelete="CASCADE"),
                                             index=True)
    band_key: Mapped[int] = mapped_column()
    phash: Mapped[str] = mapped_column(sa.String(16))

    evidence = relationship("Evidence")


def band_keys(phash: str) -> list[int]:
    """The four band keys of a 16-hex-digit perceptual hash."""
    value = int(phash, 16)
    return [(band << 16) | ((value >> (16 * band)) & 0xFFFF) for band in range(BANDS)]


# Reported accounts are compared as lower-case without a leading "@"; an expression index
# keeps the account-window lookup indexed on both SQLite and PostgreSQL. The "@" must be a
# literal, not a bound parameter, or the planners do not match the query to the index.
def normalised_account_expr() -> sa.ColumnElement[str]:
    """SQL for the normalised reported account of a report."""
    return sa.func.lower(sa.func.ltrim(Report.reported_account, sa.literal_column("'@'")))


sa.Index("ix_report_account_norm", normalised_account_expr())


class Decision(enum.StrEnum):
    REJECTED = "rejected"  # officers said: not the same matter
    MERGED = "merged"


class DuplicateDecision(db.Model):
    """An officer's answer to a duplicate suggestion; the pair is stored lower id first."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_a_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    case_b_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class Referral(db.Model):
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
        return (self.status == ReferralStatus.OPEN and self.due_on is not None
                and self.due_on < utcnow().date())
