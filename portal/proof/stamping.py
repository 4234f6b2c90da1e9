"""The worker's timestamp step: queue new hashes, then ask the TSAs, one claimed row at a time.

Like the mail sender, each claim and each outcome is a unit of work of its own, and no
transaction is open while a TSA answers (call it outside any unit). A claim is a lease: a worker
that dies mid-request leaves the row to come back when the lease runs out. When every TSA fails
the row waits with a doubling pause (capped) and the pass stops: the rest waits for the next one.
Rows are never given up on: a timestamp taken late still proves the file existed by then.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal.db import db, unit_of_work, utcnow
from portal.proof.models import TimestampToken
from portal.proof.operations import enqueue_stamps
from portal.proof.queries import configured_urls
from portal.proof.timestamps import Granted, TimestampError, load_roots, request_token

logger = logging.getLogger(__name__)


@dataclass
class StampStats:
    queued: int = 0
    granted: int = 0
    failed: int = 0


def stamp_due(*, now: datetime | None = None, limit: int | None = None) -> StampStats:
    """Queue what is new and get tokens for what is due (nothing when no TSA is configured)."""
    stats = StampStats()
    config = current_app.config
    urls = configured_urls()
    if not urls:
        return stats
    with unit_of_work():
        stats.queued = enqueue_stamps()
    try:
        roots = load_roots(config["TIMESTAMP_CA_FILE"])
    except TimestampError:
        logger.exception("Timestamps: no trusted roots, nothing requested")
        return stats
    for _ in range(limit or int(config["TIMESTAMP_BATCH"])):
        claimed = _claim_next(now or utcnow())
        if claimed is None:
            break
        row_id, sha256 = claimed
        try:
            granted = request_token(
                urls,
                bytes.fromhex(sha256),
                roots=roots,
                timeout=float(config["TIMESTAMP_TIMEOUT"]),
                nonce=secrets.randbits(63),
            )
        except TimestampError as err:
            with unit_of_work():
                _record_failure(row_id, str(err), now or utcnow())
            stats.failed += 1
            break  # every TSA failed: the others wait for a later pass
        with unit_of_work():
            _record_token(row_id, granted)
        stats.granted += 1
    return stats


def _claim_next(now: datetime) -> tuple[int, str] | None:
    with unit_of_work():
        row = db.session.scalars(
            sa.select(TimestampToken)
            .where(TimestampToken.granted_at.is_(None), TimestampToken.next_attempt_at <= now)
            .order_by(TimestampToken.next_attempt_at, TimestampToken.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.attempts += 1
        lease = int(current_app.config["TIMESTAMP_LEASE_SECONDS"])
        row.next_attempt_at = now + timedelta(seconds=lease)
        return row.id, row.sha256


def _record_failure(row_id: int, error: str, now: datetime) -> None:
    row = db.session.get(TimestampToken, row_id)
    if row is None or row.is_granted:
        return
    config = current_app.config
    delay = min(
        int(config["TIMESTAMP_BACKOFF_SECONDS"]) * 2 ** (row.attempts - 1),
        int(config["TIMESTAMP_BACKOFF_MAX_SECONDS"]),
    )
    row.next_attempt_at = now + timedelta(seconds=delay)
    row.last_error = error[:500]
    logger.warning(
        "No timestamp for %s %s (attempt %s), retry at %s: %s",
        row.kind,
        row.target_id,
        row.attempts,
        row.next_attempt_at.isoformat(),
        error,
    )


def _record_token(row_id: int, granted: Granted) -> None:
    row = db.session.get(TimestampToken, row_id)
    if row is None or row.is_granted:
        return
    row.tsa_url, row.token, row.tsa_root_pem = granted.tsa_url, granted.token, granted.root_pem
    row.gen_time, row.serial = granted.gen_time, granted.serial
    row.granted_at, row.last_error = utcnow(), None
    logger.info("Timestamp for %s %s from %s", row.kind, row.target_id, granted.tsa_url)
