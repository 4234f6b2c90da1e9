"""The login between its two steps: after a correct password, the signed session cookie holds
who is logging in and since when — nothing that opens a session — for a few minutes."""

import time
from dataclasses import dataclass

from flask import current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal.accounts import auth, queries
from portal.accounts.models import User
from portal.accounts.twofactor import queries as twofactor_queries

PENDING_KEY = "two_factor_pending"


@dataclass(frozen=True)
class PendingLogin:
    user: User
    next_url: str


def needs_second_step(user: User) -> bool:
    """True when the user's login needs a code after the password."""
    return twofactor_queries.is_enrolled(user)


def begin_second_step(user: User, next_url: str) -> Response:
    """Remember the half-done login on a fresh session and ask for the code."""
    auth.clear_session()
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": int(time.time()),
        "next": next_url,
    }
    return redirect(url_for("twofactor.login_code"), code=303)


def get_pending_login() -> PendingLogin | None:
    """The login waiting for its second step, unless it is too old or the account changed.

    A password change, logout everywhere or deactivation changes session_version, which
    cancels a half-done login as it ends sessions. The user row is locked when the request
    may write, so two code submissions are checked one after the other.
    """
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    age = int(time.time()) - int(data.get("at", 0))
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user = queries.get_user(int(data.get("user", 0)), for_update=request.method == "POST")
    if user is None or not user.is_active or user.session_version != data.get("version"):
        return None
    return PendingLogin(user=user, next_url=str(data.get("next") or url_for("accounts.dashboard")))


def cancel_pending_login() -> None:
    """Forget a half-done login."""
    session.pop(PENDING_KEY, None)


def finish_login(user: User, next_url: str) -> Response:
    """Start the session the two steps earned and mark this browser as the user's."""
    auth.start_session(user)  # a fresh session: the pending login goes with the old one
    response = redirect(next_url, code=303)
    auth.remember_device(response, user)
    return response
