"""Staff accounts: login, roles and administration."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/petugas")

from portal.accounts import auth  # noqa: E402,F401  (registers the user loader)

from portal.accounts import views  # noqa: E402,F401
