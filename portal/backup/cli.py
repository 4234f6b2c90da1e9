"""`flask backup create|verify|restore DIR`."""

import hashlib
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup

from portal.backup.manifest import MANIFEST, BackupError, Manifest
from portal.backup.operations import create_backup, restore_backup
from portal.backup.queries import verify_backup

cli = AppGroup("backup", help="Backups of the database and every stored file.")
FOLDER = click.Path(file_okay=False, path_type=Path)


def _fail(message: str) -> NoReturn:
    click.echo(f"FAILED: {message}", err=True)
    sys.exit(1)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _describe(manifest: Manifest, folder: Path) -> None:
    digest = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    click.echo(
        f"  made {manifest.created_at} by portal {manifest.portal_version}, "
        f"schema revision {manifest.schema_revision or 'none'}"
    )
    click.echo(
        f"  {manifest.database.dialect} database {_mib(manifest.database.size)}, "
        f"{len(manifest.files)} files {_mib(manifest.total_bytes - manifest.database.size)}"
    )
    click.echo(f"  {MANIFEST} SHA-256 {digest}")
    if manifest.missing_at_backup:
        click.echo(
            f"  WARNING: {len(manifest.missing_at_backup)} files the database refers to were "
            f"already missing from the storage, e.g. {manifest.missing_at_backup[0]}"
        )


@cli.command("create")
@click.argument("folder", type=FOLDER)
def create_command(folder: Path) -> None:
    """Back up the database and every stored file into FOLDER (new or empty)."""
    try:
        manifest = create_backup(folder)
    except BackupError as err:
        _fail(str(err))
    click.echo(f"OK: backup written to {folder}")
    _describe(manifest, folder)


@cli.command("verify")
@click.argument("folder", type=FOLDER)
def verify_command(folder: Path) -> None:
    """Check every file of a backup against its manifest (exit 1 naming the first problem)."""
    check = verify_backup(folder)
    if check.problem is not None or check.manifest is None:
        _fail(str(check.problem))
    click.echo(f"OK: {folder} is complete and every SHA-256 matches")
    _describe(check.manifest, folder)


@cli.command("restore")
@click.argument("folder", type=FOLDER)
@click.option("--force", is_flag=True, help="Replace a database that already holds reports.")
def restore_command(folder: Path, force: bool) -> None:
    """Restore a backup into this (empty) portal: its files into the storage, then its database."""
    try:
        result = restore_backup(folder, force=force)
    except BackupError as err:
        _fail(str(err))
    click.echo(f"OK: restored the database and {result.files} files ({_mib(result.bytes)})")
    if result.needs_upgrade:
        click.echo("The backup's schema is older than this code: run `flask db upgrade` next.")
    click.echo(
        "Check it with `flask audit verify`. Tracking codes work only with the SECRET_KEY "
        "(or TRACKING_KEY) of the portal that made the backup."
    )
