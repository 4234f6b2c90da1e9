"""Case work: triage, workflow, assignment, deadlines and history."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/petugas/kasus")

from portal.cases import duplicate_views, publishing_views, views  # noqa: E402,F401
