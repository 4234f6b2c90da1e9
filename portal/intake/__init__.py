"""Public intake: the report form, the receipt and the tracking page."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

from portal.intake import views  # noqa: E402,F401
