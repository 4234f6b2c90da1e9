"""Writes of two-step sign-in. Operations flush; the caller ends the unit of work."""

import enum
import logging
from collections.abc import Collection
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role, User
from portal.accounts.operations import (
    AccountError,
    end_sessions,
    is_locked,
    record_account_event,
    record_failed_login,
    record_login,
)
from portal.accounts.passwords import hash_password, verify_password
from portal.accounts.twofactor import queries, totp
from portal.accounts.twofactor.models import RecoveryCode, RolePolicy, TotpCredential
from portal.db import db, utcnow

logger = logging.getLogger(__name__)


class TwoFactorError(AccountError):
    """A refused step of setting up or managing two-step sign-in, with a message for the user."""


class SecondFactor(enum.StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


# Setting up and managing one's own -------------------------------------------------------------


def start_enrolment(user: User, *, now: datetime | None = None) -> TotpCredential:
    """A new secret for the user's app; it is not in force until a code from it is confirmed."""
    credential = queries.get_credential(user)
    if credential is not None and credential.is_enrolled:
        raise TwoFactorError(str(_l("Two-step sign-in is already on.")))
    if credential is None:
        credential = TotpCredential(user_id=user.id)
        db.session.add(credential)
    key = totp.sealing_key(current_app.config)
    credential.secret_sealed = totp.seal_secret(totp.new_secret(), key=key, user_id=user.id)
    credential.created_at = now or utcnow()
    credential.last_step = None
    db.session.flush()
    return credential


def confirm_enrolment(user: User, *, code: str, now: datetime | None = None) -> list[str]:
    """Put two-step sign-in in force once the app shows the right code.

    Returns the new recovery codes: the only time they exist in clear.
    """
    now = now or utcnow()
    credential = queries.get_credential(user)
    secret = queries.get_secret(credential) if credential and not credential.is_enrolled else None
    if credential is None or secret is None:
        raise TwoFactorError(str(_l("Start the set-up again.")))
    step = totp.matching_step(secret, code, now=now, after=None)
    if step is None:
        raise TwoFactorError(
            str(
                _l(
                    "That code is not right. Check that the phone sets its clock automatically, "
                    "then enter the code the app shows now."
                )
            )
        )
    credential.enrolled_at = now
    credential.last_step = step  # the code just typed cannot also open a login
    codes = _replace_recovery_codes(user, now=now)
    record_account_event(user, "two_factor_enabled", actor=user)
    logger.info("User %s turned on two-step sign-in", user.id)
    return codes


def regenerate_recovery_codes(
    user: User, *, password: str, now: datetime | None = None
) -> list[str]:
    """A new set of recovery codes; the old ones stop working. Needs the current password."""
    if not queries.is_enrolled(user):
        raise TwoFactorError(str(_l("Two-step sign-in is not on.")))
    _check_password(user, password)
    codes = _replace_recovery_codes(user, now=now or utcnow())
    record_account_event(user, "recovery_codes_regenerated", actor=user)
    logger.info("User %s made new recovery codes", user.id)
    return codes


def disable_two_factor(user: User, *, password: str) -> None:
    """Turn one's own two-step sign-in off, unless one's role requires it."""
    if queries.is_required(user.role):
        raise TwoFactorError(
            str(_l("Your role requires two-step sign-in. An admin can reset it if needed."))
        )
    if not queries.is_enrolled(user):
        raise TwoFactorError(str(_l("Two-step sign-in is not on.")))
    _check_password(user, password)
    _remove(user)
    record_account_event(user, "two_factor_disabled", actor=user)
    logger.info("User %s turned off two-step sign-in", user.id)


def reset_two_factor(user: User, *, actor: User | None = None) -> None:
    """An admin's reset (a lost phone): the secret and recovery codes go, sessions end.

    The user logs in with the password alone next time, or is asked to set it up again when
    their role requires it.
    """
    if queries.get_credential(user) is None:
        raise TwoFactorError(str(_l("This user has not set up two-step sign-in.")))
    _remove(user)
    end_sessions(user)
    record_account_event(user, "two_factor_reset", actor=actor)
    logger.info("Two-step sign-in of user %s reset", user.id)


def _check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise TwoFactorError(str(_l("The current password is not correct.")))


def _replace_recovery_codes(user: User, *, now: datetime) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        code_hash = hash_password(totp.normalise_recovery_code(code))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=code_hash, created_at=now))
    db.session.flush()
    return codes


def _remove(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.flush()


# The second step of a login ----------------------------------------------------------------------


def verify_login_code(
    user: User, *, code: str, now: datetime | None = None, is_known_device: bool = False
) -> SecondFactor | None:
    """Complete a login with a code from the app or a recovery code, or None.

    A wrong code counts as a failed login, so that guessing codes locks the account just as
    guessing passwords does; while a lock lasts nothing is accepted, except in a browser where
    the user logged in before.
    """
    now = now or utcnow()
    if not user.is_active or (is_locked(user, now=now) and not is_known_device):
        return None
    if totp.is_totp_shaped(code):
        factor = SecondFactor.TOTP if _use_totp(user, code, now=now) else None
    else:
        factor = SecondFactor.RECOVERY_CODE if _use_recovery_code(user, code, now=now) else None
    if factor is None:
        record_failed_login(user, now=now)
        return None
    record_login(user, now=now)
    if factor is SecondFactor.RECOVERY_CODE:
        left = queries.count_unused_recovery_codes(user)
        record_account_event(user, "recovery_code_used", actor=user, left=left)
        logger.info("User %s logged in with a recovery code (%s left)", user.id, left)
    return factor


def _use_totp(user: User, code: str, *, now: datetime) -> bool:
    """Accept an app code once: the stored step moves forward only if no one else moved it."""
    credential = queries.get_credential(user)
    if credential is None or not credential.is_enrolled:
        return False
    secret = queries.get_secret(credential)
    if secret is None:
        logger.error("The TOTP secret of user %s does not open: was SECRET_KEY changed?", user.id)
        return False
    step = totp.matching_step(secret, code, now=now, after=credential.last_step)
    if step is None:
        return False
    claimed = _affected(
        sa.update(TotpCredential)
        .where(
            TotpCredential.user_id == user.id,
            sa.or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step),
        )
        .values(last_step=step)
    )
    return claimed == 1


def _use_recovery_code(user: User, code: str, *, now: datetime) -> bool:
    """Accept an unused recovery code once."""
    typed = totp.normalise_recovery_code(code)
    if len(typed) != totp.RECOVERY_CODE_LENGTH or not queries.is_enrolled(user):
        return False
    for row in queries.list_unused_recovery_codes(user):
        if verify_password(row.code_hash, typed):
            claimed = _affected(
                sa.update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now)
            )
            return claimed == 1
    return False


def _affected(statement: sa.Update) -> int:
    """How many rows a conditional UPDATE changed: 0 when another request got there first."""
    return cast(sa.CursorResult, db.session.execute(statement)).rowcount


# The admins' policy ----------------------------------------------------------------------------


def set_required_roles(
    *, roles: Collection[str], actor: User | None = None, now: datetime | None = None
) -> None:
    """Require two-step sign-in of exactly these roles."""
    now = now or utcnow()
    policies = queries.list_role_policies()
    for role in Role:
        wanted = role.value in roles
        policy = policies[role.value]
        if policy is None:
            policy = RolePolicy(role=role.value, is_two_factor_required=False)
            db.session.add(policy)
        if policy.is_two_factor_required != wanted:
            policy.is_two_factor_required = wanted
            policy.updated_at = now
            policy.updated_by_id = actor.id if actor else None
            state = "required" if wanted else "optional"
            logger.info("Two-step sign-in %s for role %s", state, role)
    db.session.flush()
