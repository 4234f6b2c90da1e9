"""Capture jobs: link captures and liveness re-checks, claimed and run by the worker.

Jobs are claimed one at a time with a lease (locked_until) in a short transaction: on
PostgreSQL `FOR UPDATE SKIP LOCKED` lets workers pass each other by; on SQLite the write lock
taken at BEGIN serialises claims. A worker killed mid-job leaves the lease to run out, and the
job is then claimed again. Finishing is idempotent: a URL has one Capture row (unique), and a
job found already done is left alone. Each step is a unit of work of its own, so no transaction
is open while a page is fetched: the worker calls them outside any unit.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal.capture import operations as ops
from portal.capture.archive import submit_to_archive
from portal.capture.fetch import FetchPolicy, fetch
from portal.capture.models import Capture, Job, JobKind, JobState
from portal.capture.sessions import get_session_for
from portal.db import db, unit_of_work, utcnow

logger = logging.getLogger(__name__)


TRANSIENT = ("timeout", "connection", "dns")  # worth another try before recording failure


class TransientFetchError(Exception):
    """The site could not be reached this time; the job is retried with back-off."""


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    target: str
    attempts: int


def claim_job(owner: str, now: datetime) -> Claimed | None:
    """Lease the next due job in a unit of work of its own; None when nothing is due."""
    with unit_of_work():
        job = db.session.scalars(
            sa.select(Job)
            .where(
                Job.state == JobState.QUEUED,
                Job.run_after <= now,
                sa.or_(Job.locked_until.is_(None), Job.locked_until < now),
            )
            .order_by(Job.run_after, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if job is None:
            return None
        job.attempts += 1
        job.locked_by = owner
        job.locked_until = now + timedelta(seconds=int(current_app.config["WORKER_LEASE_SECONDS"]))
        return Claimed(job.id, job.kind, job.target, job.attempts)


def run_job(claimed: Claimed) -> str:
    """Do one claimed job, each step a unit of work; returns "captured", "checked" or "failed"."""
    try:
        if claimed.kind == JobKind.CAPTURE:
            _run_capture(claimed)
            return "captured"
        _run_liveness(claimed)
        return "checked"
    except Exception as exc:  # noqa: BLE001  (recorded on the job and retried)
        if isinstance(exc, TransientFetchError):
            logger.info("Job %s: site unreachable (%s); retrying later", claimed.id, exc)
        else:
            logger.exception("Job %s (%s) failed", claimed.id, claimed.kind)
        with unit_of_work():
            job = db.session.get(Job, claimed.id)
            if job is not None:
                ops.fail_job(job, now=utcnow(), error=f"{type(exc).__name__}: {exc}")
        return "failed"


def _run_capture(claimed: Claimed) -> None:
    url = claimed.target
    config = current_app.config
    with unit_of_work():  # ended before the fetch: no transaction (on SQLite, no write lock)
        done = db.session.scalar(sa.select(Capture.id).where(Capture.url_canonical == url))
        officer_session = get_session_for(url, config) if done is None else None
    if done is None:
        snapshot = ops.take_snapshot(url, config, officer_session)
        last_try = claimed.attempts >= int(config["WORKER_MAX_ATTEMPTS"])
        if snapshot.fetched.error in TRANSIENT and not last_try:
            raise TransientFetchError(snapshot.fetched.error)
        try:
            with unit_of_work():
                capture = ops.store_capture(url=url, snapshot=snapshot)
                capture_id, archive = capture.id, ops.should_archive(capture)
                _finish(claimed, run_after=None)
        except sa.exc.IntegrityError:  # another worker stored this URL first: keep theirs
            pass
        else:
            if archive:
                _archive(capture_id, url)
            return
    with unit_of_work():
        _finish(claimed, run_after=None)


def _archive(capture_id: int, url: str) -> None:
    """Send the link to the web archive; a failure is kept on the capture, never raised (the
    capture and its job are already committed)."""
    result = submit_to_archive(url, current_app.config)  # network: outside any transaction
    try:
        with unit_of_work():
            capture = db.session.get(Capture, capture_id)
            if capture is not None:
                ops.record_archive(capture=capture, result=result, now=utcnow())
    except Exception:  # noqa: BLE001  (the capture stands without its archive copy)
        logger.exception("Could not record the web archive's answer for capture %s", capture_id)


def _run_liveness(claimed: Claimed) -> None:
    with unit_of_work():  # ended before the fetch, like the capture's
        capture = db.session.get(Capture, int(claimed.target))
        if capture is None:
            _finish(claimed, run_after=None)
            return
        url = capture.final_url or capture.url_canonical
        if capture.is_login_wall:  # the final address is the login page: ask for the post
            url = capture.url_canonical
        first = capture.fetched_at
        officer_session = get_session_for(url, current_app.config)
    policy = FetchPolicy.from_config(current_app.config)
    result = fetch(url, policy, officer_session.cookie_header if officer_session else None)
    now = utcnow()
    with unit_of_work():
        capture = db.session.get_one(Capture, int(claimed.target))
        ops.record_check(capture=capture, result=result, now=now)
        _finish(claimed, run_after=ops.next_check_at(first, now))


def _finish(claimed: Claimed, *, run_after: datetime | None) -> None:
    job = db.session.get(Job, claimed.id)
    if job is not None and job.state == JobState.QUEUED:
        ops.finish_job(job, now=utcnow(), run_after=run_after)
