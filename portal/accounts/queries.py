"""Reads of the accounts area: users, teams and account history."""

from collections.abc import Sequence

import sqlalchemy as sa

from portal.accounts.models import AccountEvent, Role, Team, User
from portal.db import db


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
    return (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN, User.is_active)
        )
        or 0
    )


def get_team(team_id: int, *, for_update: bool = False) -> Team | None:
    """A team by id."""
    return db.session.get(Team, team_id, with_for_update=for_update)


def get_team_by_slug(slug: str) -> Team | None:
    """A team by its slug, or None."""
    return db.session.scalar(sa.select(Team).where(Team.slug == slug))


def list_teams() -> Sequence[Team]:
    """All teams, sorted by name."""
    return db.session.scalars(sa.select(Team).order_by(Team.name)).all()


def list_account_events(user: User, *, limit: int = 30) -> Sequence[AccountEvent]:
    """The latest entries of a user's account history, newest first."""
    return db.session.scalars(
        sa.select(AccountEvent)
        .where(AccountEvent.user_id == user.id)
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
        .limit(limit)
    ).all()
