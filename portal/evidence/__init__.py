"""Evidence: the image and link pipeline, storage backends and guarded downloads."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)

from portal.evidence import views  # noqa: E402,F401
