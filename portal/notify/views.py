"""Views of the notify area."""

from portal.notify import bp  # noqa: F401
