"""Flask-Login wiring: a session is valid only while its user's session_version matches, and
only until it has been idle, or open, for too long."""

import hashlib
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, request, session
from flask.sessions import SessionMixin
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.accounts.twofactor.models import RolePolicy
from portal.db import db
from portal.extensions import login_manager
from portal.i18n import SESSION_KEY as LANGUAGE_KEY

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # the lazy message, in the language of the request


class SessionUser(UserMixin):
    """The logged-in staff member, as Flask-Login sees them, with whether their role requires
    two-step sign-in when it was read with them (None: not read)."""

    def __init__(self, user: User, two_factor_required: bool | None = None) -> None:
        self.user = user
        self.two_factor_required = two_factor_required

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"


# The user and their role's two-step policy, in the one statement every staff request makes.
_USER_WITH_POLICY = (
    sa.select(User, RolePolicy.is_two_factor_required)
    .outerjoin(RolePolicy, RolePolicy.role == User.role)
    .where(User.id == sa.bindparam("user_id"))
)


@login_manager.user_loader
def load_user(session_id: str) -> SessionUser | None:
    """Refuse cookies of deactivated users and of sessions ended by logout or password change."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    row = db.session.execute(_USER_WITH_POLICY, {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, required = row
    if not user.is_active or user.session_version != int(version):
        return None
    return SessionUser(user, two_factor_required=bool(required))


def stamp_session(session: SessionMixin) -> None:
    """Mark the start of a staff session (for idle and absolute timeouts)."""
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


def start_session(user: User) -> None:
    """Log a user in on a fresh session (against fixation), keeping the chosen language."""
    clear_session()
    login_user(SessionUser(user))
    stamp_session(session)


def refresh_session(user: User) -> None:
    """Carry this browser's session over to the user's new session_version."""
    login_user(SessionUser(user))


def end_session() -> None:
    """Log out in this browser and forget everything but the language."""
    logout_user()
    clear_session()


def clear_session() -> None:
    """Empty the session cookie except for the visitor's language."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def is_expired(now: int) -> bool:
    """True when this staff session was idle too long or has lasted too long."""
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    return (
        now - seen_at > config["STAFF_IDLE_MINUTES"] * 60
        or now - login_at > config["STAFF_MAX_HOURS"] * 3600
    )


def forbid_caching(response: Response) -> Response:
    """Staff pages stay out of browser and proxy caches (shared computers, the back button)."""
    if request.path.startswith("/petugas/"):
        response.headers["Cache-Control"] = "no-store"
    return response


# Activity is noted to the minute (the idle time runs from the last noted moment): noting it
# on every request would re-sign the session cookie on every page.
ACTIVITY_STEP = 60


def enforce_timeouts() -> None:
    """Before each request: end an expired staff session, otherwise note the activity."""
    if "_user_id" not in session or request.endpoint == "static":
        return
    now = int(time.time())
    if is_expired(now):
        end_session()
        flash(_("Your session has ended. Please log in again."), "info")
        return
    if now - session["seen_at"] >= ACTIVITY_STEP:
        session["seen_at"] = now


# Known devices: a browser where a user once logged in may still try while their account is
# locked, so that a stranger's failed guesses cannot keep the real user out (OWASP's "device
# cookie"). The per-client rate limit still applies. A password change retires the cookie.
DEVICE_COOKIE = "staff_device"
DEVICE_LIFETIME = timedelta(days=90)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-device")


def _password_tag(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one where the user has logged in."""
    token = _device_serializer().dumps({"u": user.id, "p": _password_tag(user)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        path="/petugas/",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def is_known_device(user: User) -> bool:
    """True when this request comes from a browser where the user logged in before."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return False
    try:
        data = _device_serializer().loads(token, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except BadSignature:
        return False
    return data == {"u": user.id, "p": _password_tag(user)}
