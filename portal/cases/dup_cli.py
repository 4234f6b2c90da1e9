"""`flask cases reindex-phash`: index evidence written without the ORM (bulk imports)."""

import click

from portal.cases.cli import cases_cli
from portal.cases.duplicates import backfill_phash_bands
from portal.db import commit


@cases_cli.command("reindex-phash")
def reindex_phash_command() -> None:
    """Add the perceptual-hash bands of evidence rows that have none (after a bulk import)."""
    count = backfill_phash_bands()
    commit()
    click.echo(f"Indexed {count} evidence rows")
