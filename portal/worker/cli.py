"""`flask worker`: the background worker loop."""

import logging
import signal
import threading
import time
from datetime import timedelta
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import utcnow
from portal.worker.loop import run_pass, worker_id

logger = logging.getLogger(__name__)
FLAG_MARGIN = timedelta(minutes=10)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run one pass and exit.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between passes (default WORKER_INTERVAL).",
)
def worker_command(once: bool, interval: float | None) -> None:
    """Capture links, re-check them, send queued mail and escalate overdue cases."""
    interval = interval or float(current_app.config["WORKER_INTERVAL"])
    escalate_every = float(current_app.config["WORKER_ESCALATE_INTERVAL"])
    stop = threading.Event()
    owner = worker_id()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("Worker %s got signal %s: finishing the current job", owner, signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    logger.info("Worker %s started", owner)
    last_escalation = float("-inf")
    reports_since = None  # the first pass looks at every report, later ones at recent ones
    while not stop.is_set():
        escalate = time.monotonic() - last_escalation >= escalate_every
        started_at = utcnow()
        stats = run_pass(owner=owner, stop=stop, escalate=escalate, reports_since=reports_since)
        if not stats.errors:
            # The margin covers reports whose transaction committed after the pass began.
            reports_since = started_at - FLAG_MARGIN
        if escalate:
            last_escalation = time.monotonic()
        if once or stats.captured or stats.checked or stats.failed or stats.queued:
            click.echo(
                f"queued {stats.queued}, captured {stats.captured}, checked "
                f"{stats.checked}, failed {stats.failed}, flagged {stats.flagged}, "
                f"mailed {stats.mailed}, escalated {stats.escalated}"
            )
        if once:
            break
        stop.wait(interval)
    logger.info("Worker %s stopped", owner)


cli = worker_command
