"""The retention schedule: what goes when, legal holds, open referrals, an interrupted run,
and the hash chain still verifying after erasure (domain functions and `flask` commands)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.cases.history import verify_chain
from portal.cases.models import Case, CaseEvent, CaseSearch, Message
from portal.cases.referrals.models import Referral
from portal.cases.workflow import change_status
from portal.db import db, unit_of_work, utcnow
from portal.evidence.models import Evidence
from portal.evidence.operations import add_evidence, store_image
from portal.evidence.storage import get_storage
from portal.intake.models import Report
from portal.notify.models import OutboxMessage
from portal.privacy.models import LegalHold, PendingFileRemoval, RetentionRun
from portal.privacy.operations import (
    PrivacyError,
    UnderLegalHold,
    erase,
    lift_legal_hold,
    place_legal_hold,
)
from portal.privacy.policy import Kind, ScheduleError
from portal.privacy.queries import list_due
from portal.privacy.retention import run_retention
from tests.fixtures.images import png

LATER = timedelta(days=400)


def _close(case: Case, actor) -> None:
    """Move a case along the real workflow to closed."""
    case.assignee_id = actor.id
    for status in ("triaged", "assigned", "investigating"):
        change_status(case=case, to=status, actor=actor)
    change_status(case=case, to="resolved", actor=actor, outcome="substantiated", summary="Ya.")
    change_status(case=case, to="closed", actor=actor)


def _reject_spam(case: Case, actor) -> None:
    change_status(case=case, to="rejected", actor=actor, reason="spam", reason_text="Iklan.")


@pytest.fixture
def ended_case(app, make_case, make_user):
    """ended_case(how="closed"|"spam", email=...) -> (case id, report id), with a screenshot,
    a message and mail to the reporter."""
    officer = make_user(role="supervisor")

    def build(how: str = "closed", email: str = "pelapor@example.test", seed: int = 1):
        made = make_case(emails=[email])
        with app.app_context():
            report = db.session.get(Report, made.report_ids[0])
            report.contact_name, report.contact_phone = "Siti", "081234567890"
            image = store_image(data=png(color=(seed * 40 % 255, 90, 160)), filename="layar.png")
            add_evidence(report=report, image=image)
            db.session.add(
                Message(
                    case_id=made.id,
                    report_id=report.id,
                    direction="from_reporter",
                    body="Saya bekerja di dinas itu.",
                    created_at=utcnow(),
                )
            )
            db.session.add(
                OutboxMessage(kind="news", recipient=email, subject="Kabar", body_text="Halo Siti")
            )
            case = db.session.get(Case, made.id)
            (_close if how == "closed" else _reject_spam)(case, officer)
            db.session.commit()
        return made.id, made.report_ids[0]

    build.officer = officer
    return build


def _keys(report_id: int) -> list[str]:
    rows = db.session.scalars(sa.select(Evidence).where(Evidence.report_id == report_id)).all()
    return [k for e in rows for k in (e.original_key, e.clean_key, e.thumb_key)]


def test_a_closed_case_keeps_everything_until_its_time_then_loses_contact_and_chain_verifies(
    app, ended_case
):
    case_id, report_id = ended_case("closed")
    with app.app_context():
        assert list_due(now=utcnow()) == []  # just closed: nothing is due yet
        result = run_retention(now=utcnow() + LATER)
        assert [(i.kind, i.report_id) for i in result.erased] == [(Kind.CONTACT, report_id)]
        report = db.session.get(Report, report_id)
        assert (report.contact_name, report.contact_email, report.contact_phone) == (None,) * 3
        mail = db.session.scalar(sa.select(OutboxMessage))
        assert (mail.recipient, mail.body_text, mail.sent_at) == ("erased", "", None)
        assert mail.failed_at is not None  # never sent to an address we no longer hold
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "erased"))
        assert event.data == {
            "report_id": report_id,
            "what": "contact",
            "by": "retention",
            "fields": ["contact_name", "contact_email", "contact_phone"],
        }
        assert event.actor_label == "retention"
        emails = db.session.scalar(
            sa.select(CaseSearch.emails).where(CaseSearch.case_id == case_id)
        )
        assert "pelapor@example.test" not in emails  # staff search no longer finds her
        assert "pelapor@example.test" not in str(event.data)
        assert verify_chain(case_id).is_intact
        # messages and screenshots of a closed case stay longer (730 and 1825 days)
        assert db.session.scalar(sa.select(Message.body)) == "Saya bekerja di dinas itu."
        assert _keys(report_id)
        run = db.session.scalar(sa.select(RetentionRun))
        assert run.finished_at is not None and run.erased == 1


def test_spam_screenshots_go_after_30_days_files_removed_after_commit_and_audit_verify_is_green(
    app, ended_case
):
    case_id, report_id = ended_case("spam")
    runner = app.test_cli_runner()
    with app.app_context():
        keys = _keys(report_id)
        storage = get_storage()
        assert keys and all(storage.exists(k) for k in keys)
        dry = runner.invoke(args=["retention", "run", "--dry-run"])
        assert "DRY RUN: 0 would be erased" in dry.output  # 30 days have not passed
        result = run_retention(now=utcnow() + timedelta(days=31))
        assert {i.kind for i in result.erased} == {Kind.SCREENSHOTS}
        assert not any(storage.exists(k) for k in keys)
        assert result.files_removed == len(set(keys))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingFileRemoval)) == 0
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "erased"))
        assert event.data["evidence"][0]["sha256"]  # what was held is still provable
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "OK: 1 cases" in verified.output


def test_a_file_another_report_still_uses_stays(app, ended_case, make_case):
    case_id, report_id = ended_case("spam", seed=3)
    other_id = make_case().report_ids[0]
    with app.app_context():
        keys = _keys(report_id)
        other = db.session.get(Report, other_id)
        add_evidence(
            report=other, image=store_image(data=png(color=(120, 90, 160)), filename="x.png")
        )
        db.session.commit()
        run_retention(now=utcnow() + timedelta(days=31))
        assert all(get_storage().exists(k) for k in keys)  # same bytes: the other row uses them


def test_legal_hold_needs_a_reason_and_stops_every_erasure(app, ended_case):
    case_id, report_id = ended_case("closed")
    officer = ended_case.officer
    with app.app_context():
        case = db.session.get(Case, case_id)
        for reason in ("", "   ", "court"):
            with pytest.raises(PrivacyError):
                place_legal_hold(case=case, actor=officer, reason=reason)
        with unit_of_work():
            place_legal_hold(case=case, actor=officer, reason="Putusan PN Palembang no. 12/2027")
        with pytest.raises(PrivacyError):  # one hold at a time
            place_legal_hold(case=case, actor=officer, reason="Another court order here")
        with pytest.raises(UnderLegalHold):
            erase(report=db.session.get(Report, report_id), kind=Kind.CONTACT)
        db.session.rollback()
        result = run_retention(now=utcnow() + LATER)
        assert result.erased == [] and [i.blocked for i in result.skipped] == ["legal_hold"]
        assert db.session.get(Report, report_id).contact_email == "pelapor@example.test"
        with unit_of_work():
            lift_legal_hold(case=db.session.get(Case, case_id), actor=officer)
        result = run_retention(now=utcnow() + LATER)
        assert [i.kind for i in result.erased] == [Kind.CONTACT]
        kinds = db.session.scalars(
            sa.select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).all()
        assert kinds[-3:] == ["legal_hold_placed", "legal_hold_lifted", "erased"]
        assert verify_chain(case_id).is_intact
        assert db.session.scalar(sa.select(LegalHold.lifted_at)) is not None


def test_screenshots_stay_while_a_referral_is_open(app, ended_case):
    case_id, report_id = ended_case("spam")
    with app.app_context():
        db.session.add(Referral(case_id=case_id, body="bkn", referred_on=date.today()))
        db.session.commit()
        result = run_retention(now=utcnow() + timedelta(days=31))
        assert [(i.kind, i.blocked) for i in result.skipped] == [
            (Kind.SCREENSHOTS, "referral_open")
        ]
        assert _keys(report_id)


class Interrupted(Exception):
    pass


def test_an_interrupted_run_leaves_nothing_half_erased_and_the_next_run_finishes(app, ended_case):
    first = ended_case("closed", email="satu@example.test", seed=1)
    second = ended_case("closed", email="dua@example.test", seed=2)

    def die_after_first(item):
        raise Interrupted()

    with app.app_context():
        with pytest.raises(Interrupted):
            run_retention(now=utcnow() + LATER, after_item=die_after_first)
        db.session.rollback()
        reports = [db.session.get(Report, r) for _c, r in (first, second)]
        done = [r for r in reports if r.contact_email is None]
        left = [r for r in reports if r.contact_email is not None]
        assert len(done) == 1 and len(left) == 1
        assert left[0].contact_name == "Siti" and left[0].contact_phone  # untouched, whole
        erased = db.session.scalars(
            sa.select(CaseEvent.report_id).where(CaseEvent.kind == "erased")
        )
        assert list(erased) == [done[0].id]
        run = db.session.scalar(sa.select(RetentionRun))
        assert run.finished_at is None and run.erased == 1  # the admin page shows it unfinished
        result = run_retention(now=utcnow() + LATER)
        assert [i.report_id for i in result.erased] == [left[0].id]
        db.session.refresh(left[0])
        assert left[0].contact_email is None
        assert all(verify_chain(c).is_intact for c, _r in (first, second))


def test_a_failure_inside_an_item_rolls_the_whole_item_back(app, ended_case):
    case_id, report_id = ended_case("spam")
    with app.app_context():
        keys = _keys(report_id)
        with pytest.raises(Interrupted), unit_of_work():
            erase(report=db.session.get(Report, report_id), kind=Kind.SCREENSHOTS)
            raise Interrupted()  # e.g. the process dies before the commit
        assert _keys(report_id) == keys and all(get_storage().exists(k) for k in keys)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingFileRemoval)) == 0
        assert not db.session.scalars(sa.select(CaseEvent).where(CaseEvent.kind == "erased")).all()


def test_files_queued_by_a_run_killed_after_its_commit_are_removed_by_the_next_run(app, ended_case):
    case_id, report_id = ended_case("spam")
    with app.app_context():
        keys = _keys(report_id)
        with unit_of_work():  # the erasure committed; the process died before removing files
            erase(report=db.session.get(Report, report_id), kind=Kind.SCREENSHOTS)
        assert all(get_storage().exists(k) for k in keys)
        result = run_retention(now=utcnow())
        assert result.files_removed == len(set(keys))
        assert not any(get_storage().exists(k) for k in keys)


def test_the_worker_runs_the_schedule_once_per_interval(app, ended_case):
    from portal.worker.loop import run_pass

    case_id, report_id = ended_case("closed")
    with app.app_context():
        assert not run_pass(owner="t").errors
        assert not run_pass(owner="t").errors
        runs = db.session.scalars(sa.select(RetentionRun)).all()
        assert len(runs) == 1 and runs[0].finished_at is not None


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "contact", "status": "investigating", "days": 10},  # an open case
        {"kind": "photos", "status": "closed", "days": 10},
        {"kind": "contact", "status": "closed", "days": -1},
        {"kind": "contact", "status": "closed"},
    ],
)
def test_a_schedule_that_cannot_be_read_stops_the_start(make_app, rule):
    with pytest.raises(ScheduleError):
        make_app(RETENTION_SCHEDULE=(rule,))


def test_a_case_reopened_during_a_run_is_skipped(app, ended_case):
    first = ended_case("closed", email="satu@example.test", seed=1)
    second = ended_case("closed", email="dua@example.test", seed=2)
    officer = ended_case.officer

    def reopen_the_other(item):
        other = second[0] if item.case_id == first[0] else first[0]
        with unit_of_work():
            change_status(case=db.session.get(Case, other), to="reopened", actor=officer)

    with app.app_context():
        result = run_retention(now=utcnow() + LATER, after_item=reopen_the_other)
        assert len(result.erased) == 1
        assert [i.blocked for i in result.skipped] == ["case_changed"]
        kept = db.session.get(Report, result.skipped[0].report_id)
        assert kept.contact_email is not None


def test_a_run_killed_half_way_leaves_whole_items_and_the_next_run_finishes(
    app, ended_case, tmp_path
):
    """A real `flask retention run` process, killed (SIGKILL) once it reports its first
    committed item: every report is either wholly erased with its event, or untouched."""
    import subprocess
    import sys

    from tests.fixtures.processes import clean_env, project_copy

    made = [ended_case("closed", email=f"p{n}@example.test", seed=n) for n in range(1, 7)]
    env = clean_env(
        FLASK_APP="app",
        PORTAL_SECRET_KEY="test-secret",
        PORTAL_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        PORTAL_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        PORTAL_RETENTION_SCHEDULE='[{"kind": "contact", "status": "closed", "days": 0}]',
    )
    command = [sys.executable, "-m", "flask", "retention", "run"]
    project = project_copy(tmp_path)
    with subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as run:
        first = run.stdout.readline()
        run.kill()
    assert first.startswith("erased contact of report")
    with app.app_context():
        erased = set(
            db.session.scalars(sa.select(CaseEvent.report_id).where(CaseEvent.kind == "erased"))
        )
        for _case, report_id in made:
            report = db.session.get(Report, report_id)
            contact = (report.contact_name, report.contact_email, report.contact_phone)
            if report_id in erased:
                assert contact == (None, None, None)
            else:
                assert None not in contact  # not one field gone without the others
        assert erased  # at least the item it reported
    with app.app_context():
        result = run_retention(now=utcnow() + LATER)  # the next run (one process start is enough)
        assert {i.report_id for i in result.erased} == {r for _c, r in made} - erased
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Report.contact_email.is_not(None)))
            == 0
        )
        assert all(verify_chain(case_id).is_intact for case_id, _r in made)
