"""Notifications: the outbox and the emails it sends."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from portal.notify import views  # noqa: E402,F401
