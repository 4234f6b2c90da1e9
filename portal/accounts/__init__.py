"""Staff accounts: login, roles and administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/petugas")

from portal.accounts import auth  # noqa: E402  (registers the user loader)

bp.before_app_request(auth.enforce_timeouts)
bp.after_app_request(auth.forbid_caching)

from portal.accounts import admin_views, catalogue_views, views  # noqa: E402,F401
