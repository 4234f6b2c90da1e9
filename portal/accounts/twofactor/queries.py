"""Reads of two-step sign-in: a user's credential and recovery codes, and the role policy."""

from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.models import Role, User
from portal.accounts.twofactor import totp
from portal.accounts.twofactor.models import RecoveryCode, RolePolicy, TotpCredential
from portal.db import db

# Labels of the account-history entries of two-step sign-in (shown on the user page).
EVENT_KINDS = {
    "two_factor_enabled": _l("Two-step sign-in turned on"),
    "two_factor_disabled": _l("Two-step sign-in turned off"),
    "two_factor_reset": _l("Two-step sign-in reset by an admin"),
    "recovery_codes_regenerated": _l("New recovery codes made"),
    "recovery_code_used": _l("Logged in with a recovery code"),
}


class TwoFactorStatus(TypedDict):
    enrolled_at: datetime | None
    codes_left: int
    is_required: bool
    has_credential: bool


def get_credential(user: User) -> TotpCredential | None:
    """The user's TOTP credential, enrolled or still being set up, or None."""
    return db.session.get(TotpCredential, user.id)


def is_enrolled(user: User) -> bool:
    """True when the user's login needs a second step."""
    credential = get_credential(user)
    return credential is not None and credential.is_enrolled


def get_secret(credential: TotpCredential) -> str | None:
    """The credential's secret in clear, or None when it cannot be opened (the key changed)."""
    key = totp.sealing_key(current_app.config)
    return totp.open_secret(credential.secret_sealed, key=key, user_id=credential.user_id)


def list_unused_recovery_codes(user: User) -> Sequence[RecoveryCode]:
    """The user's recovery codes that have not been used."""
    return db.session.scalars(
        sa.select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .order_by(RecoveryCode.id)
    ).all()


def count_unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def is_required(role: str) -> bool:
    """True when an admin requires two-step sign-in of this role."""
    policy = db.session.get(RolePolicy, role)
    return policy is not None and policy.is_two_factor_required


def list_role_policies() -> dict[str, RolePolicy | None]:
    """Every role with its policy row (None when never set)."""
    rows = {row.role: row for row in db.session.scalars(sa.select(RolePolicy))}
    return {role.value: rows.get(role.value) for role in Role}


def get_two_factor_status(user: User) -> TwoFactorStatus:
    """What the account pages show about a user's two-step sign-in."""
    credential = get_credential(user)
    enrolled = credential is not None and credential.is_enrolled
    return {
        "enrolled_at": credential.enrolled_at if credential else None,
        "codes_left": count_unused_recovery_codes(user) if enrolled else 0,
        "is_required": is_required(user.role),
        "has_credential": credential is not None,
    }
