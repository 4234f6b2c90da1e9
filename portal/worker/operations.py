"""Writes on the worker's heartbeat table (flush, never commit: the loop gives each its unit)."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from portal.db import db
from portal.worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Beat:
    """What a worker knows about itself, written whole each time (so a missed write loses
    nothing: the next one carries the same counts and the same last error)."""

    name: str
    host: str
    pid: int
    interval_seconds: float
    started_at: datetime
    passes: int
    failures: int
    last_error: str | None
    last_error_at: datetime | None


def record_heartbeat(*, beat: Beat, now: datetime, stopped: bool = False) -> WorkerHeartbeat:
    """Update this worker's row (made on its first beat) with what it knows now."""
    row = db.session.scalar(
        sa.select(WorkerHeartbeat).where(
            WorkerHeartbeat.name == beat.name, WorkerHeartbeat.started_at == beat.started_at
        )
    )
    if row is None:
        row = WorkerHeartbeat(name=beat.name, started_at=beat.started_at)
        db.session.add(row)
        logger.info("Worker %s recorded its first heartbeat", beat.name)
    row.host, row.pid, row.interval_seconds = beat.host, beat.pid, beat.interval_seconds
    row.passes, row.failures = beat.passes, beat.failures
    row.last_error, row.last_error_at = beat.last_error, beat.last_error_at
    row.last_seen_at = now
    row.stopped_at = now if stopped else None
    db.session.flush()
    return row


def prune_heartbeats(*, before: datetime) -> int:
    """Forget workers not seen since `before` (stopped, or long dead); how many."""
    result = db.session.execute(
        sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen_at < before)
    )
    return cast(sa.CursorResult[Any], result).rowcount or 0  # a DELETE's result has a rowcount
