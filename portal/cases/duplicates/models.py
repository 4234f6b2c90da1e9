"""Models of duplicate handling: perceptual-hash bands and duplicate decisions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow
from portal.intake.models import Report

BANDS = 4  # a 64-bit phash split into four 16-bit bands


class PhashBand(Model):
    """One 16-bit band of an evidence's perceptual hash, keyed as band << 16 | value.

    Lets near-duplicate candidates be found by indexed equality (multi-index hashing); the
    whole hash is repeated here so that the lookup index covers the query."""

    __table_args__ = (sa.Index("ix_phash_band_lookup", "band_key", "evidence_id", "phash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
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


class DuplicateDecision(Model):
    """An officer's answer to a duplicate suggestion; the pair is stored lower id first."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_a_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    case_b_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
