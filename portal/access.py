"""Who may call a view. Every view carries one of these marks; a test walks the URL map and
fails on any endpoint that has none (so a forgotten check cannot ship)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user

from portal.accounts.models import User
from portal.extensions import login_manager

ACCESS_ATTR = "portal_access"


def public(view: Callable) -> Callable:
    """Anyone may call this view (residents, the public, API clients)."""
    setattr(view, ACCESS_ATTR, "public")
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Logged-in staff with one of the given roles (any staff role when none are given)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, ("staff", roles))
        return wrapped

    return decorator


def staff_user() -> User:
    """The logged-in User model (call only inside a roles_required view)."""
    return current_user.user


def wants_json() -> bool:
    """True when the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
