"""Views of the evidence area."""

from portal.evidence import bp  # noqa: F401
