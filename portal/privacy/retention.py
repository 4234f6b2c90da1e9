"""Running the retention schedule: each due item is its own unit of work (its rows, its
"erased" event and its queued files commit together or not at all), files leave storage only
after that commit, and a run that dies half-way leaves whole items done and the rest for the
next run, which first finishes the file removals the dead run had committed to."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app

from portal.cases.models import Case
from portal.db import db, unit_of_work, utcnow
from portal.intake.models import Report
from portal.privacy.models import RetentionRun
from portal.privacy.operations import UnderLegalHold, erase, remove_pending_files
from portal.privacy.queries import DueItem, get_last_run, list_due

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    erased: list[DueItem] = field(default_factory=list)
    skipped: list[DueItem] = field(default_factory=list)
    files_removed: int = 0


def run_retention(
    *, now: datetime | None = None, after_item: Callable[[DueItem], None] | None = None
) -> RunResult:
    """Erase everything the schedule says is due, item by item; skip held items with their
    reason. `after_item` runs after each committed item (a test injects a failure there).
    Call outside a unit of work."""
    now = now or utcnow()
    result = RunResult(files_removed=remove_pending_files())
    with unit_of_work():
        run = RetentionRun(started_at=utcnow(), summary=[])
        db.session.add(run)
    run_id = run.id
    for item in list_due(now=now):
        db.session.rollback()  # the list's read transaction ends before each item's unit
        if item.blocked is None:
            item = _erase_item(item)
        (result.skipped if item.blocked else result.erased).append(item)
        with unit_of_work():
            _note(run_id, item)
        result.files_removed += remove_pending_files()
        if after_item is not None:
            after_item(item)
    with unit_of_work():
        finished = db.session.get_one(RetentionRun, run_id)
        finished.finished_at = utcnow()
        finished.files_removed = result.files_removed
    logger.info(
        "Retention run %s: %d erased, %d skipped, %d files removed",
        run_id,
        len(result.erased),
        len(result.skipped),
        result.files_removed,
    )
    return result


def _erase_item(item: DueItem) -> DueItem:
    """Erase one item in its own unit of work; a hold placed or the case reopened (or moved)
    since the list was made turns it into a skip."""
    try:
        with unit_of_work():
            report = db.session.get(Report, item.report_id)
            if report is None or report.case_id != item.case_id:
                return replace(item, blocked="case_changed")
            case = db.session.get_one(Case, item.case_id)
            if case.status != item.rule.status:  # reopened since the list was made
                return replace(item, blocked="case_changed")
            erase(report=report, kind=item.kind)
    except UnderLegalHold:
        return replace(item, blocked="legal_hold")
    return item


def _note(run_id: int, item: DueItem) -> None:
    run = db.session.get_one(RetentionRun, run_id)
    run.summary = [*run.summary, item.describe()]
    if item.blocked:
        run.skipped += 1
    else:
        run.erased += 1


def is_run_due(now: datetime) -> bool:
    """Whether the worker should run the schedule now (RETENTION_INTERVAL_HOURS since the
    last run started; never when the interval is 0)."""
    hours = current_app.config["RETENTION_INTERVAL_HOURS"]
    if not hours:
        return False
    last = get_last_run()
    return last is None or last.started_at <= now - timedelta(hours=hours)


def run_if_due() -> RunResult | None:
    """The worker's step: run the schedule when it is due."""
    now = utcnow()
    due = is_run_due(now)
    db.session.rollback()
    return run_retention(now=now) if due else None
