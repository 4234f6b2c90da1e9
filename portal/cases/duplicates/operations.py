"""Merging cases and splitting reports out of them: both recorded, both reversible in effect.

A merged case keeps its row and reference: status "rejected", rejection_reason "duplicate",
and merged_into_id pointing at the case that now holds its reports."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.cases.duplicates.models import Decision
from portal.cases.duplicates.queries import record_decision
from portal.cases.history import record_event
from portal.cases.labels import assign_label
from portal.cases.models import Case, CaseEvent, Message, Status, Visibility
from portal.cases.operations import attach_report, open_case_for_report
from portal.cases.workflow import CaseError, RejectionReason, is_open
from portal.db import db, utcnow
from portal.intake.models import Report

logger = logging.getLogger(__name__)


class MergeError(CaseError):
    """A merge, split or undo that cannot be done; str() is a message for the officer."""


def refresh_case_numbers(case: Case) -> None:
    """Recompute report count, first report time and learned-on date from the case's reports."""
    db.session.flush()
    count, first_at, learned, closes_at = db.session.execute(
        sa.select(
            sa.func.count(Report.id),
            sa.func.min(Report.created_at),
            sa.func.min(Report.learned_on),
            sa.func.min(Report.window_closes_at),
        ).where(Report.case_id == case.id)
    ).one()
    case.report_count = count
    if first_at is not None:
        case.first_reported_at = first_at
        case.learned_on = learned
        case.window_closes_at = closes_at
    db.session.expire(case, ["reports"])


def _move_reports(report_ids: list[int], target: Case) -> dict[str, list[str | None]]:
    """Move the reports and give each its label in the target; returns id -> [old, new]."""
    labels: dict[str, list[str | None]] = {}
    reports = db.session.scalars(
        sa.select(Report).where(Report.id.in_(report_ids)).order_by(Report.id)
    )
    for report in reports:
        before = report.label
        report.case = target
        labels[str(report.id)] = [before, assign_label(report, target.id)]
    db.session.execute(
        sa.update(Message)
        .where(Message.report_id.in_(report_ids))
        .values(case_id=target.id)
        .execution_options(synchronize_session="fetch")
    )
    return labels


def merge_cases(*, source: Case, target: Case, actor: Any) -> None:
    """Move every report of source into target; source is marked merged (flushes)."""
    if source.id == target.id:
        raise MergeError(_l("A case cannot be merged into itself."))
    for case in (source, target):
        if case.merged_into_id is not None or not is_open(case.status):
            raise MergeError(
                _l(
                    "Case %(ref)s is closed or already merged; only open cases can be merged.",
                    ref=case.reference,
                )
            )
    report_ids = list(
        db.session.scalars(
            sa.select(Report.id).where(Report.case_id == source.id).order_by(Report.id)
        )
    )
    labels = _move_reports(report_ids, target)
    before = str(source.status)
    source.status = Status.REJECTED
    source.rejection_reason = RejectionReason.DUPLICATE
    source.resolved_at = utcnow()
    source.merged_into_id = target.id
    target.priority = max(target.priority or 0, source.priority or 0)
    refresh_case_numbers(source)
    refresh_case_numbers(target)
    record_decision(case=source, other=target, decision=Decision.MERGED, actor=actor)
    record_event(
        source,
        "merged_into",
        actor=actor,
        data={
            "target": target.reference,
            "target_id": target.id,
            "report_ids": report_ids,
            "before": before,
        },
    )
    record_event(
        target,
        "merged_from",
        visibility=Visibility.REPORTER,
        actor=actor,
        data={
            "source": source.reference,
            "source_id": source.id,
            "report_ids": report_ids,
            "labels": labels,
        },
    )
    logger.info(
        "Case %s merged into %s by user %s", source.id, target.id, getattr(actor, "id", None)
    )


def _last_merge(source: Case) -> CaseEvent | None:
    return db.session.scalar(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == source.id, CaseEvent.kind == "merged_into")
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    )


def unmerge_case(*, source: Case, actor: Any) -> Case:
    """Undo a merge: the source case's reports (still in the target) go back; returns target."""
    merge = _last_merge(source) if source.merged_into_id else None
    if merge is None:
        raise MergeError(_l("This case is not merged into another case."))
    target = db.session.get_one(Case, source.merged_into_id)
    report_ids = list(
        db.session.scalars(
            sa.select(Report.id).where(
                Report.id.in_(merge.data["report_ids"]), Report.case_id == target.id
            )
        )
    )
    labels = _move_reports(report_ids, source)
    source.status = merge.data["before"]
    source.rejection_reason = None
    source.resolved_at = None
    source.merged_into_id = None
    refresh_case_numbers(source)
    refresh_case_numbers(target)
    record_decision(case=source, other=target, decision=Decision.REJECTED, actor=actor)
    record_event(
        source,
        "merge_undone",
        actor=actor,
        data={
            "target": target.reference,
            "report_ids": report_ids,
            "status": merge.data["before"],
            "labels": labels,
        },
    )
    record_event(
        target,
        "merge_undone",
        visibility=Visibility.REPORTER,
        actor=actor,
        data={"source": source.reference, "report_ids": report_ids},
    )
    logger.info(
        "Merge of case %s into %s undone by user %s",
        source.id,
        target.id,
        getattr(actor, "id", None),
    )
    return target


def split_report(*, report: Report, actor: Any) -> Case:
    """Move one report out of its case into a new case, routed like a new report."""
    old = report.case
    if old.merged_into_id is not None:
        raise MergeError(_l("This case is merged into another case."))
    others = db.session.scalar(
        sa.select(sa.func.count(Report.id)).where(Report.case_id == old.id, Report.id != report.id)
    )
    if not others:
        raise MergeError(_l("This is the only report of the case; there is nothing to split."))
    new = open_case_for_report(report)
    attach_report(new, report)
    db.session.execute(
        sa.update(Message)
        .where(Message.report_id == report.id)
        .values(case_id=new.id)
        .execution_options(synchronize_session="fetch")
    )
    refresh_case_numbers(old)
    refresh_case_numbers(new)
    record_event(
        old,
        "report_split",
        actor=actor,
        report=report,
        data={"report_id": report.id, "new_case": new.reference},
    )
    record_event(
        new,
        "split_from",
        visibility=Visibility.REPORTER,
        actor=actor,
        report=report,
        data={"report_id": report.id, "from_case": old.reference},
    )
    logger.info(
        "Report %s split from case %s into %s by user %s",
        report.id,
        old.id,
        new.id,
        getattr(actor, "id", None),
    )
    return new


def list_merged_cases(case: Case) -> list[Case]:
    """Cases merged into this one, oldest first."""
    return list(
        db.session.scalars(sa.select(Case).where(Case.merged_into_id == case.id).order_by(Case.id))
    )


@dataclass(frozen=True)
class ReporterEntry:
    label: str
    report_id: int
    reported_at: datetime
    learned_on: date | None
    source: str


def list_reporters_timeline(case: Case) -> list[ReporterEntry]:
    """Who reported this case and when: one entry per report, in the order they came in."""
    rows = db.session.execute(
        sa.select(Report.id, Report.label, Report.created_at, Report.learned_on, Report.source)
        .where(Report.case_id == case.id)
        .order_by(Report.created_at, Report.id)
    ).all()
    return [ReporterEntry(r.label or "?", r.id, r.created_at, r.learned_on, r.source) for r in rows]
