"""Capture: link snapshots that survive deletion, liveness checks, the official-account
registry, evidence bundles and the background worker."""

from flask import Blueprint

bp = Blueprint("capture", __name__)

from portal.capture import views  # noqa: E402,F401
