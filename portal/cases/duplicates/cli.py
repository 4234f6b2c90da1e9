"""`flask duplicates reindex-phash`: index evidence written without the ORM (bulk imports)."""

import click
from flask.cli import AppGroup

from portal.cases.duplicates.queries import backfill_phash_bands
from portal.db import unit_of_work

cli = AppGroup("duplicates", help="Duplicate detection: the perceptual-hash index.")


@cli.command("reindex-phash")
def reindex_phash_command() -> None:
    """Add the perceptual-hash bands of evidence rows that have none (after a bulk import)."""
    with unit_of_work():
        count = backfill_phash_bands()
    click.echo(f"Indexed {count} evidence rows")
