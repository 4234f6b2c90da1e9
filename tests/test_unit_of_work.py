"""One unit of work: it commits at the end, or rolls back, removes the files it stored that no
committed row uses, and re-raises."""

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from portal.cases.page import run_and_redirect
from portal.cases.workflow import CaseError
from portal.db import db, on_failure, unit_of_work
from portal.evidence.models import Evidence
from portal.evidence.operations import store_evidence
from portal.intake.models import Report
from tests.fixtures.images import png


class Crash(Exception):
    """Something that fails after the operations ran, before the unit ends."""


def stored_files(app) -> set[str]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def evidence_rows() -> list[tuple[int, str]]:
    """(report id, original key) of every committed evidence row."""
    db.session.rollback()  # look at what is committed, not at what the session still holds
    rows = db.session.execute(
        sa.select(Evidence.report_id, Evidence.original_key).order_by(Evidence.id)
    )
    return [tuple(row) for row in rows]


def keys_of(evidence: Evidence) -> set[str]:
    return {evidence.original_key, evidence.clean_key, evidence.thumb_key}


def test_a_failing_unit_keeps_no_row_and_no_file_and_re_raises(app_ctx, evidence_report):
    report = evidence_report()
    with pytest.raises(Crash), unit_of_work():
        evidence = store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        assert stored_files(app_ctx) == keys_of(evidence)
        raise Crash
    assert evidence_rows() == []
    assert stored_files(app_ctx) == set()


def test_a_unit_that_ends_keeps_its_row_and_its_files(app_ctx, evidence_report):
    report = evidence_report()
    with unit_of_work():
        evidence = store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        keys = keys_of(evidence)
    assert evidence_rows() == [(report.id, evidence.original_key)]
    assert stored_files(app_ctx) == keys


def test_a_commit_that_fails_removes_the_files_too(app_ctx, evidence_report):
    report = evidence_report()
    taken = {"case_id": report.case_id, "category_id": report.category_id}
    taken["tracking_hash"] = report.tracking_hash
    with pytest.raises(sa.exc.IntegrityError), unit_of_work():
        store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        # Not flushed here: the unique tracking hash is refused by the unit's own commit.
        db.session.add(Report(**taken, description="A second report with the same code."))
    assert evidence_rows() == []
    assert stored_files(app_ctx) == set()


def test_a_nested_unit_joins_the_outer_one(app_ctx, evidence_report):
    report = evidence_report()
    with pytest.raises(Crash), unit_of_work():
        with unit_of_work():
            store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        raise Crash  # after the inner unit ended without error
    assert evidence_rows() == []
    assert stored_files(app_ctx) == set()


def test_a_file_a_committed_row_uses_outlives_a_failing_unit(app_ctx, evidence_report):
    first, second = evidence_report(), evidence_report()
    with unit_of_work():
        kept = store_evidence(report=first, data=png(color=(9, 9, 9)), filename="a.png")
        keys = keys_of(kept)
    with pytest.raises(Crash), unit_of_work():
        # The same screenshot again for another report (the same content keys), and a new one.
        again = store_evidence(report=second, data=png(color=(9, 9, 9)), filename="again.png")
        assert keys_of(again) == keys
        store_evidence(report=second, data=png(color=(7, 7, 7)), filename="new.png")
        raise Crash
    assert evidence_rows() == [(first.id, kept.original_key)]
    assert stored_files(app_ctx) == keys


def test_undo_actions_run_after_the_rollback_and_one_failing_stops_none(
    app_ctx, caplog, monkeypatch
):
    # Alembic's fileConfig (a migration test earlier in the run) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("portal.db"), "disabled", False)
    seen = []

    def broken() -> None:
        raise OSError("storage unreachable")

    with pytest.raises(Crash), unit_of_work():
        db.session.execute(sa.select(1))
        on_failure(lambda: seen.append(("first", db.session().in_transaction())))
        on_failure(broken)
        raise Crash
    assert seen == [("first", False)]  # ran after `broken`, with no transaction left open
    assert "Could not undo a side effect" in caplog.text


def test_a_refused_case_action_is_rolled_back_and_flashed(app, evidence_report):
    with app.test_request_context(method="POST"):
        report = evidence_report()

        def refused() -> None:
            report.description = "Changed, then refused."
            db.session.flush()
            raise CaseError("Not in this state.")

        response = run_and_redirect(refused, "Done.", "/back")
        assert (response.status_code, response.location) == (303, "/back")
        assert get_flashed_messages(with_categories=True) == [("error", "Not in this state.")]
        assert db.session.get(Report, report.id).description != "Changed, then refused."
