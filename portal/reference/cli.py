"""`flask reference load`: categories, regions and base teams."""

import click
from flask.cli import AppGroup

from portal.db import unit_of_work
from portal.reference.operations import load_reference_data

cli = AppGroup("reference", help="Reference data: categories, regions, teams.")


@cli.command("load")
def load_command() -> None:
    """Load or refresh the built-in categories, regions and teams (safe to repeat)."""
    with unit_of_work():
        counts = load_reference_data()
    click.echo("Reference data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
