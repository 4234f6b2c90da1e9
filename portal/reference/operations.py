"""Writes of reference data: idempotent loading keyed by code, and admins' category edits."""

import logging
from typing import Any, TypeVar

import sqlalchemy as sa

from portal.accounts.models import Team
from portal.db import check_version, db
from portal.legal.operations import load_regimes
from portal.reference import data
from portal.reference.models import Category, Region

M = TypeVar("M", Team, Region, Category)

logger = logging.getLogger(__name__)

CATEGORY_FIELDS = (
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
    "is_active",
    "questions",
)

FILLED_IF_BLANK = ("description_id", "description_en", "example_id", "example_en")


def load_reference_data() -> dict[str, int]:
    """Upsert the teams, regions and categories in reference.data; return counts touched."""
    teams = {t["slug"]: _upsert(Team, "slug", t) for t in data.TEAMS}
    regimes = load_regimes()
    province = _upsert(
        Region, "code", {"code": data.PROVINCE[0], "name": data.PROVINCE[1], "kind": "province"}
    )
    db.session.flush()
    for code, name, kind in data.REGIONS:
        _upsert(
            Region, "code", {"code": code, "name": name, "kind": kind, "parent_id": province.id}
        )
    for order, spec in enumerate(data.CATEGORIES):
        values = {k: v for k, v in spec.items() if k not in ("default_team", "regime")}
        values["sort_order"] = order
        is_new = _find(Category, "code", spec["code"]) is None
        category = _upsert(Category, "code", values, update=False)
        _fill_blanks(category, values)
        if is_new and spec.get("regime"):
            category.regime = regimes[spec["regime"]]
        if category.default_team_id is None:
            category.default_team = teams[spec["default_team"]]
    db.session.flush()
    return {
        "teams": len(teams),
        "regions": len(data.REGIONS) + 1,
        "categories": len(data.CATEGORIES),
        "regimes": len(regimes),
    }


def _upsert(model: type[M], key: str, values: dict[str, Any], update: bool = True) -> M:
    """Insert a row by its natural key, or (when update) bring an existing one up to date.

    Categories are not overwritten once they exist: admins may have edited them.
    """
    row = _find(model, key, values[key])
    if row is None:
        row = model(**values)
        db.session.add(row)
    elif update:
        for name, value in values.items():
            setattr(row, name, value)
    return row


def _fill_blanks(category: Category, values: dict[str, Any]) -> None:
    """Texts an existing category lacks (examples came later) from the shipped data; what an
    admin wrote is kept."""
    for name in FILLED_IF_BLANK:
        if not getattr(category, name) and values.get(name):
            setattr(category, name, values[name])


def _find(model: type[M], key: str, value: Any) -> M | None:
    return db.session.scalar(sa.select(model).where(getattr(model, key) == value))


def update_category(
    category: Category, *, version: str, default_team: Team | None, **values: Any
) -> None:
    """An admin's edit of a category; refused when it changed since the form was opened."""
    check_version(category, version)
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in values.items():
        setattr(category, name, value)
    category.default_team = default_team
    db.session.flush()
    logger.info("Category %s updated", category.id)
