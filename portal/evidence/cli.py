"""`flask evidence ...` commands."""

import hashlib
import json
from datetime import datetime, timedelta
from typing import IO

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from portal.db import db
from portal.evidence.bundles import TrustedKey, verify_bundle
from portal.evidence.models import Evidence, Redaction
from portal.evidence.operations import sweep
from portal.evidence.storage import Storage, StoredFileMissing, get_storage
from portal.proof.queries import list_public_keys

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
    for redaction in db.session.scalars(sa.select(Redaction).order_by(Redaction.id)):
        problems += _check_redaction(storage, redaction)
    click.echo(f"Checked {checked} evidence rows: {problems} problems.")
    if problems:
        raise SystemExit(1)


def _check_redaction(storage: Storage, redaction: Redaction) -> int:
    """Problems of one redacted copy: a missing file or a copy that does not match its hash."""
    name = f"evidence {redaction.evidence_id}, redaction {redaction.version}"
    if not storage.exists(redaction.thumb_key):
        click.echo(f"{name}: missing {redaction.thumb_key}")
        return 1
    try:
        data = storage.get(redaction.key)
    except StoredFileMissing:
        click.echo(f"{name}: missing {redaction.key}")
        return 1
    if hashlib.sha256(data).hexdigest() != redaction.sha256:
        click.echo(f"{name}: {redaction.key} does not match its SHA-256")
        return 1
    return 0


@cli.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--keys",
    "keys_file",
    type=click.File("rb"),
    help="The portal's published keys (kunci.json from /data); default: this install's keys.",
)
def verify_bundle_command(bundle: str, keys_file: IO[bytes] | None) -> None:
    """Check an evidence bundle ZIP: signature, hashes, checksums and timestamp tokens (exits 1
    naming the file and the check that failed)."""
    result = verify_bundle(bundle, trusted_keys=_trusted_keys(keys_file))
    if result.problem:
        click.echo(f"FAILED: {result.problem}", err=True)
        click.echo(f"{result.checked} file(s) matched before the first problem.", err=True)
        raise SystemExit(1)
    click.echo(f"OK: manifest.json is signed by the portal's key {result.key_id}.")
    click.echo(
        f"OK: all {result.checked} files match their SHA-256 in manifest.json and SHA256SUMS."
    )
    for path, tsa, when in result.timestamps:
        click.echo(f"OK: {path} timestamped by {tsa} at {when}.")
    if not result.timestamps:
        click.echo("No timestamp tokens in this bundle.")


def _trusted_keys(keys_file: IO[bytes] | None) -> list[TrustedKey]:
    """The published keys: from a kunci.json file, or this install's database."""
    if keys_file is None:
        return [TrustedKey(k.fingerprint, k.valid_from, k.valid_until) for k in list_public_keys()]
    try:
        listed = json.load(keys_file)["keys"]
        return [
            TrustedKey(
                k["fingerprint_sha256"],
                datetime.fromisoformat(k["valid_from"]),
                datetime.fromisoformat(k["valid_until"]) if k.get("valid_until") else None,
            )
            for k in listed
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise click.BadParameter(
            f"not a kunci.json key list ({err})", param_hint="--keys"
        ) from None
