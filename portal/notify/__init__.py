"""Notifications: the outbox and the emails it sends."""

from flask import Blueprint

bp = Blueprint("notify", __name__)
