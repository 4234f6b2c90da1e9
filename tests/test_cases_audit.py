"""The audit trail: `flask audit verify`, the audit pages, and append-only case events."""

import pytest
import sqlalchemy as sa

from portal.cases.history import record_event
from portal.cases.models import AppendOnlyViolation, Case, CaseEvent
from portal.db import db


def tamper(app, case_id: int, seq: int) -> None:
    """Change one event behind the application's back, as someone with database access could."""
    with app.app_context(), db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(sa.text("ALTER TABLE case_event DISABLE TRIGGER case_event_append_only"))
        conn.execute(
            sa.text(
                "UPDATE case_event SET actor_label = 'someone else' "
                "WHERE case_id = :case AND seq = :seq"
            ),
            {"case": case_id, "seq": seq},
        )
        if postgres:
            conn.execute(sa.text("ALTER TABLE case_event ENABLE TRIGGER case_event_append_only"))


@pytest.fixture
def two_cases(app, make_case, make_user):
    first, second = make_case(reports=3), make_case()
    with app.app_context():
        record_event(db.session.get(Case, first.id), "note", data={"body": "Cek unggahan"})
        db.session.commit()
    return first, second


def test_verify_reports_intact_chains(app, two_cases):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    # first: created + 3 attached + note; second: created + attached
    assert "OK: 2 cases, 7 events intact" in result.output


def test_verify_names_the_first_altered_event(app, two_cases):
    first, second = two_cases
    tamper(app, first.id, 3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"ALTERED: {first.reference} at event #3 (report_attached)" in result.output
    assert second.reference not in result.output
    result = runner.invoke(args=["audit", "verify", "--case", second.reference])
    assert result.exit_code == 0 and "OK: 1 cases, 2 events intact" in result.output
    result = runner.invoke(args=["audit", "verify", "--case", first.reference])
    assert result.exit_code == 1
    assert f"ALTERED: {first.reference} at event #3 (report_attached)" in result.output


def test_audit_pages(app, client, make_user, login_as, two_cases):
    first, _ = two_cases
    login_as(client, make_user())
    page = client.get(f"/petugas/kasus/{first.id}/audit")
    assert page.status_code == 200
    with app.app_context():
        head = db.session.scalar(
            sa.select(CaseEvent.hash)
            .where(CaseEvent.case_id == first.id)
            .order_by(CaseEvent.seq.desc())
            .limit(1)
        )
    verdict = f"Rantai utuh (5 peristiwa, hash terakhir {head})"
    assert f'<p class="chain-ok" id="verdict">{verdict}</p>' in page.text
    assert client.get("/petugas/audit").status_code == 403  # officers: only per case

    tamper(app, first.id, 2)
    page = client.get(f"/petugas/kasus/{first.id}/audit")
    verdict = (
        "Diubah pada peristiwa #2: peristiwa ini atau tautannya ke peristiwa sebelumnya diubah "
        "setelah dicatat."
    )
    assert f'<p class="chain-bad" id="verdict">{verdict}</p>' in page.text
    supervisor = app.test_client()
    login_as(supervisor, make_user(role="supervisor"))
    overview = supervisor.get("/petugas/audit")
    assert overview.status_code == 200
    assert '<p class="chain-bad" id="verdict">1 riwayat kasus telah diubah:</p>' in overview.text
    link = f'<a href="/petugas/kasus/{first.id}/audit">{first.reference}</a>'
    assert f"<li>{link}: peristiwa pertama yang diubah #2 (report_attached)</li>" in overview.text
    found = supervisor.get(f"/petugas/audit?ref={first.reference}")
    assert found.status_code == 303 and found.headers["Location"].endswith(
        f"/petugas/kasus/{first.id}/audit"
    )


def test_other_team_cannot_see_a_case_audit(client, make_user, login_as, two_cases):
    login_as(client, make_user(team="inspektorat-sumsel"))
    assert client.get(f"/petugas/kasus/{two_cases[0].id}/audit").status_code == 404


def test_orm_refuses_to_change_or_delete_events(app, two_cases):
    with app.app_context():
        event = db.session.scalar(sa.select(CaseEvent).limit(1))
        event.data = {"rewritten": True}
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(sa.select(CaseEvent).limit(1)))
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyViolation):
            db.session.execute(sa.update(CaseEvent).values(kind="note"))
        db.session.rollback()
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_postgresql_refuses_raw_updates(app, two_cases):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger exists on PostgreSQL only")
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM case_event"))
