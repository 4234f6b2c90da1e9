"""Officer views of the cases area."""

from portal.cases import bp  # noqa: F401
