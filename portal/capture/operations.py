"""Writes of the capture area: jobs, captures, liveness checks, official-account flags.

Operations add and flush; the worker commits once per job. Network work (fetching, rendering)
happens in `take_snapshot`, which touches no database, so no lock is held while it runs. A page
that is a login wall (capture/walls.py) is kept as evidence of the wall and recorded as such,
never as the post.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app

from portal.capture.archive import ArchiveResult
from portal.capture.fetch import FetchPolicy, FetchResult, fetch
from portal.capture.models import (
    Capture,
    CaptureState,
    Job,
    JobKind,
    JobState,
    Liveness,
    LivenessCheck,
    OfficialAccount,
    OfficialMatch,
)
from portal.capture.queries import list_unflagged_matches
from portal.capture.screenshot import Screenshot, render_screenshot
from portal.capture.sessions import OpenSession
from portal.capture.walls import Wall, detect_wall, platform_of_url, read_page
from portal.cases.history import record_event
from portal.cases.models import Case, Visibility
from portal.db import db, utcnow
from portal.evidence.models import Link
from portal.evidence.storage import Storage, StoredFileMissing, get_storage

logger = logging.getLogger(__name__)

PREFIX = "capture"
# Not sent to a web archive: the fetcher refused the address itself.
REFUSED = ("blocked_address", "bad_scheme", "bad_port", "bad_url")


@dataclass(frozen=True)
class Snapshot:
    fetched: FetchResult
    screenshot: Screenshot
    fetched_at: datetime
    wall: Wall | None = None
    session_platform: str | None = None  # the session whose cookies were sent with the page


def capture_key(sha256: str, ext: str) -> str:
    """Content-addressed key of a capture artefact."""
    return f"{PREFIX}/{sha256[:2]}/{sha256}.{ext}"


def headers_key(capture: Capture) -> str | None:
    """Where a capture's headers JSON is stored."""
    return capture_key(capture.headers_sha256, "json") if capture.headers_sha256 else None


def enqueue_new_links(*, now: datetime | None = None) -> int:
    """Queue a capture job for every canonical link that has none yet; how many were queued."""
    has_job = sa.select(Job.id).where(Job.kind == JobKind.CAPTURE, Job.target == Link.url_canonical)
    urls = cast(
        "Sequence[str]",  # NULLs are left out
        db.session.scalars(
            sa.select(Link.url_canonical)
            .where(Link.url_canonical.is_not(None), ~has_job.exists())
            .distinct()
            .limit(500)
        ).all(),
    )
    for url in urls:
        _add_job(JobKind.CAPTURE, url, now or utcnow())
    return len(urls)


def _add_job(kind: str, target: str, run_after: datetime) -> None:
    # A savepoint, because another worker may queue the same target at the same moment.
    try:
        with db.session.begin_nested():
            db.session.add(Job(kind=kind, target=target, run_after=run_after))
    except sa.exc.IntegrityError:
        logger.info("Job %s already queued by another worker", kind)


def take_snapshot(url: str, config: dict, session: OpenSession | None = None) -> Snapshot:
    """Fetch the URL safely (with the platform's session, if one was opened), tell whether it
    is a login wall, and render what came back (no database access)."""
    fetched_at = utcnow()
    policy = FetchPolicy.from_config(config)
    cookies = session.cookie_header if session else None
    fetched = fetch(url, policy, cookies)
    shot = Screenshot(None, None)
    if fetched.body and config["CAPTURE_SCREENSHOT"]:
        shot = render_screenshot(
            fetched.body,
            base_url=fetched.final_url or url,
            chromium_path=config["CHROMIUM_PATH"],
            policy=policy,
            timeout=float(config["CAPTURE_SCREENSHOT_TIMEOUT"]),
            storage_state=session.state if session else None,
            cookies=cookies,
        )
    used = session.platform if session and fetched.cookies_sent else None
    return Snapshot(fetched, shot, fetched_at, find_wall(fetched, config), used)


def find_wall(result: FetchResult, config: dict) -> Wall | None:
    """The login wall or interstitial the fetch got instead of the post, if any."""
    if result.status is None:
        return None
    hosts = config["CAPTURE_PLATFORM_HOSTS"]
    final = result.final_url or result.url
    platform = platform_of_url(result.url, hosts) or platform_of_url(final, hosts)
    page = read_page(url=result.url, final_url=final, status=result.status, body=result.body)
    return detect_wall(page, platform)


def store_capture(*, url: str, snapshot: Snapshot) -> Capture:
    """Store the artefacts and the Capture row once per URL (an existing one is returned)."""
    existing = db.session.scalar(sa.select(Capture).where(Capture.url_canonical == url))
    if existing is not None:
        return existing
    got, wall = snapshot.fetched, snapshot.wall
    capture = Capture(
        url_canonical=url,
        final_url=got.final_url,
        status_code=got.status,
        headers=got.headers,
        error=got.error,
        error_detail=got.detail or None,
        is_truncated=got.is_truncated,
        fetched_at=snapshot.fetched_at,
        screenshot_note=snapshot.screenshot.note,
        state=CaptureState.FAILED if got.error else CaptureState.CAPTURED,
        session_platform=snapshot.session_platform,
    )
    storage = get_storage()
    if got.status is not None:
        headers = json.dumps(
            {
                "url": url,
                "final_url": got.final_url,
                "status": got.status,
                "redirects": got.hops,
                "headers": got.headers,
            },
            indent=2,
            sort_keys=True,
        ).encode()
        capture.headers_sha256 = _put(storage, headers, "json", "application/json")
        capture.html_sha256 = _put(storage, got.body, "html", "application/octet-stream")
        capture.html_key = capture_key(capture.html_sha256, "html")
        capture.html_size = len(got.body)
        capture.content_sha256 = capture.html_sha256
        capture.liveness = Liveness.LIVE if got.status < 400 else None
    if wall is not None:
        _mark_wall(capture, wall)
    if snapshot.screenshot.png:
        capture.screenshot_sha256 = _put(storage, snapshot.screenshot.png, "png", "image/png")
        capture.screenshot_key = capture_key(capture.screenshot_sha256, "png")
        capture.screenshot_size = len(snapshot.screenshot.png)
    db.session.add(capture)
    db.session.flush()
    # A login wall is checked again too: with a session uploaded later, the post may show.
    due = next_check_at(capture.fetched_at, utcnow())
    if capture.liveness in (Liveness.LIVE, Liveness.LOGIN_WALL) and due is not None:
        _add_job(JobKind.LIVENESS, str(capture.id), due)
    logger.info(
        "Captured link as capture %s (%s, status %s, error %s)",
        capture.id,
        capture.state,
        got.status,
        got.error,
    )
    return capture


def _mark_wall(capture: Capture, wall: Wall) -> None:
    """The capture is a wall, not the post: no baseline for the post, no claim it is online."""
    capture.state, capture.wall_reason = CaptureState.LOGIN_WALL, wall.reason
    capture.wall_detail = f"{wall.platform}: {wall.detail}"[:300]
    capture.content_sha256 = None
    if capture.liveness in (None, Liveness.LIVE):
        capture.liveness = Liveness.LOGIN_WALL


def judge_stored_captures(*, config: dict) -> tuple[int, int]:
    """Read again the HTML of captures recorded as captured (those made before walls were
    recognised) and mark the login walls among them; (looked at, marked)."""
    storage = get_storage()
    looked = marked = 0
    rows = db.session.scalars(
        sa.select(Capture).where(
            Capture.state == CaptureState.CAPTURED, Capture.html_key.is_not(None)
        )
    )
    for capture in rows:
        if capture.html_key is None:  # the query leaves these out; mypy cannot know
            continue
        try:
            body = storage.get(capture.html_key)
        except StoredFileMissing:
            continue
        looked += 1
        result = FetchResult(
            url=capture.url_canonical,
            final_url=capture.final_url,
            status=capture.status_code,
            body=body,
        )
        if (wall := find_wall(result, config)) is not None:
            _mark_wall(capture, wall)
            marked += 1
            logger.info("Capture %s is a login wall (%s)", capture.id, wall.reason)
    db.session.flush()
    return looked, marked


def should_archive(capture: Capture) -> bool:
    """Whether the link goes to the web archive: only when one is configured and the fetcher
    did not refuse the address itself."""
    return bool(current_app.config["CAPTURE_ARCHIVE_ENDPOINT"]) and capture.error not in REFUSED


def record_archive(*, capture: Capture, result: ArchiveResult, now: datetime) -> None:
    """Keep where the web archive saved the link, or why it did not."""
    capture.archive_url, capture.archive_error = result.url, result.error
    capture.archived_at = now if result.url else None
    db.session.flush()


def _put(storage: Storage, data: bytes, ext: str, mime: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    storage.put(capture_key(sha, ext), data, mime)
    return sha


def next_check_at(first: datetime, now: datetime) -> datetime | None:
    """When a capture is due again: 1, 3, 6, 12, 24 hours after, then daily up to 30 days."""
    cfg = current_app.config
    offsets = [timedelta(hours=h) for h in cfg["CAPTURE_LIVENESS_HOURS"]]
    offsets += [timedelta(days=d) for d in range(2, int(cfg["CAPTURE_LIVENESS_DAYS"]) + 1)]
    for offset in offsets:
        if first + offset > now:
            return first + offset
    return None


def classify(result: FetchResult, baseline_sha256: str | None, wall: Wall | None) -> str:
    """What a re-check says about the post. A login wall says nothing about it: it is
    neither "removed" nor "live"."""
    if result.status in (404, 410):
        return Liveness.REMOVED
    if wall is not None:
        return Liveness.LOGIN_WALL
    if result.status in (401, 403):
        return Liveness.PRIVATE
    if result.status is None or result.status >= 400 or result.error:
        return Liveness.UNREACHABLE
    if baseline_sha256 and hashlib.sha256(result.body).hexdigest() != baseline_sha256:
        return Liveness.CHANGED
    return Liveness.LIVE


def record_check(*, capture: Capture, result: FetchResult, now: datetime) -> LivenessCheck:
    """Add one liveness check and move the capture's state when the post's state changed
    (an unreachable site or a login wall moves nothing)."""
    state = classify(result, capture.content_sha256, find_wall(result, current_app.config))
    previous = capture.liveness
    unknown = (Liveness.UNREACHABLE, Liveness.LOGIN_WALL)
    is_change = state not in unknown and state != previous
    check = LivenessCheck(
        capture_id=capture.id,
        checked_at=now,
        status_code=result.status,
        error=result.error,
        final_url=result.final_url,
        state=state,
        content_sha256=hashlib.sha256(result.body).hexdigest() if result.status else None,
        is_change=is_change,
    )
    db.session.add(check)
    if is_change:
        capture.liveness = state
        if state == Liveness.LIVE and capture.content_sha256 is None:
            capture.content_sha256 = check.content_sha256  # first sight of the post itself
        if state == Liveness.REMOVED and capture.removed_at is None:
            capture.removed_at = now
        logger.info("Capture %s is now %s (was %s)", capture.id, state, previous)
    db.session.flush()
    return check


def finish_job(job: Job, *, now: datetime, run_after: datetime | None = None) -> None:
    """Done, or queued again for `run_after` (liveness jobs come back on their schedule)."""
    job.locked_by = job.locked_until = None
    job.last_error = None
    if run_after is None:
        job.state, job.finished_at = JobState.DONE, now
    else:
        job.state, job.run_after, job.attempts = JobState.QUEUED, run_after, 0
    db.session.flush()


def fail_job(job: Job, *, now: datetime, error: str) -> None:
    """Retry later with back-off, or give up after WORKER_MAX_ATTEMPTS."""
    cfg = current_app.config
    job.locked_by = job.locked_until = None
    job.last_error = error[:500]
    if job.attempts >= int(cfg["WORKER_MAX_ATTEMPTS"]):
        job.state, job.finished_at = JobState.FAILED, now
    else:
        delay = int(cfg["WORKER_RETRY_SECONDS"]) * 2 ** max(0, job.attempts - 1)
        job.run_after = now + timedelta(seconds=delay)
    db.session.flush()


class NothingToRetry(Exception):
    """The link was captured (or never failed): there is nothing to try again."""


def retry_capture(*, case: Case, url: str, actor: object, now: datetime) -> Job:
    """Queue the link's capture to run at once, with a fresh count of attempts. A stored
    failure is dropped so the worker fetches anew; what it said stays in the case history."""
    capture = db.session.scalar(sa.select(Capture).where(Capture.url_canonical == url))
    job = db.session.scalar(
        sa.select(Job).where(Job.kind == JobKind.CAPTURE, Job.target == url).with_for_update()
    )
    if capture is not None:
        if capture.state != CaptureState.FAILED or capture.checks:
            raise NothingToRetry(url)
        previous = {"error": capture.error, "status": capture.status_code}
        previous["html_sha256"] = capture.html_sha256
        previous["headers_sha256"] = capture.headers_sha256
        previous["fetched_at"] = capture.fetched_at.isoformat()
        db.session.delete(capture)
    elif job is None or not (job.state == JobState.FAILED or job.last_error):
        raise NothingToRetry(url)
    else:
        previous = {"error": job.last_error, "attempts": job.attempts}
    if job is None:
        job = Job(kind=JobKind.CAPTURE, target=url)
        db.session.add(job)
    job.state, job.run_after, job.attempts = JobState.QUEUED, now, 0
    job.locked_by = job.locked_until = job.finished_at = job.last_error = None
    db.session.flush()
    record_event(case, "capture_retried", actor=actor, data={"url": url, "previous": previous})
    logger.info("Capture job %s queued again by an officer", job.id)
    return job


def flag_official_accounts(*, since: datetime | None = None) -> list[OfficialMatch]:
    """Flag each case whose links or reported account name an official account (once each);
    only reports received since `since` are looked at, when given."""
    flagged = []
    for case_id, account_id in list_unflagged_matches(since=since):
        case = db.session.get_one(Case, case_id)
        account = db.session.get_one(OfficialAccount, account_id)
        match = OfficialMatch(case_id=case.id, account_id=account.id)
        db.session.add(match)
        floor = int(current_app.config["OFFICIAL_ACCOUNT_PRIORITY"])
        if (case.priority or 0) < floor:
            case.priority = floor
        record_event(
            case,
            "official_account",
            visibility=Visibility.INTERNAL,
            data={
                "platform": account.platform,
                "handle": account.handle,
                "agency": account.agency,
                "priority": case.priority,
            },
        )
        flagged.append(match)
        logger.info("Case %s names official account %s", case.id, account.id)
    db.session.flush()
    return flagged


def sweep_captures(*, older_than: timedelta) -> tuple[int, int]:
    """Delete capture files no Capture row points to (left by a worker killed between storing
    and committing), once older than the grace; (scanned, deleted)."""
    storage = get_storage()
    cutoff = utcnow() - older_than
    scanned = deleted = 0
    for key, modified_at in list(storage.iter_keys()):
        if not key.startswith(PREFIX + "/"):
            continue
        scanned += 1
        if modified_at > cutoff or _is_referenced(key):
            continue
        storage.delete(key)
        deleted += 1
        logger.info("Swept unreferenced capture file %s", key)
    return scanned, deleted


def _is_referenced(key: str) -> bool:
    sha, _, ext = key.rsplit("/", 1)[-1].partition(".")
    column = {
        "html": Capture.html_sha256,
        "png": Capture.screenshot_sha256,
        "json": Capture.headers_sha256,
    }.get(ext)
    if column is None:
        return True  # not a name this area writes: leave it alone
    return db.session.scalar(sa.select(Capture.id).where(column == sha).limit(1)) is not None
