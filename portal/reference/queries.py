"""Reads of reference data: categories and regions, for every area that lists them."""

import sqlalchemy as sa

from portal.accounts.models import Team
from portal.db import db
from portal.reference.models import Category, Region


def list_categories(*, include_inactive: bool = False) -> list[Category]:
    """Categories in display order; residents see only the active ones."""
    query = sa.select(Category).order_by(Category.sort_order, Category.id)
    if not include_inactive:
        query = query.where(Category.is_active.is_(True))
    return list(db.session.scalars(query))


def get_category(category_id: int, *, for_update: bool = False) -> Category | None:
    """A category by id (locked for the transaction when asked)."""
    return db.session.get(Category, category_id, with_for_update=for_update)


def list_regions(*, include_inactive: bool = False) -> list[Region]:
    """Cities and regencies (never the province), by name."""
    query = sa.select(Region).where(Region.kind != "province").order_by(Region.name)
    if not include_inactive:
        query = query.where(Region.is_active.is_(True))
    return list(db.session.scalars(query))


def list_teams() -> list[Team]:
    """Teams a category may route to by default, by name."""
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))
