"""`flask public ...`: the transparency aggregates and the daily chain heads."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from portal.db import unit_of_work, utcnow
from portal.extensions import cache
from portal.public.opendata.heads import publish_heads
from portal.public.tally import update_stats

cli = AppGroup("public", help="Transparency statistics and published chain heads.")


@cli.command("refresh-stats")
@click.option("--full", is_flag=True, help="Recompute from every case (after a bulk import).")
def refresh_stats_command(full: bool) -> None:
    """Bring the transparency aggregates up to date (run every few minutes)."""
    with unit_of_work():
        total = update_stats(full=full)
    cache.clear()  # every process's transparency pages show the new figures at once
    click.echo(f"Statistics up to date over {total} cases")


@cli.command("publish-heads")
@click.option("--day", help="YYYY-MM-DD (default: yesterday in the portal's time zone)")
def publish_heads_command(day: str | None) -> None:
    """Store the audit-chain heads of published cases for a day (run daily)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    wanted = date.fromisoformat(day) if day else utcnow().astimezone(zone).date() - timedelta(1)
    with unit_of_work():
        count = publish_heads(day=wanted)
    click.echo(f"Head hashes of {wanted}: {count} published cases")
