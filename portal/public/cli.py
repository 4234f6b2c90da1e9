"""`flask apikeys ...` and `flask public ...` commands."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from portal.db import commit, db, utcnow
from portal.public import bp

apikeys_cli = AppGroup("apikeys", help="Open311 API keys.")


@apikeys_cli.command("create")
@click.argument("name")
def create_key(name: str) -> None:
    """Issue a key for a client; the key is printed on the last line, and only now."""
    from portal.public.apikeys import create_api_key

    key, raw = create_api_key(name=name)
    commit()
    click.echo(f"API key {key.id} for {key.name!r} (keep it; it is not stored in clear):")
    click.echo(raw)


@apikeys_cli.command("list")
def list_keys() -> None:
    """Every key with its state."""
    from portal.public.apikeys import list_api_keys

    for key in list_api_keys():
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.prefix}…\t{state}\t{key.name}")


@apikeys_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Stop accepting a key."""
    from portal.public.apikeys import revoke_api_key
    from portal.public.models import ApiKey

    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"No key {key_id}")
    revoke_api_key(key=key)
    commit()
    click.echo(f"Key {key_id} revoked")


@bp.cli.command("refresh-stats")
def refresh_stats_command() -> None:
    """Recompute the transparency aggregates (run every few minutes)."""
    from portal.public.stats import refresh_stats

    total = refresh_stats()
    commit()
    click.echo(f"Statistics recomputed over {total} cases")


@bp.cli.command("publish-heads")
@click.option("--day", help="YYYY-MM-DD (default: yesterday in the portal's time zone)")
def publish_heads_command(day: str | None) -> None:
    """Store the audit-chain heads of published cases for a day (run daily)."""
    from portal.public.heads import publish_heads

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    wanted = date.fromisoformat(day) if day else utcnow().astimezone(zone).date() - timedelta(1)
    count = publish_heads(day=wanted)
    commit()
    click.echo(f"Head hashes of {wanted}: {count} published cases")
