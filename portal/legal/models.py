"""A legal regime and its clocks, and the extra days off (cuti bersama) admins enter."""

from datetime import date
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Model


class Regime(Model):
    """The law a category's reports fall under, with its clocks in days.

    A clock left empty is one the law does not set (or that nobody verified yet): it is not
    counted. Each clock counts working days or calendar days.
    """

    editable: ClassVar = (
        "name_id",
        "name_en",
        "window_days",
        "window_working_days",
        "completion_days",
        "completion_working_days",
        "decision_days",
        "decision_working_days",
        "extended_decision_days",
        "extended_decision_working_days",
        "basis",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_id: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    # From the day the resident learned of it to the last day a laporan may be filed.
    window_days: Mapped[int | None] = mapped_column()
    window_working_days: Mapped[bool] = mapped_column(default=False)
    # For the reporter to complete an incomplete laporan, from the day they are told.
    completion_days: Mapped[int | None] = mapped_column()
    completion_working_days: Mapped[bool] = mapped_column(default=False)
    # For the decision, from registration; and the longest it may take when extended.
    decision_days: Mapped[int | None] = mapped_column()
    decision_working_days: Mapped[bool] = mapped_column(default=False)
    extended_decision_days: Mapped[int | None] = mapped_column()
    extended_decision_working_days: Mapped[bool] = mapped_column(default=False)
    basis: Mapped[str] = mapped_column(sa.Text, default="")  # the articles, for officers

    def name(self, locale: str) -> str:
        """The name in the given language, Indonesian otherwise."""
        return self.name_en if locale == "en" else self.name_id

    def __repr__(self) -> str:
        return f"<Regime {self.code}>"


class DayOff(Model):
    """A day off the `holidays` package does not know: cuti bersama, a local holiday."""

    __tablename__ = "day_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    def __repr__(self) -> str:
        return f"<DayOff {self.day}>"
