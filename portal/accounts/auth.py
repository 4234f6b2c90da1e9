"""Flask-Login wiring: a session is valid only while its user's session_version matches."""

from flask_login import UserMixin

from portal.accounts.models import User
from portal.db import db
from portal.extensions import login_manager


class SessionUser(UserMixin):
    """The logged-in staff member, as Flask-Login sees them."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"


@login_manager.user_loader
def load_user(session_id: str) -> SessionUser | None:
    """Refuse cookies of deactivated users and of sessions ended by logout or password change."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return SessionUser(user)


def stamp_session(session) -> None:  # noqa: ANN001
    """Mark the start of a staff session (for idle and absolute timeouts)."""
    import time

    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now
