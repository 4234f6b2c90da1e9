"""Merging cases, undoing a merge and splitting a report out: counts, history, access."""

import pytest
import sqlalchemy as sa

from portal.cases.duplicates.operations import MergeError, merge_cases, split_report, unmerge_case
from portal.cases.models import Case, CaseEvent, Message, Status
from portal.db import db
from tests.test_cases_duplicates_support import case_of, file_report, flip

BASE = "0123456789abcdef"


def kinds(case: Case) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    )


def test_merge_then_split_restores_counts_and_records_everything(app_ctx, make_user):
    officer = make_user()
    target_reports = [
        file_report(links=["https://x.com/a/status/1"], hours_ago=5) for _ in range(3)
    ]
    source_reports = [
        file_report(links=["https://x.com/a/status/2"], hours_ago=30) for _ in range(2)
    ]
    target, source = case_of(target_reports[0]), case_of(source_reports[0])
    assert (target.report_count, source.report_count) == (3, 2)
    message = Message(
        case_id=source.id,
        report_id=source_reports[0].id,
        direction="from_reporter",
        body="Ini tautannya",
    )
    db.session.add(message)
    db.session.flush()

    merge_cases(source=source, target=target, actor=officer)
    assert target.report_count == 5
    assert target.first_reported_at == min(r.created_at for r in source_reports)
    assert source.report_count == 0 and source.merged_into_id == target.id
    assert source.status == Status.REJECTED and source.rejection_reason == "duplicate"
    assert db.session.get(Message, message.id).case_id == target.id
    assert "merged_into" in kinds(source) and "merged_from" in kinds(target)
    # A new report with the merged case's link now joins the target, not the merged case.
    assert file_report(links=["https://x.com/a/status/2"]).case_id == target.id
    assert target.report_count == 6

    new_case = split_report(report=source_reports[1], actor=officer)
    assert new_case.id not in (source.id, target.id) and new_case.reference
    assert new_case.report_count == 1 and target.report_count == 5
    assert "report_split" in kinds(target)
    assert kinds(new_case)[:3] == ["created", "report_attached", "split_from"]


def test_undo_merge_brings_reports_and_status_back(app_ctx, make_user):
    officer = make_user()
    target = case_of(file_report(phashes=[BASE]))
    source_report = file_report(phashes=[flip(BASE, [1])])
    source = case_of(source_report)
    source.status = Status.TRIAGED
    db.session.flush()
    merge_cases(source=source, target=target, actor=officer)
    assert target.report_count == 2

    unmerge_case(source=source, actor=officer)
    assert (source.report_count, target.report_count) == (1, 1)
    assert source.status == Status.TRIAGED and source.merged_into_id is None
    assert db.session.get(type(source_report), source_report.id).case_id == source.id
    assert kinds(source)[-1] == "merge_undone" and kinds(target)[-1] == "merge_undone"
    from portal.cases.duplicates.queries import list_duplicate_suggestions

    assert list_duplicate_suggestions(source) == []  # undoing says "not the same matter"


def test_refused_merges_and_splits(app_ctx, make_user):
    officer = make_user()
    one = case_of(file_report())
    two = case_of(file_report())
    with pytest.raises(MergeError):
        merge_cases(source=one, target=one, actor=officer)
    two.status = Status.CLOSED
    db.session.flush()
    with pytest.raises(MergeError):
        merge_cases(source=one, target=two, actor=officer)
    with pytest.raises(MergeError):
        split_report(report=one.reports[0], actor=officer)
    with pytest.raises(MergeError):
        unmerge_case(source=one, actor=officer)
