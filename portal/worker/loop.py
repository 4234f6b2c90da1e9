"""One pass of the background worker: queue and run capture jobs, send mail, escalate, remove
expired held uploads, apply the retention schedule when it is due.

Each step is its own unit of work, and each is guarded: whatever a step raises (the database
locked or gone, SMTP down, Chromium crashed, or a rollback failing while the step's own error
was handled) is logged and noted in the pass's errors, the session is dropped so that the next
step gets a fresh connection, and the pass goes on with the next step.
"""

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa

from portal.capture import operations as capture_ops
from portal.capture.jobs import claim_job, run_job
from portal.cases.escalation import escalate_overdue
from portal.db import DatabaseBusy, db, unit_of_work, utcnow
from portal.intake.uploads.operations import remove_expired_holds
from portal.notify.operations import Delivered, send_pending
from portal.privacy.retention import run_if_due as run_retention_if_due
from portal.proof.stamping import stamp_due

logger = logging.getLogger(__name__)
T = TypeVar("T")

JOB_BUDGET_SECONDS = 30.0  # a backlog of captures neither starves the mail nor the heartbeat
_ADDRESS = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+")


@dataclass
class PassStats:
    queued: int = 0
    captured: int = 0
    checked: int = 0
    failed: int = 0
    flagged: int = 0
    mailed: int = 0
    escalated: int = 0
    errors: list[str] = field(default_factory=list)  # "step: Error: first line", for admins

    def failed_step(self, name: str) -> bool:
        return any(error.startswith(f"{name}: ") for error in self.errors)


def worker_id() -> str:
    """A name for this worker process, stored in the jobs it holds."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def run_pass(
    *,
    owner: str,
    stop: threading.Event | None = None,
    escalate: bool = False,
    reports_since: datetime | None = None,
    delivered: list[Delivered] | None = None,
) -> PassStats:
    """One round: queue new links, flag official accounts (among reports received since
    `reports_since`, or all), run due jobs, send mail (recording first what `delivered` holds
    from an earlier pass), escalate. Never raises: failures are in the stats' errors."""
    stats = PassStats()
    stats.queued = _step(stats, "queue", capture_ops.enqueue_new_links) or 0
    flagged = _step(stats, "flag", lambda: capture_ops.flag_official_accounts(since=reports_since))
    stats.flagged = len(flagged or [])
    _step(stats, "jobs", lambda: _run_jobs(stats, owner, stop), own_units=True)
    mail = _step(stats, "mail", lambda: send_pending(delivered=delivered), own_units=True)
    stats.mailed = mail.sent if mail else 0
    _step(stats, "timestamps", stamp_due, own_units=True)
    _step(stats, "uploads", remove_expired_holds, own_units=True)  # expired held uploads
    _step(stats, "retention", run_retention_if_due, own_units=True)  # RETENTION_INTERVAL_HOURS
    if escalate:
        stats.escalated = len(_step(stats, "escalate", escalate_overdue) or [])
    recycle_session()
    return stats


def _run_jobs(stats: PassStats, owner: str, stop: threading.Event | None) -> None:
    """Claim and run due jobs, one at a time, until none is due or the budget is spent."""
    deadline = time.monotonic() + JOB_BUDGET_SECONDS
    while not (stop and stop.is_set()) and time.monotonic() < deadline:
        claimed = claim_job(owner, utcnow())
        if claimed is None:
            return
        outcome = run_job(claimed)
        setattr(stats, outcome, getattr(stats, outcome) + 1)


def _step(stats: PassStats, name: str, func: Callable[[], T], own_units: bool = False) -> T | None:
    """Run one step as a unit of work (or as it is, when it opens its own units one after
    another); a failure is logged and noted, never raised."""
    try:
        if own_units:
            return func()
        with unit_of_work():
            return func()
    except Exception as exc:  # noqa: BLE001  (the worker must outlive any failure of a step)
        logger.exception("Worker step %s failed", name)
        stats.errors.append(f"{name}: {describe_error(exc)}")
        recycle_session()
        return None


def describe_error(exc: BaseException) -> str:
    """An error for the admin page: its class and first line; for a database error the
    driver's own, without the SQL and its parameters; addresses masked."""
    try:
        if isinstance(exc, DatabaseBusy) and exc.__cause__ is not None:
            exc = exc.__cause__  # what the database said, not the resident's 503 page
        if isinstance(exc, sa.exc.StatementError) and exc.orig is not None:
            exc = exc.orig
        lines = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
        return _ADDRESS.sub("***@***", text)[:250]
    except Exception:  # noqa: BLE001  (an error whose text cannot even be read)
        return type(exc).__name__


def recycle_session() -> None:
    """Drop the session (rolling back what it holds) so the next unit starts on a connection
    from the pool, which pre-pings it; if even that fails, forget the session regardless."""
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001  (a connection that died under us)
        logger.warning("Could not close the worker's session; dropping it", exc_info=True)
        try:
            db.session.registry.clear()
        except Exception:  # noqa: BLE001  (never let the clean-up end the worker)
            logger.warning("Could not drop the worker's session", exc_info=True)
