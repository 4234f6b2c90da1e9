"""The durable loop of `flask worker`: passes until SIGTERM or SIGINT, whatever fails.

A failed pass (any step's error, or anything escaping the pass itself) is logged, the session
and the pool's connections are dropped, and the next pass waits 1 s, then 2, 4, ... up to
WORKER_BACKOFF_MAX_SECONDS; a clean pass brings the pause back to the interval. After every pass
the worker records a heartbeat in a short unit of its own; a heartbeat that cannot be written
is logged and skipped. Only the stop event ends the loop.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import click

from portal.db import db, unit_of_work, utcnow
from portal.notify.operations import Delivered
from portal.worker import operations
from portal.worker.loop import PassStats, describe_error, recycle_session, run_pass, worker_id

logger = logging.getLogger(__name__)
FLAG_MARGIN = timedelta(minutes=10)  # reports whose transaction committed after a pass began
PRUNE_AFTER = timedelta(days=1)  # heartbeats of workers gone this long are forgotten


def backoff_delay(failures: int, *, interval: float, cap: float) -> float:
    """The pause after `failures` failed passes in a row: the interval when none, else 1 s
    doubling per failure, capped (and never shorter than the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(cap, 2.0 ** min(failures - 1, 32)))


class Worker:
    """One worker process: its loop, its pauses and what its heartbeat says."""

    def __init__(
        self,
        *,
        stop: threading.Event,
        interval: float,
        escalate_every: float,
        backoff_max: float,
        echo: bool = False,
    ) -> None:
        self.stop, self.interval, self.echo = stop, interval, echo
        self.escalate_every, self.backoff_max = escalate_every, backoff_max
        self.name = worker_id()
        self.started_at = utcnow()
        self.passes = self.failures = 0
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.last_escalation = float("-inf")
        self.reports_since: datetime | None = None  # the first pass looks at every report
        self.delivered: list[Delivered] = []  # mail sent while the database could not say so

    def run(self, *, once: bool = False) -> None:
        """Pass after pass until stopped (or one pass with `once`)."""
        logger.info("Worker %s started", self.name)
        self._guarded("prune old heartbeats", self._prune)
        while not self.stop.is_set():
            try:
                delay = self.run_once()
            except Exception:  # noqa: BLE001  (the last line: nothing ends the loop but stop)
                logger.exception("Worker pass could not be completed")
                self.failures += 1
                delay = backoff_delay(self.failures, interval=self.interval, cap=self.backoff_max)
            if once:
                break
            self.stop.wait(delay)
        self._guarded("record the stop", lambda: self._beat(stopped=True))
        logger.info("Worker %s stopped", self.name)

    def run_once(self) -> float:
        """One pass and its heartbeat; returns the pause before the next pass."""
        escalate = time.monotonic() - self.last_escalation >= self.escalate_every
        started_at = utcnow()
        try:
            stats = run_pass(
                owner=self.name,
                stop=self.stop,
                escalate=escalate,
                reports_since=self.reports_since,
                delivered=self.delivered,
            )
        except Exception as exc:  # noqa: BLE001  (run_pass guards its steps; this guards it)
            logger.exception("Worker pass failed")
            stats = PassStats(errors=[f"pass: {describe_error(exc)}"])
        self.passes += 1
        if stats.errors:
            self.failures += 1
            self.last_error, self.last_error_at = "; ".join(stats.errors)[:300], utcnow()
            self._guarded("drop the connections", _drop_connections)
        else:
            self.failures = 0
            self.reports_since = started_at - FLAG_MARGIN
        if escalate and not stats.failed_step("escalate") and not stats.failed_step("pass"):
            self.last_escalation = time.monotonic()
        self._guarded("record the heartbeat", self._beat)
        self._report(stats)
        return backoff_delay(self.failures, interval=self.interval, cap=self.backoff_max)

    def _beat(self, *, stopped: bool = False) -> None:
        beat = operations.Beat(
            name=self.name,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            interval_seconds=self.interval,
            started_at=self.started_at,
            passes=self.passes,
            failures=self.failures,
            last_error=self.last_error,
            last_error_at=self.last_error_at,
        )
        with unit_of_work():
            operations.record_heartbeat(beat=beat, now=utcnow(), stopped=stopped)

    def _prune(self) -> None:
        with unit_of_work():
            operations.prune_heartbeats(before=utcnow() - PRUNE_AFTER)

    def _guarded(self, what: str, action: Callable[[], None]) -> None:
        """Do something the loop can live without; a failure is logged and skipped."""
        try:
            action()
        except Exception as exc:  # noqa: BLE001
            logger.warning("Worker could not %s: %s", what, describe_error(exc))
            recycle_session()

    def _report(self, stats: PassStats) -> None:
        if not (self.echo or stats.captured or stats.checked or stats.failed or stats.queued):
            return
        with contextlib.suppress(OSError):  # whoever read our output went away: the log stays
            click.echo(
                f"queued {stats.queued}, captured {stats.captured}, checked "
                f"{stats.checked}, failed {stats.failed}, flagged {stats.flagged}, "
                f"mailed {stats.mailed}, escalated {stats.escalated}"
            )


def _drop_connections() -> None:
    """After a failed pass, close the pool's idle connections: after a database restart they
    are all dead, and a fresh one costs little once per failure."""
    recycle_session()
    db.engine.dispose()
