"""Views of the public area."""

from portal.public import bp  # noqa: F401
