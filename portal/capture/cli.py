"""`flask capture sweep`: remove capture files that no capture row points to."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.capture.operations import sweep_captures

cli = AppGroup("capture", help="Link captures: sweep unreferenced files.")


@cli.command("sweep")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=60,
    help="Keep unreferenced files younger than this.",
)
def sweep_command(grace_minutes: int) -> None:
    """Delete stored capture files that no capture row points to."""
    scanned, deleted = sweep_captures(older_than=timedelta(minutes=grace_minutes))
    click.echo(f"Checked {scanned} capture files: deleted {deleted} unreferenced.")
