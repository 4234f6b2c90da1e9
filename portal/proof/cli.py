"""`flask keys ...`: the install's Ed25519 signing keys."""

import click
from flask.cli import AppGroup

from portal.db import unit_of_work
from portal.proof.operations import current_signer, rotate_key
from portal.proof.queries import list_public_keys
from portal.proof.signing import SigningKeyError, key_path

cli = AppGroup("keys", help="The signing keys of manifests and daily chain heads.")


@cli.command("rotate")
def rotate_command() -> None:
    """Replace the signing key; the old public key stays published with its validity period."""
    try:
        with unit_of_work():
            key = rotate_key()
    except SigningKeyError as err:
        raise click.ClickException(str(err)) from None
    since = key.valid_from.isoformat()
    click.echo(f"New signing key {key.key_id} in {key_path()}, in use from {since}.")
    click.echo("Copy the key file to every server that exports bundles or signs heads.")


@cli.command("list")
def list_command() -> None:
    """Every key the install has signed with, and when each was in use."""
    keys = list_public_keys()
    for key in keys:
        until = key.valid_until.isoformat() if key.valid_until else "current"
        click.echo(f"{key.key_id}  {key.valid_from.isoformat()} .. {until}  {key.fingerprint}")
    if not keys:
        click.echo("No signing key yet: one is made when something is first signed.")


@cli.command("show")
def show_command() -> None:
    """The current public key (PEM), made now if there is none yet."""
    try:
        signer = current_signer()
    except SigningKeyError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"# key {signer.key_id}, fingerprint (SHA-256 of DER) {signer.fingerprint}")
    click.echo(signer.public_pem, nl=False)
