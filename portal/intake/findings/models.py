"""What staff intake adds to a report: the channel it came by, who found it and when."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model, UTCDateTime, utcnow


class Channel(enum.StrEnum):
    CYBER_PATROL = "cyber_patrol"  # the office's own watch of social media
    FIELD = "field"  # seen by officers in the field
    WALK_IN = "walk_in"  # a resident at the office's desk
    PHONE = "phone"
    LETTER = "letter"
    TAKEN_UP = "taken_up"  # a resident's report (often anonymous) taken up as a finding


# A finding (temuan) is the office's own; walk-in, phone and letter bring a resident's report.
FINDING_CHANNELS = frozenset({Channel.CYBER_PATROL, Channel.FIELD, Channel.TAKEN_UP})
ENTRY_CHANNELS = tuple(c for c in Channel if c != Channel.TAKEN_UP)  # on the staff form


class Finding(Model):
    """One report as staff entered or took it up. Found by its report, so that it follows the
    report through merges and splits; the case is the report's."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(16), index=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))  # who found it
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))  # the officer's team
    found_on: Mapped[date] = mapped_column(sa.Date)
    # The finding's own legal window, counted from found_on (None: its regime sets none).
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("Report")
    officer = relationship("User", foreign_keys=[officer_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def is_temuan(self) -> bool:
        return self.channel in FINDING_CHANNELS
