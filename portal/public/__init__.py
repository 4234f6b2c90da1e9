"""What the public sees: transparency, open data and Open311."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import admin_views, cli, data_views, views  # noqa: E402,F401
from portal.public.open311 import bp as open311_bp  # noqa: E402

bp.register_blueprint(open311_bp)
