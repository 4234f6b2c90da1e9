"""Reads for the worker status page: the workers as they last reported, and what waits for them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.capture.models import Job, JobKind, JobState
from portal.cases.models import Case
from portal.cases.workflow import OPEN
from portal.db import db
from portal.notify.models import OutboxMessage
from portal.worker.models import WorkerHeartbeat

# A pass may hold a capture (fetch and screenshot) and a slow SMTP server, and a failing worker
# backs off up to a minute: only a longer silence means the worker is gone or stuck.
SILENT_FLOOR = timedelta(minutes=2)
SILENT_INTERVALS = 5


@dataclass(frozen=True)
class WorkerRow:
    """One worker as the status page shows it."""

    name: str
    started_at: datetime
    last_seen_at: datetime
    stopped_at: datetime | None
    passes: int
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    state: str  # running | stopped | silent
    silent_minutes: int


@dataclass(frozen=True)
class QueueDepths:
    """What waits for the worker: queued (and due now), and mail that gave up."""

    captures: int
    captures_due: int
    liveness: int
    liveness_due: int
    mail: int
    mail_due: int
    mail_failed: int
    overdue_cases: int


def silent_after(interval_seconds: float) -> timedelta:
    """How long a worker may go unseen before the page says it is not seen."""
    return max(timedelta(seconds=SILENT_INTERVALS * interval_seconds), SILENT_FLOOR)


def list_workers(*, now: datetime) -> list[WorkerRow]:
    """Every worker with a heartbeat, most recently seen first."""
    rows = db.session.scalars(
        sa.select(WorkerHeartbeat).order_by(
            WorkerHeartbeat.last_seen_at.desc(), WorkerHeartbeat.id.desc()
        )
    )
    return [_row(heartbeat, now) for heartbeat in rows]


def _row(heartbeat: WorkerHeartbeat, now: datetime) -> WorkerRow:
    unseen = now - heartbeat.last_seen_at
    if heartbeat.stopped_at is not None:
        state = "stopped"
    elif unseen > silent_after(heartbeat.interval_seconds):
        state = "silent"
    else:
        state = "running"
    return WorkerRow(
        name=heartbeat.name,
        started_at=heartbeat.started_at,
        last_seen_at=heartbeat.last_seen_at,
        stopped_at=heartbeat.stopped_at,
        passes=heartbeat.passes,
        failures=heartbeat.failures,
        last_error=heartbeat.last_error,
        last_error_at=heartbeat.last_error_at,
        state=state,
        silent_minutes=int(unseen.total_seconds() // 60),
    )


def count_queues(*, now: datetime) -> QueueDepths:
    """Capture and liveness jobs, outbox mail and overdue cases not yet escalated."""
    jobs = _jobs_by_kind(now)
    pending = sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    return QueueDepths(
        captures=jobs[JobKind.CAPTURE][0],
        captures_due=jobs[JobKind.CAPTURE][1],
        liveness=jobs[JobKind.LIVENESS][0],
        liveness_due=jobs[JobKind.LIVENESS][1],
        mail=_count(OutboxMessage, pending),
        mail_due=_count(OutboxMessage, pending, OutboxMessage.next_attempt_at <= now),
        mail_failed=_count(OutboxMessage, OutboxMessage.failed_at.is_not(None)),
        overdue_cases=_count(
            Case,
            Case.due_at < now,
            Case.escalated_at.is_(None),
            Case.status.in_([str(status) for status in OPEN]),
        ),
    )


def _jobs_by_kind(now: datetime) -> dict[str, tuple[int, int]]:
    """Queued jobs per kind: (all, due now and not leased)."""
    due = sa.and_(Job.run_after <= now, sa.or_(Job.locked_until.is_(None), Job.locked_until < now))
    rows = db.session.execute(
        sa.select(Job.kind, sa.func.count(), sa.func.count().filter(due))
        .where(Job.state == JobState.QUEUED)
        .group_by(Job.kind)
    )
    counts = {str(kind): (0, 0) for kind in JobKind}
    counts.update({kind: (total, due_now) for kind, total, due_now in rows})
    return counts


def _count(model: type, *conditions: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0
