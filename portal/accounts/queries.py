"""Reads of the accounts area: users, teams and categories for the admin pages."""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import AccountEvent, Role, Team, User
from portal.db import db
from portal.reference.models import Category

# What an admin edits on each kind of row; a change to any of them makes an open form stale.
EDITABLE = {
    User: ("email", "name", "role", "team_id", "is_active"),
    Team: ("name", "slug", "email", "is_active"),
    Category: ("name_id", "name_en", "description_id", "description_en", "deadline_days",
               "deadline_working_days", "reporting_window_days", "default_team_id", "is_active",
               "questions"),
}


def edit_version(row: Any) -> str:
    """A short digest of a row's editable values, carried by its form to detect stale saves."""
    values = {name: getattr(row, name) for name in EDITABLE[type(row)]}
    body = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:20]


def get_user_by_email(email: str) -> User | None:
    """The user with this email address (case-insensitive), or None."""
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def get_user(user_id: int, *, for_update: bool = False) -> User | None:
    """A user by id; for_update locks the row for the rest of the transaction."""
    return db.session.get(User, user_id, with_for_update=for_update)


def list_users(*, team: Team | None = None) -> Sequence[User]:
    """Users sorted by name; only one team's when a team is given."""
    query = sa.select(User).order_by(User.is_active.desc(), User.name)
    if team is not None:
        query = query.where(User.team_id == team.id)
    return db.session.scalars(query).all()


def count_active_admins() -> int:
    """How many active admins there are."""
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN, User.is_active)
    ) or 0


def get_team(team_id: int, *, for_update: bool = False) -> Team | None:
    """A team by id."""
    return db.session.get(Team, team_id, with_for_update=for_update)


def get_team_by_slug(slug: str) -> Team | None:
    """A team by its slug, or None."""
    return db.session.scalar(sa.select(Team).where(Team.slug == slug))


def list_teams() -> Sequence[Team]:
    """All teams, sorted by name."""
    return db.session.scalars(sa.select(Team).order_by(Team.name)).all()


def list_categories() -> Sequence[Category]:
    """All categories in their display order."""
    return db.session.scalars(sa.select(Category).order_by(Category.sort_order, Category.id)).all()


def get_category(category_id: int, *, for_update: bool = False) -> Category | None:
    """A category by id."""
    return db.session.get(Category, category_id, with_for_update=for_update)


def list_account_events(user: User, *, limit: int = 30) -> Sequence[AccountEvent]:
    """The latest entries of a user's account history, newest first."""
    return db.session.scalars(
        sa.select(AccountEvent).where(AccountEvent.user_id == user.id)
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc()).limit(limit)
    ).all()
