"""Reference data: regions and complaint categories."""

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Model


class Region(Model):
    """A province, city (kota) or regency (kabupaten); codes follow BPS/Kemendagri."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16))  # province | city | regency
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Region | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Category(Model):
    """A kind of complaint, with its deadline and extra questions (Open311: a service)."""

    editable: ClassVar = (
        "name_id",
        "name_en",
        "description_id",
        "description_en",
        "example_id",
        "example_en",
        "group",
        "deadline_days",
        "deadline_working_days",
        "regime_id",
        "default_team_id",
        "is_active",
        "questions",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The heading residents find it under (reference.groups: election | neutrality | service).
    group: Mapped[str] = mapped_column(sa.String(32))
    name_id: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    description_id: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    example_id: Mapped[str] = mapped_column(sa.Text, default="")
    example_en: Mapped[str] = mapped_column(sa.Text, default="")
    deadline_days: Mapped[int] = mapped_column(default=14)
    deadline_working_days: Mapped[bool] = mapped_column(default=False)
    # The law its reports fall under (Pemilu, Pilkada); none: no legal window.
    regime_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regime.id"))
    # Extra questions as data: [{"code", "type": text|select, "label_id", "label_en",
    #  "required": bool, "choices": [{"value", "label_id", "label_en"}]}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    default_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    default_team = relationship("Team")
    regime = relationship("Regime")

    def name(self, locale: str) -> str:
        """The name in the given language, Indonesian otherwise."""
        return self.name_en if locale == "en" else self.name_id

    def description(self, locale: str) -> str:
        """The description in the given language, Indonesian otherwise."""
        return self.description_en if locale == "en" else self.description_id

    def example(self, locale: str) -> str:
        """The example in the given language, Indonesian otherwise."""
        return self.example_en if locale == "en" else self.example_id

    def __repr__(self) -> str:
        return f"<Category {self.code}>"
