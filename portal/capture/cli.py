"""`flask capture sweep`: remove capture files that no capture row points to;
`flask capture judge-walls`: find the login walls among captures made before they were
recognised."""

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from portal.capture.operations import judge_stored_captures, sweep_captures
from portal.db import unit_of_work

cli = AppGroup("capture", help="Link captures: sweep unreferenced files, judge login walls.")


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


@cli.command("judge-walls")
def judge_walls_command() -> None:
    """Mark as login walls the stored captures whose page was one."""
    with unit_of_work():
        looked, marked = judge_stored_captures(config=current_app.config)
    click.echo(f"Looked at {looked} captures: {marked} were login walls.")
