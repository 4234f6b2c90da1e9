"""Registration numbers: each team's format and its sequence per year."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Model


class RegistrationFormat(Model):
    """How a team writes its registration numbers (registration/numbers.py explains the
    fields); a team without a row uses REGISTRATION_NUMBER_FORMAT."""

    __tablename__ = "registration_format"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), primary_key=True)
    pattern: Mapped[str] = mapped_column(sa.String(200))


class RegistrationSequence(Model):
    """The last number a team gave in a year; taken with one guarded UPDATE per number."""

    __tablename__ = "registration_sequence"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
