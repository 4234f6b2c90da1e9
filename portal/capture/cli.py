"""`flask worker` (the background worker) and `flask bundle ...` (evidence bundles)."""

import logging
import signal
import threading
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from portal.capture.bundle import verify_bundle
from portal.capture.worker import run_pass, worker_id
from portal.db import utcnow

logger = logging.getLogger(__name__)
FLAG_MARGIN = timedelta(minutes=10)
bundle_cli = AppGroup("bundle", help="Evidence bundles: verify.")
capture_cli = AppGroup("capture", help="Link captures: sweep unreferenced files.")


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run one pass and exit.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between passes (default WORKER_INTERVAL).")
def worker_command(once: bool, interval: float | None) -> None:
    """Capture links, re-check them, send queued mail and escalate overdue cases."""
    interval = interval or float(current_app.config["WORKER_INTERVAL"])
    escalate_every = float(current_app.config["WORKER_ESCALATE_INTERVAL"])
    stop = threading.Event()
    owner = worker_id()

    def on_signal(signum: int, _frame) -> None:  # noqa: ANN001
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
            click.echo(f"queued {stats.queued}, captured {stats.captured}, checked "
                       f"{stats.checked}, failed {stats.failed}, flagged {stats.flagged}, "
                       f"mailed {stats.mailed}, escalated {stats.escalated}")
        if once:
            break
        stop.wait(interval)
    logger.info("Worker %s stopped", owner)


@bundle_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_command(path: str) -> None:
    """Re-check every file of an evidence bundle against its manifest."""
    report_bundle_check(path)


def report_bundle_check(path: str) -> None:
    """Print the outcome of a bundle check; exit 1 naming the first problem."""
    result = verify_bundle(path)
    if result.problem:
        click.echo(f"FAILED: {result.problem}", err=True)
        click.echo(f"{result.checked} file(s) matched before the first problem.", err=True)
        raise SystemExit(1)
    click.echo(f"OK: all {result.checked} files match their SHA-256 in manifest.json.")


@capture_cli.command("sweep")
@click.option("--grace-minutes", type=click.IntRange(min=0), default=60,
              help="Keep unreferenced files younger than this.")
def sweep_command(grace_minutes: int) -> None:
    """Delete stored capture files that no capture row points to."""
    from portal.capture.operations import sweep_captures

    scanned, deleted = sweep_captures(older_than=timedelta(minutes=grace_minutes))
    click.echo(f"Checked {scanned} capture files: deleted {deleted} unreferenced.")
