"""One pass of the background worker: queue and run capture jobs, send mail, escalate.

Each step is its own unit of work; a failing step is logged and the pass goes on.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from portal.capture import operations as capture_ops
from portal.capture.jobs import claim_job, run_job
from portal.cases.escalation import escalate_overdue
from portal.db import db, unit_of_work, utcnow
from portal.notify.operations import send_pending
from portal.proof.stamping import stamp_due

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class PassStats:
    queued: int = 0
    captured: int = 0
    checked: int = 0
    failed: int = 0
    flagged: int = 0
    mailed: int = 0
    escalated: int = 0
    errors: list[str] = field(default_factory=list)


def worker_id() -> str:
    """A name for this worker process, stored in the jobs it holds."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def run_pass(
    *,
    owner: str,
    stop: threading.Event | None = None,
    escalate: bool = False,
    reports_since: datetime | None = None,
) -> PassStats:
    """One round: queue new links, flag official accounts (among reports received since
    `reports_since`, or all), run due jobs, send mail, escalate."""
    stats = PassStats()
    stats.queued = _step(stats, "queue", capture_ops.enqueue_new_links)
    flagged = _step(stats, "flag", lambda: capture_ops.flag_official_accounts(since=reports_since))
    stats.flagged = len(flagged or [])
    while not (stop and stop.is_set()):
        claimed = claim_job(owner, utcnow())
        if claimed is None:
            break
        outcome = run_job(claimed)
        setattr(stats, outcome, getattr(stats, outcome) + 1)
    mail = _step(stats, "mail", send_pending, own_units=True)
    stats.mailed = getattr(mail, "sent", 0)
    _step(stats, "timestamps", stamp_due, own_units=True)
    if escalate:
        stats.escalated = len(_step(stats, "escalate", escalate_overdue) or [])
    db.session.remove()
    return stats


def _step(stats: PassStats, name: str, func: Callable[[], T], own_units: bool = False) -> T | None:
    """Run one housekeeping step as a unit of work (or as it is, when it opens its own units
    one after another); a failure is logged, not fatal."""
    try:
        if own_units:
            return func()
        with unit_of_work():
            return func()
    except Exception as exc:  # noqa: BLE001  (the worker must outlive a database hiccup)
        logger.exception("Worker step %s failed", name)
        stats.errors.append(f"{name}: {type(exc).__name__}")
        return None
