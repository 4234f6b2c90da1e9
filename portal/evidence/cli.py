"""`flask evidence ...` commands."""

import hashlib
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from portal.db import db
from portal.evidence.bundles import verify_bundle
from portal.evidence.models import Evidence
from portal.evidence.operations import sweep
from portal.evidence.storage import StoredFileMissing, get_storage

cli = AppGroup("evidence", help="Evidence files: sweep, verify.")


@cli.command("sweep")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=None,
    help="Keep unreferenced files younger than this (default: SWEEP_GRACE_MINUTES).",
)
def sweep_command(grace_minutes: int | None) -> None:
    """Delete stored files that no evidence row points to, once older than the grace period."""
    if grace_minutes is None:
        grace_minutes = int(current_app.config["SWEEP_GRACE_MINUTES"])
    grace = timedelta(minutes=grace_minutes)
    result = sweep(older_than=grace)
    click.echo(
        f"Checked {result.scanned} files: deleted {result.deleted} unreferenced, "
        f"kept {result.kept_referenced} in use and {result.kept_young} younger than "
        f"{int(grace.total_seconds() // 60)} minutes."
    )


@cli.command("verify-files")
def verify_files_command() -> None:
    """Check that every evidence row's files exist and the clean copy matches its SHA-256."""
    storage = get_storage()
    problems = checked = 0
    for evidence in db.session.scalars(sa.select(Evidence).order_by(Evidence.id)):
        checked += 1
        for key in (evidence.original_key, evidence.thumb_key):
            if not storage.exists(key):
                problems += 1
                click.echo(f"evidence {evidence.id}: missing {key}")
        try:
            clean = storage.get(evidence.clean_key)
        except StoredFileMissing:
            problems += 1
            click.echo(f"evidence {evidence.id}: missing {evidence.clean_key}")
            continue
        if hashlib.sha256(clean).hexdigest() != evidence.sha256_clean:
            problems += 1
            click.echo(f"evidence {evidence.id}: {evidence.clean_key} does not match its SHA-256")
    click.echo(f"Checked {checked} evidence rows: {problems} problems.")
    if problems:
        raise SystemExit(1)


@cli.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
def verify_bundle_command(bundle: str) -> None:
    """Re-check every hash in an evidence bundle ZIP (exits 1 naming the first mismatch)."""
    result = verify_bundle(bundle)
    if result.problem:
        click.echo(f"FAILED: {result.problem}", err=True)
        click.echo(f"{result.checked} file(s) matched before the first problem.", err=True)
        raise SystemExit(1)
    click.echo(f"OK: all {result.checked} files match their SHA-256 in manifest.json.")
