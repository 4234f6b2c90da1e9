"""`flask outbox ...` commands: send pending mail once or in a loop, list what waits."""

import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.db import db, unit_of_work, utcnow
from portal.notify.models import OutboxMessage
from portal.notify.operations import (
    SendStats,
    purge_sent,
    retry_failed_messages,
    retry_message,
    send_pending,
)
from portal.notify.queries import list_failed, list_pending

logger = logging.getLogger(__name__)

cli = AppGroup("outbox", help="The email outbox: send pending mail.")


@cli.command("send")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (SIGTERM or Ctrl+C).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--limit", default=50, show_default=True, help="Messages per pass at most.")
def send(loop: bool, interval: float, limit: int) -> None:
    """Send the emails that are due (one pass, or a loop with --loop)."""
    if not loop:
        stats = send_pending(limit=limit)
        click.echo(f"sent {stats.sent}, failed {stats.failed}, given up {stats.given_up}")
        return
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    click.echo(f"Outbox sender running every {interval:g} s; stop with Ctrl+C or SIGTERM.")
    try:
        while not stop.is_set():
            busy = _one_pass(send_pending, limit)
            if not busy:
                stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Outbox sender stopped.")


def _one_pass(send_pending: Callable[..., SendStats], limit: int) -> bool:
    """One pass that survives a database or mail outage; True when more may be waiting."""
    try:
        stats = send_pending(limit=limit)
    except Exception:  # the loop must outlive outages; the failed unit rolled back
        logger.exception("Outbox pass failed")
        return False
    if stats.sent or stats.failed or stats.given_up:
        click.echo(f"sent {stats.sent}, failed {stats.failed}, given up {stats.given_up}")
    return stats.sent + stats.failed + stats.given_up >= limit and stats.failed == 0


@cli.command("list")
@click.option("--failed", "only_failed", is_flag=True, help="Only messages given up on.")
def list_messages(only_failed: bool) -> None:
    """List waiting (or failed) emails, recipients masked."""
    rows = list_failed() if only_failed else list_pending() + list_failed()
    for row in rows:
        state = (
            f"failed {row.failed_at:%Y-%m-%d %H:%M}"
            if row.failed_at
            else f"next {row.next_attempt_at:%Y-%m-%d %H:%M:%S}"
        )
        click.echo(
            f"{row.id:>6}  {row.kind:<16} {row.recipient:<28} attempts {row.attempts}  "
            f"{state} UTC  {row.last_error or ''}".rstrip()
        )
    if not rows:
        click.echo("No failed emails." if only_failed else "The outbox is empty.")


@cli.command("retry")
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Every message given up on.")
def retry(message_ids: tuple[int, ...], all_failed: bool) -> None:
    """Make given-up (or waiting) emails due now."""
    with unit_of_work():
        count = retry_failed_messages() if all_failed else 0
        for message_id in message_ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.sent_at is not None:
                raise click.ClickException(f"No unsent message {message_id}.")
            retry_message(message=message)
            count += 1
    click.echo(f"{count} emails due now.")


@cli.command("purge")
@click.option("--days", default=30, show_default=True, help="Keep sent mail this many days.")
def purge(days: int) -> None:
    """Delete sent emails older than --days (pending and failed ones are kept)."""
    with unit_of_work():
        count = purge_sent(before=utcnow() - timedelta(days=days))
    click.echo(f"{count} sent emails deleted.")
