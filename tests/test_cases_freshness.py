"""A case's page version moves with every write its pages show, in the same transaction, and
with no read: the key of every copy kept of a case page or a status page."""

import secrets

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.capture.models import Capture, LivenessCheck
from portal.cases import freshness
from portal.cases.duplicates.operations import merge_cases
from portal.cases.models import Case
from portal.cases.operations import add_note, assign_case, claim_case, send_message
from portal.cases.workflow import change_status
from portal.db import db, unit_of_work, utcnow
from portal.evidence.links import canonicalize_link
from portal.evidence.models import Evidence, Link, Redaction
from tests.test_cases_duplicates_support import add_evidence, case_of, file_report

URL = "https://x.com/akun/status/1"


def version(case_id: int) -> int:
    """The committed page version, read past the session's copy."""
    return db.session.execute(
        sa.select(Case.__table__.c.page_version).where(Case.__table__.c.id == case_id)
    ).scalar_one()


def staff(role: str = "officer", team_id: int | None = None) -> User:
    """A staff user in the test's own session (another session would wait on its lock)."""
    user = User(
        email=f"{role}{secrets.token_hex(4)}@example.test", name=role, role=role, team_id=team_id
    )
    user.password_hash = "x"
    db.session.add(user)
    db.session.flush()
    return user


def committed(action) -> None:
    with unit_of_work():
        action()


@pytest.fixture
def case(app_ctx):
    report = file_report(links=[URL])
    add_evidence(report, "0123456789abcdef")
    db.session.commit()
    return case_of(report)


def test_every_model_is_resolved_or_said_to_show_on_no_case_page(app_ctx):
    """A new model must say which case pages its rows change, or that they change none."""
    classes = {mapper.class_ for mapper in db.Model.registry.mappers}
    listed = [set(freshness.RESOLVERS), set(freshness.EVERY_CASE), set(freshness.UNSHOWN)]
    forgotten = sorted(c.__name__ for c in classes if not any(c in s for s in listed))
    assert not forgotten, f"say how they change case pages (cases/freshness.py): {forgotten}"
    twice = sorted(c.__name__ for c in classes if sum(c in s for s in listed) > 1)
    assert not twice


def test_reading_a_case_and_its_page_moves_nothing(app_ctx, case, make_user, login_as, app):
    before = version(case.id)
    db.session.rollback()  # the requests below read in their own sessions
    officer = make_user()
    client = app.test_client()
    login_as(client, officer)
    assert client.get(f"/petugas/kasus/{case.id}").status_code == 200
    assert client.get("/petugas/kasus/").status_code == 200
    db.session.rollback()
    assert version(case.id) == before


def test_officer_writes_bump_the_version(app_ctx, case):
    officer = staff(team_id=case.team_id)
    supervisor = staff("supervisor", case.team_id)
    report = case.reports[0]
    steps = [
        lambda: change_status(case=case, to="triaged", actor=officer),
        lambda: add_note(case=case, author=officer, body="Cek akun"),
        lambda: send_message(case=case, report=report, author=officer, body="Terima kasih"),
        lambda: assign_case(case=case, assignee=officer, actor=supervisor),
    ]
    for step in steps:
        before = version(case.id)
        committed(step)
        assert version(case.id) == before + 1


def test_a_claim_by_bulk_update_bumps_through_its_event(app_ctx, case):
    officer = staff(team_id=case.team_id)
    before = version(case.id)
    committed(lambda: claim_case(case=case, officer=officer))
    assert version(case.id) > before


def test_a_new_report_joining_bumps_its_case(app_ctx, case):
    before = version(case.id)
    committed(lambda: file_report(links=[URL]))  # the same link joins the same case
    assert case_of(case.reports[-1]).report_count == 2
    assert version(case.id) > before


def test_evidence_and_its_redaction_bump_the_reports_case(app_ctx, case):
    report = case.reports[0]
    before = version(case.id)
    committed(lambda: add_evidence(report, "fedcba9876543210"))
    assert version(case.id) == before + 1
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.report_id == report.id))

    def redact() -> None:
        db.session.add(
            Redaction(
                evidence_id=evidence.id,
                version=1,
                key="r/1.png",
                thumb_key="r/1.webp",
                mime="image/png",
                sha256="a" * 64,
                size=1,
            )
        )

    committed(redact)
    assert version(case.id) == before + 2

    def delete() -> None:  # a deleted row bumps the case it belonged to
        db.session.delete(db.session.scalar(sa.select(Redaction)))

    committed(delete)
    assert version(case.id) == before + 3


def test_a_capture_and_its_checks_bump_every_case_with_the_link(app_ctx, case):
    other = case_of(file_report(links=["https://x.com/lain/status/2"]))
    found = canonicalize_link(URL)
    db.session.add(
        Link(report_id=other.reports[0].id, url_given=URL, url_canonical=found.url_canonical)
    )
    db.session.commit()
    assert other.id != case.id
    before = {c: version(c) for c in (case.id, other.id)}
    capture = Capture(url_canonical=case.reports[0].links[0].url_canonical)
    committed(lambda: db.session.add(capture))
    assert all(version(c) == before[c] + 1 for c in before)
    check = LivenessCheck(capture_id=capture.id, checked_at=utcnow(), state="live")
    committed(lambda: db.session.add(check))
    assert all(version(c) == before[c] + 2 for c in before)


def test_a_merge_bumps_both_cases(app_ctx):
    officer = staff()
    target = case_of(file_report(links=["https://x.com/a/status/7"]))
    source = case_of(file_report(links=["https://x.com/a/status/8"], hours_ago=2))
    db.session.commit()
    before = {c: version(c) for c in (target.id, source.id)}
    committed(lambda: merge_cases(source=source, target=target, actor=officer))
    assert all(version(c) > before[c] for c in before)


def test_a_failed_unit_bumps_nothing(app_ctx, case):
    officer = staff()
    before = version(case.id)
    with pytest.raises(RuntimeError), unit_of_work():
        add_note(case=case, author=officer, body="Tidak jadi")
        db.session.flush()
        raise RuntimeError("refused")
    assert version(case.id) == before


def test_reference_data_tells_the_listeners_after_commit(app, app_ctx):
    user = staff()
    db.session.commit()
    heard: list[int] = []
    freshness.on_every_case_change(app, lambda: heard.append(1))

    def rename() -> None:
        user.name = "Nama Baru"

    def log_in() -> None:
        user.failed_logins, user.last_login_at = 0, utcnow()

    committed(read_only)  # nothing every case shows: not heard
    committed(log_in)  # a login's bookkeeping: not heard
    assert not heard
    committed(rename)
    assert heard == [1]


def read_only() -> None:
    db.session.execute(sa.select(1))
