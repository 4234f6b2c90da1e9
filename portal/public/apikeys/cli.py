"""`flask apikeys ...`: issue, list and revoke Open311 API keys."""

import click
from flask.cli import AppGroup

from portal.db import db, unit_of_work
from portal.public.apikeys.operations import create_api_key, list_api_keys, revoke_api_key
from portal.public.models import ApiKey

cli = AppGroup("apikeys", help="Open311 API keys.")


@cli.command("create")
@click.argument("name")
def create_key(name: str) -> None:
    """Issue a key for a client; the key is printed on the last line, and only now."""
    with unit_of_work():
        key, raw = create_api_key(name=name)
    click.echo(f"API key {key.id} for {key.name!r} (keep it; it is not stored in clear):")
    click.echo(raw)


@cli.command("list")
def list_keys() -> None:
    """Every key with its state."""
    for key in list_api_keys():
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.prefix}…\t{state}\t{key.name}")


@cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Stop accepting a key."""

    with unit_of_work():
        key = db.session.get(ApiKey, key_id)
        if key is None:
            raise click.ClickException(f"No key {key_id}")
        revoke_api_key(key=key)
    click.echo(f"Key {key_id} revoked")
