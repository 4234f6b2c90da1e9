"""Views of the intake area."""

from portal.intake import bp  # noqa: F401
