"""Reads of the capture area: what a case's links captured, who may see it, registry matches."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from portal.capture.models import (
    Capture,
    CaptureSession,
    Job,
    JobKind,
    JobState,
    OfficialAccount,
    OfficialMatch,
)
from portal.cases.models import Case
from portal.cases.queries import scope
from portal.db import db
from portal.evidence.models import Link
from portal.intake.models import Report


@dataclass(frozen=True)
class LinkCapture:
    url: str
    capture: Capture | None
    job: Job | None
    first_reported_at: datetime | None

    @property
    def removed_after_hours(self) -> int | None:
        """Whole hours from the first report to when the removal was first seen."""
        if self.capture is None or self.capture.removed_at is None or not self.first_reported_at:
            return None
        seconds = (self.capture.removed_at - self.first_reported_at).total_seconds()
        return max(0, int(seconds // 3600))

    @property
    def is_pending(self) -> bool:
        return self.capture is None and (self.job is None or self.job.state == JobState.QUEUED)

    @property
    def state(self) -> str:
        """queued, retrying (failed, another try is due), failed, captured, login_wall or
        removed: what an officer is told about this link."""
        cap, job = self.capture, self.job
        if cap is None:
            if job is not None and job.state == JobState.FAILED:
                return "failed"
            return "retrying" if job is not None and job.last_error else "queued"
        if cap.liveness == "removed":
            return "removed"
        if cap.is_login_wall:
            return "login_wall"
        return "captured" if cap.is_ok else "failed"

    @property
    def failure_code(self) -> str | None:
        """Why the last try failed: the fetch error code ("connection", "http_error"...)."""
        if self.capture is not None:
            return self.capture.error
        error = self.job.last_error if self.job is not None else None
        return error.rsplit(": ", 1)[-1] if error else None

    @property
    def next_retry_at(self) -> datetime | None:
        """When the worker tries again, for a link whose last try failed."""
        if self.state == "retrying" and self.job is not None:
            return self.job.run_after
        return None

    @property
    def can_retry(self) -> bool:
        """A failed link (or one waiting for its next try) may be tried again now."""
        return self.state in ("retrying", "failed")


def _handle(column: Any) -> Any:
    return sa.func.lower(sa.func.ltrim(sa.func.trim(column), "@"))


def list_unflagged_matches(*, since: datetime | None = None) -> list[tuple[int, int]]:
    """(case id, official account id) pairs that match but are not flagged yet (among reports
    received since `since`, or all)."""
    recent = Report.created_at >= since if since else sa.true()
    by_link = (
        sa.select(Report.case_id, OfficialAccount.id)
        .join(Link, Link.report_id == Report.id)
        .join(
            OfficialAccount,
            sa.and_(
                OfficialAccount.platform == Link.platform,
                OfficialAccount.handle == _handle(Link.account),
            ),
        )
        .where(recent)
    )
    by_name = (
        sa.select(Report.case_id, OfficialAccount.id)
        .join(OfficialAccount, OfficialAccount.handle == _handle(Report.reported_account))
        .where(
            sa.or_(Report.platform.is_(None), Report.platform == OfficialAccount.platform), recent
        )
    )
    pairs = {(row[0], row[1]) for row in db.session.execute(by_link.union(by_name))}
    if not pairs:
        return []
    done = {
        (row[0], row[1])
        for row in db.session.execute(
            sa.select(OfficialMatch.case_id, OfficialMatch.account_id).where(
                OfficialMatch.case_id.in_({case_id for case_id, _ in pairs})
            )
        )
    }
    return sorted(pairs - done)


def official_accounts_for_case(case: Case) -> list[OfficialAccount]:
    """The official accounts this case's reports name."""
    return list(
        db.session.scalars(
            sa.select(OfficialAccount)
            .join(OfficialMatch, OfficialMatch.account_id == OfficialAccount.id)
            .where(OfficialMatch.case_id == case.id)
            .order_by(OfficialAccount.agency)
        )
    )


def list_link_captures(case: Case) -> list[LinkCapture]:
    """Each distinct canonical link of the case with its capture (or pending job)."""
    urls = cast(
        "Sequence[str]",  # NULLs are left out
        db.session.scalars(
            sa.select(Link.url_canonical)
            .join(Report, Report.id == Link.report_id)
            .where(Report.case_id == case.id, Link.url_canonical.is_not(None))
            .group_by(Link.url_canonical)
            .order_by(sa.func.min(Link.id))
        ).all(),
    )
    if not urls:
        return []
    captures = {
        c.url_canonical: c
        for c in db.session.scalars(sa.select(Capture).where(Capture.url_canonical.in_(urls)))
    }
    jobs = {
        j.target: j
        for j in db.session.scalars(
            sa.select(Job).where(Job.kind == JobKind.CAPTURE, Job.target.in_(urls))
        )
    }
    firsts = {
        row[0]: row[1]
        for row in db.session.execute(
            sa.select(Link.url_canonical, sa.func.min(Report.created_at))
            .join(Report, Report.id == Link.report_id)
            .where(Link.url_canonical.in_(urls))
            .group_by(Link.url_canonical)
        )
    }
    return [LinkCapture(url, captures.get(url), jobs.get(url), firsts.get(url)) for url in urls]


def get_capture_for(user: Any, capture_id: int) -> Capture | None:
    """The capture when one of the cases linking to it is visible to the user, else None."""
    visible = (
        sa.select(Link.id)
        .join(Report, Report.id == Link.report_id)
        .join(Case, Case.id == Report.case_id)
        .where(Link.url_canonical == Capture.url_canonical, scope(user))
    )
    return db.session.scalar(sa.select(Capture).where(Capture.id == capture_id, visible.exists()))


def list_official_accounts() -> list[OfficialAccount]:
    """The registry, by platform and handle."""
    return list(
        db.session.scalars(
            sa.select(OfficialAccount).order_by(OfficialAccount.platform, OfficialAccount.handle)
        )
    )


def count_removed_captures() -> int:
    """Captured posts seen removed at least once (for the transparency page)."""
    return db.session.execute(
        sa.select(sa.func.count()).where(Capture.removed_at.is_not(None))
    ).scalar_one()


def list_sessions() -> dict[str, CaptureSession]:
    """The stored platform sessions by platform (their sealed contents stay sealed)."""
    return {row.platform: row for row in db.session.scalars(sa.select(CaptureSession))}
