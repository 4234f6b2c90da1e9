"""Registers each area's CLI commands on the app."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the command groups to `flask`."""
    from portal.reference.cli import reference_cli

    app.cli.add_command(reference_cli)
