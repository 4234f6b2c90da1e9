"""The case lifecycle: the transition table, the fields each move needs, versions, emails."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.cases.deadlines import add_days
from portal.cases.models import Case, CaseEvent, Status
from portal.cases.workflow import (
    TRANSITIONS,
    InvalidTransition,
    MissingField,
    StaleCase,
    change_status,
)
from portal.db import db
from portal.notify.models import OutboxMessage

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

FIELDS = {
    "reason": "spam",
    "reason_text": "Isi laporan hanya tes.",
    "outcome": "substantiated",
    "summary": "Terbukti melanggar netralitas.",
}
PAIRS = [(a, b) for a in Status for b in Status]


def _case_in(app, made, status: Status, officer_id: int) -> Case:
    case = db.session.get(Case, made.id)
    case.status = status
    case.assignee_id = officer_id
    db.session.flush()
    return case


def test_every_legal_move_works_and_every_other_is_refused(app, make_case, make_user):
    officer = make_user()
    made = make_case()
    legal_seen = 0
    with app.test_request_context(method="POST"), force_locale("en"):
        for before, after in PAIRS:
            case = _case_in(app, made, before, officer.id)
            if after in TRANSITIONS[before]:
                change_status(case=case, to=after, actor=officer, **FIELDS)
                db.session.commit()
                assert db.session.get(Case, made.id).status == after
                event = db.session.scalars(
                    sa.select(CaseEvent)
                    .where(CaseEvent.case_id == made.id)
                    .order_by(CaseEvent.seq.desc())
                ).first()
                assert event.kind == "status_changed" and event.visibility == "public"
                assert (event.data["before"], event.data["after"]) == (before, after)
                legal_seen += 1
            else:
                with pytest.raises(InvalidTransition) as refused:
                    change_status(case=case, to=after, actor=officer, **FIELDS)
                assert "cannot be moved" in str(refused.value), (before, after)
                db.session.rollback()
    assert legal_seen == sum(len(moves) for moves in TRANSITIONS.values())


def test_lifecycle_matches_the_design():
    assert TRANSITIONS[Status.NEW] == {Status.TRIAGED, Status.REJECTED}
    assert TRANSITIONS[Status.INVESTIGATING] == {Status.WAITING_FOR_REPORTER, Status.RESOLVED}
    assert Status.INVESTIGATING in TRANSITIONS[Status.WAITING_FOR_REPORTER]
    assert TRANSITIONS[Status.RESOLVED] == {Status.CLOSED, Status.REOPENED}
    assert TRANSITIONS[Status.REOPENED] == {Status.INVESTIGATING}
    assert all(
        Status.REJECTED not in TRANSITIONS[s]
        for s in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED, Status.REOPENED)
    )


@pytest.mark.parametrize(
    ("to", "fields", "message"),
    [
        (Status.REJECTED, {"reason_text": "x"}, "why the case is rejected"),
        (Status.REJECTED, {"reason": "bogus", "reason_text": "x"}, "why the case is rejected"),
        (Status.REJECTED, {"reason": "spam", "reason_text": "  "}, "Explain the rejection"),
        (Status.RESOLVED, {"summary": "x"}, "outcome"),
        (Status.RESOLVED, {"outcome": "substantiated"}, "summary"),
    ],
)
def test_moves_need_their_fields(app, make_case, make_user, to, fields, message):
    officer = make_user()
    made = make_case()
    before = Status.ASSIGNED if to == Status.REJECTED else Status.INVESTIGATING
    with app.test_request_context(method="POST"), force_locale("en"):
        case = _case_in(app, made, before, officer.id)
        with pytest.raises(MissingField) as refused:
            change_status(case=case, to=to, actor=officer, **fields)
        assert message in str(refused.value)
        assert case.status == before


def test_resolution_records_outcome_summary_and_time(app, make_case, make_user):
    officer = make_user()
    made = make_case()
    with app.test_request_context(method="POST"), force_locale("en"):
        case = _case_in(app, made, Status.INVESTIGATING, officer.id)
        change_status(
            case=case,
            to="resolved",
            actor=officer,
            outcome="not_substantiated",
            summary="Tidak terbukti.",
        )
        db.session.commit()
        case = db.session.get(Case, made.id)
        assert case.outcome == "not_substantiated" and case.public_summary == "Tidak terbukti."
        assert case.resolved_at is not None and case.first_response_at is not None
        change_status(case=case, to="reopened", actor=officer)
        assert case.resolved_at is None


def test_stale_version_is_refused(app, make_case, make_user):
    officer = make_user()
    made = make_case()
    with app.test_request_context(method="POST"), force_locale("en"):
        case = db.session.get(Case, made.id)
        shown = case.version
        change_status(case=case, to="triaged", actor=officer, expected_version=shown)
        db.session.commit()
        with pytest.raises(StaleCase) as refused:
            change_status(
                case=case,
                to="rejected",
                actor=officer,
                expected_version=shown,
                reason="spam",
                reason_text="x",
            )
        assert "Someone else changed this case" in str(refused.value)
        assert db.session.get(Case, made.id).status == "triaged"


def test_stale_form_is_refused_on_the_page(client, app, make_case, make_user, login_as):
    officer = make_user()
    made = make_case()
    login_as(client, officer)
    client.post("/bahasa", data={"lang": "en"})
    with app.test_request_context(method="POST"), force_locale("en"):
        version = db.session.get(Case, made.id).version
    first = client.post(
        f"/petugas/kasus/{made.id}/status", data={"to": "triaged", "version": version}
    )
    assert first.status_code == 303
    second = client.post(
        f"/petugas/kasus/{made.id}/status",
        follow_redirects=True,
        data={"to": "rejected", "version": version, "reason": "spam", "reason_text": "x"},
    )
    assert "Someone else changed this case" in second.text
    with app.test_request_context(method="POST"), force_locale("en"):
        assert db.session.get(Case, made.id).status == "triaged"


def test_illegal_move_on_the_page_shows_a_message(client, app, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    client.post("/bahasa", data={"lang": "en"})
    with app.test_request_context(method="POST"), force_locale("en"):
        version = db.session.get(Case, made.id).version
    page = client.post(
        f"/petugas/kasus/{made.id}/status",
        follow_redirects=True,
        data={"to": "closed", "version": version},
    )
    assert "cannot be moved" in page.text
    with app.test_request_context(method="POST"), force_locale("en"):
        assert db.session.get(Case, made.id).status == "new"


def test_status_change_emails_reporters_with_email_but_not_anonymous(app, make_case, make_user):
    officer = make_user()
    made = make_case(reports=3, emails=["satu@example.com", "dua@example.com", None])
    anonymous = make_case(visibility="anonymous", emails=["anon@example.com"])
    with app.test_request_context(method="POST"), force_locale("en"):
        for case_id in (made.id, anonymous.id):
            case = _case_in(app, type("M", (), {"id": case_id}), Status.ASSIGNED, officer.id)
            change_status(case=case, to="investigating", actor=officer)
        db.session.commit()
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_status")
        ).all()
    assert sorted(m.recipient for m in mails) == ["dua@example.com", "satu@example.com"]
    for mail in mails:
        assert "Sedang ditindaklanjuti" in mail.body_text
        assert "Akun resmi" not in mail.body_text  # never the report text
        assert "/lacak" in mail.body_text


def test_internal_steps_send_no_email(app, make_case, make_user):
    officer = make_user()
    made = make_case(emails=["satu@example.com"])
    with app.test_request_context(method="POST"), force_locale("en"):
        case = db.session.get(Case, made.id)
        change_status(case=case, to="triaged", actor=officer)
        db.session.commit()
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "case_status")
            )
            == 0
        )


def test_deadline_in_working_days_skips_weekends():
    friday = datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert add_days(friday, 1, True) == datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday
    assert add_days(friday, 5, True) == datetime(2026, 12, 4, 9, tzinfo=UTC)
    assert add_days(friday, 5, False) == datetime(2026, 12, 2, 9, tzinfo=UTC)


def test_case_deadline_comes_from_its_category(app, make_case):
    made = make_case(category="pungli")  # 14 working days
    with app.test_request_context(method="POST"), force_locale("en"):
        case = db.session.get(Case, made.id)
        expected = add_days(case.first_reported_at, 14, True)
        assert abs((case.due_at - expected).total_seconds()) < 5


def test_case_learns_from_the_earliest_report(app, make_case):
    made = make_case(learned_on=date(2026, 11, 20))
    with app.test_request_context(method="POST"), force_locale("en"):
        from portal.cases.operations import attach_report
        from portal.intake.models import Report

        case = db.session.get(Case, made.id)
        attach_report(
            case,
            Report(
                tracking_hash="e" * 64,
                category_id=case.category_id,
                description="x",
                learned_on=date(2026, 11, 18),
            ),
        )
        db.session.commit()
        assert db.session.get(Case, made.id).learned_on == date(2026, 11, 18)
