"""`flask worker`: the background worker loop."""

import logging
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.worker.runner import Worker

logger = logging.getLogger(__name__)


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
    config = current_app.config
    stop = threading.Event()
    worker = Worker(
        stop=stop,
        interval=interval or float(config["WORKER_INTERVAL"]),
        escalate_every=float(config["WORKER_ESCALATE_INTERVAL"]),
        backoff_max=float(config["WORKER_BACKOFF_MAX_SECONDS"]),
        echo=once,
    )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("Worker %s got signal %s: finishing the current job", worker.name, signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    worker.run(once=once)


cli = worker_command
