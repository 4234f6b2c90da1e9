"""Writes of the accounts area. Operations flush; the caller commits."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts import queries
from portal.accounts.models import AccountEvent, Role, Team, User
from portal.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from portal.db import EditError, check_version, db, utcnow

logger = logging.getLogger(__name__)

MAX_PASSWORD_LENGTH = 256  # Argon2 takes any length; this bounds the work per request


class AccountError(EditError):
    """A refused change to an account, team or category, with a message for the user."""


def check_password_strength(password: str, *, email: str = "") -> None:
    """Refuse passwords that are too short, too long, or the email address."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(str(_l("The password must have at least %(n)s characters.", n=minimum)))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(str(_l("The password is too long.")))
    if email and password.strip().lower() == email.strip().lower():
        raise AccountError(str(_l("The password must not be your email address.")))


def record_account_event(
    user: User, kind: str, *, actor: User | None = None, **data: Any
) -> AccountEvent:
    """Append an entry to the account's history (flushes)."""
    event = AccountEvent(
        user_id=user.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        data=data,
        created_at=utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def create_user(
    *, email: str, name: str, role: str, team: Team | None, password: str, actor: User | None = None
) -> User:
    """A new active staff member."""
    email = email.strip().lower()
    if role not in tuple(Role):
        raise AccountError(str(_l("Unknown role.")))
    if role != Role.ADMIN and team is None:
        raise AccountError(str(_l("Officers and supervisors need a team.")))
    if queries.get_user_by_email(email) is not None:
        raise AccountError(str(_l("A user with this email address already exists.")))
    check_password_strength(password, email=email)
    user = User(
        email=email, name=name.strip(), role=role, team=team, password_hash=hash_password(password)
    )
    db.session.add(user)
    db.session.flush()
    record_account_event(user, "created", actor=actor, role=role, team=team.slug if team else None)
    logger.info("User %s created with role %s", user.id, role)
    return user


def end_sessions(user: User) -> None:
    """Make every session cookie of this user invalid."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def set_password(user: User, *, password: str, actor: User | None = None) -> None:
    """Give a user a new password and end their other sessions; also lifts a lock."""
    check_password_strength(password, email=user.email)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    record_account_event(user, "password_changed" if actor is user else "password_set", actor=actor)
    logger.info("Password of user %s set", user.id)


def change_password(user: User, *, current: str, new: str) -> None:
    """The user's own password change: needs the current password."""
    if not verify_password(user.password_hash, current):
        raise AccountError(str(_l("The current password is not correct.")))
    set_password(user, password=new, actor=user)


def deactivate_user(user: User, *, actor: User | None = None) -> None:
    """Stop a user from logging in; their open sessions end now."""
    _keep_an_admin(user, role=user.role, is_active=False)
    user.is_active = False
    end_sessions(user)
    record_account_event(user, "deactivated", actor=actor)
    logger.info("User %s deactivated", user.id)


def unlock_user(user: User, *, actor: User | None = None) -> None:
    """Lift a login lock and forget the failed attempts."""
    user.failed_logins = 0
    user.locked_until = None
    record_account_event(user, "unlocked", actor=actor)
    logger.info("User %s unlocked", user.id)


def update_user(
    user: User,
    *,
    version: str,
    email: str,
    name: str,
    role: str,
    team: Team | None,
    is_active: bool,
    actor: User | None = None,
) -> None:
    """An admin's edit of a user; refused when the user changed since the form was opened."""
    check_version(user, version)
    email = email.strip().lower()
    other = queries.get_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(str(_l("A user with this email address already exists.")))
    if role != Role.ADMIN and team is None:
        raise AccountError(str(_l("Officers and supervisors need a team.")))
    _keep_an_admin(user, role=role, is_active=is_active)
    before = _profile(user)
    if user.is_active and not is_active:
        end_sessions(user)
        logger.info("User %s deactivated", user.id)
    user.email, user.name, user.role = email, name.strip(), role
    user.team, user.is_active = team, is_active
    db.session.flush()
    after = _profile(user)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record_account_event(user, "changed", actor=actor, **changes)


def _profile(user: User) -> dict[str, Any]:
    """What update_user may change, in a form fit for the history."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_active": user.is_active,
        "team": user.team.slug if user.team else None,
    }


def update_profile(user: User, *, name: str) -> None:
    """What staff may change about themselves: their display name."""
    user.name = name.strip()
    db.session.flush()


def _keep_an_admin(user: User, *, role: str, is_active: bool) -> None:
    """Refuse to demote or deactivate the last active admin."""
    leaving = user.role == Role.ADMIN and user.is_active and (role != Role.ADMIN or not is_active)
    if leaving and queries.count_active_admins() <= 1:
        raise AccountError(str(_l("This is the last active admin; appoint another first.")))


# Login -----------------------------------------------------------------------------------------


def authenticate(
    *,
    email: str,
    password: str,
    now: datetime | None = None,
    is_known_device: Callable[[User], bool] = lambda user: False,
    has_second_factor: Callable[[User], bool] = lambda user: False,
) -> User | None:
    """The active, unlocked user with these credentials, or None; counts failures.

    Unknown emails, wrong passwords, locked and inactive accounts all give None after the same
    amount of hashing work, so neither the answer nor its timing tells which it was. A lock
    does not apply on a device where the user logged in before (is_known_device). For a user
    with a second factor the login is not complete yet: failures are reset only after it.
    """
    now = now or utcnow()
    user = queries.get_user_by_email(email.strip())
    if (
        user is None
        or not user.is_active
        or (is_locked(user, now=now) and not is_known_device(user))
    ):
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        record_failed_login(user, now=now)
        return None
    if has_second_factor(user):
        upgrade_password_hash(user, password)
        return user
    record_login(user, password=password, now=now)
    return user


def is_locked(user: User, *, now: datetime | None = None) -> bool:
    """True while a lock from failed logins lasts."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def record_failed_login(user: User, *, now: datetime | None = None) -> None:
    """Count a failure; from the Nth on, lock for 1, 2, 4, ... minutes (capped)."""
    now = now or utcnow()
    user.failed_logins = User.failed_logins + 1  # in SQL: concurrent failures all count
    db.session.flush()
    db.session.refresh(user, ["failed_logins"])
    over = user.failed_logins - current_app.config["LOGIN_MAX_FAILURES"]
    if over >= 0:
        minutes = min(2 ** min(over, 10), current_app.config["LOGIN_LOCK_MAX_MINUTES"])
        user.locked_until = now + timedelta(minutes=minutes)
        record_account_event(user, "locked", minutes=minutes, failures=user.failed_logins)
        logger.warning(
            "User %s locked for %s min after %s failed logins", user.id, minutes, user.failed_logins
        )
    db.session.flush()


def record_login(user: User, *, password: str | None = None, now: datetime | None = None) -> None:
    """A successful login: reset the failure count; rehash when the parameters changed."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now or utcnow()
    if password is not None:
        upgrade_password_hash(user, password)
    db.session.flush()


def upgrade_password_hash(user: User, password: str) -> None:
    """Rehash a just-verified password when the hashing parameters changed."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
        logger.info("Password hash of user %s upgraded", user.id)


# Teams and categories ---------------------------------------------------------------------------


def create_team(*, name: str, slug: str, email: str | None) -> Team:
    """A new team."""
    if queries.get_team_by_slug(slug) is not None:
        raise AccountError(str(_l("A team with this short name already exists.")))
    team = Team(name=name.strip(), slug=slug, email=email or None, is_active=True)
    db.session.add(team)
    db.session.flush()
    logger.info("Team %s created", team.id)
    return team


def update_team(
    team: Team, *, version: str, name: str, slug: str, email: str | None, is_active: bool
) -> None:
    """An admin's edit of a team; refused when it changed since the form was opened."""
    check_version(team, version)
    other = queries.get_team_by_slug(slug)
    if other is not None and other.id != team.id:
        raise AccountError(str(_l("A team with this short name already exists.")))
    team.name, team.slug, team.email, team.is_active = name.strip(), slug, email or None, is_active
    db.session.flush()
