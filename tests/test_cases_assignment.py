"""Assignment: supervisors assign, officers claim (one winner), hand-over, team isolation."""

import threading

import pytest
import sqlalchemy as sa

from portal.cases.models import Case, CaseEvent, Message
from portal.cases.operations import ClaimLost, claim_case
from portal.db import db
from portal.notify.models import OutboxMessage


def _english(client):
    client.post("/bahasa", data={"lang": "en"})


def _version(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).version


def test_supervisor_assigns_and_officer_is_emailed(client, app, make_case, make_user, login_as):
    made = make_case()
    supervisor, officer = make_user(role="supervisor"), make_user()
    login_as(client, supervisor)
    response = client.post(
        f"/petugas/kasus/{made.id}/tugaskan",
        data={"assignee": officer.id, "version": _version(app, made.id)},
    )
    assert response.status_code == 303
    with app.app_context():
        case = db.session.get(Case, made.id)
        assert case.assignee_id == officer.id and case.status == "assigned"
        mail = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_assigned")
        )
        assert mail.recipient == officer.email and made.reference in mail.subject
        assert f"/petugas/kasus/{made.id}" in mail.body_text


def test_officers_cannot_assign_and_nobody_assigns_outside_the_team(
    client, app, make_case, make_user, login_as
):
    made = make_case()
    officer, outsider = make_user(), make_user(team="inspektorat-sumsel")
    login_as(client, officer)
    assert (
        client.post(
            f"/petugas/kasus/{made.id}/tugaskan", data={"assignee": officer.id, "version": 1}
        ).status_code
        == 403
    )
    login_as(client, make_user(role="supervisor"))
    client.post(
        f"/petugas/kasus/{made.id}/tugaskan",
        data={"assignee": outsider.id, "version": _version(app, made.id)},
    )
    with app.app_context():
        assert db.session.get(Case, made.id).assignee_id is None


def test_second_claim_gets_a_clear_message(app, make_case, make_user, login_as):
    made = make_case()
    first, second = app.test_client(), app.test_client()
    login_as(first, make_user())
    login_as(second, make_user())
    _english(second)
    assert first.post(f"/petugas/kasus/{made.id}/ambil").status_code == 303
    page = second.post(f"/petugas/kasus/{made.id}/ambil", follow_redirects=True)
    assert "Someone else took this case" in page.text
    with app.app_context():
        assert db.session.get(Case, made.id).status == "assigned"


def test_simultaneous_claims_have_exactly_one_winner(app, make_case, make_user):
    made = make_case()
    officers = [make_user(), make_user()]
    barrier = threading.Barrier(2, timeout=10)
    results = []

    def claim(officer):
        with app.app_context():
            barrier.wait()
            try:
                case = db.session.get(Case, made.id)
                claim_case(case=case, officer=db.session.merge(officer))
                db.session.commit()
                results.append("won")
            except ClaimLost:
                db.session.rollback()
                results.append("lost")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["lost", "won"]
    with app.app_context():
        case = db.session.get(Case, made.id)
        assert case.assignee_id in {o.id for o in officers}
        assigned = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == made.id, CaseEvent.kind == "assigned")
        ).all()
        assert len(assigned) == 1


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "", None),
        ("post", "/status", {"to": "triaged", "version": 1}),
        ("post", "/tugaskan", {"assignee": 1, "version": 1}),
        ("post", "/ambil", {}),
        ("post", "/catatan", {"body": "x"}),
        ("post", "/pesan", {"report": 1, "body": "x"}),
    ],
)
def test_other_team_gets_404_by_url(
    client, app, make_case, make_user, login_as, method, path, data
):
    made = make_case()
    login_as(client, make_user(role="supervisor", team="inspektorat-sumsel"))
    response = getattr(client, method)(f"/petugas/kasus/{made.id}{path}", data=data)
    assert response.status_code == 404
    with app.app_context():
        case = db.session.get(Case, made.id)
        assert (case.status, case.assignee_id) == ("new", None)
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == made.id)
            )
            == 2
        )  # created, report_attached


def test_form_fields_cannot_reach_another_teams_case(client, app, make_case, make_user, login_as):
    mine = make_case(category="pungli", region="16.71")  # inspektorat-sumsel
    theirs = make_case()  # bawaslu-sumsel
    login_as(client, make_user(team="inspektorat-sumsel"))
    client.post(
        f"/petugas/kasus/{mine.id}/pesan",
        data={"report": theirs.report_ids[0], "body": "Halo", "case_id": theirs.id},
    )
    client.post(
        f"/petugas/kasus/{mine.id}/status",
        data={
            "to": "triaged",
            "version": _version(app, mine.id),
            "case_id": theirs.id,
            "team_id": 1,
            "assignee_id": 1,
        },
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
        other = db.session.get(Case, theirs.id)
        assert other.status == "new"
        case = db.session.get(Case, mine.id)
        assert case.status == "triaged" and case.team_id == mine.team_id
        assert case.assignee_id is None


def test_admin_sees_every_team(client, make_case, make_user, login_as):
    made = make_case(category="pungli", region="16.71")
    login_as(client, make_user(role="admin", team=None))
    page = client.get(f"/petugas/kasus/{made.id}")
    assert page.status_code == 200
    assert f"<h1>{made.reference} " in page.text


def test_hand_over_moves_all_open_cases(client, app, make_case, make_user, login_as):
    leaving, staying = make_user(name="Leaving"), make_user(name="Staying")
    open_cases = [make_case(), make_case()]
    done = make_case()
    with app.app_context():
        for made in [*open_cases, done]:
            case = db.session.get(Case, made.id)
            case.assignee_id, case.status = leaving.id, "investigating"
        db.session.get(Case, done.id).status = "closed"
        db.session.commit()
    login_as(client, make_user(role="supervisor"))
    _english(client)
    page = client.post(
        "/petugas/kasus/serah-terima",
        follow_redirects=True,
        data={"from_officer": leaving.id, "to_officer": staying.id},
    )
    assert "2 open cases were handed over" in page.text
    with app.app_context():
        for made in open_cases:
            assert db.session.get(Case, made.id).assignee_id == staying.id
            event = db.session.scalars(
                sa.select(CaseEvent).where(
                    CaseEvent.case_id == made.id, CaseEvent.kind == "assigned"
                )
            ).one()
            assert event.data["hand_over"] is True
        assert db.session.get(Case, done.id).assignee_id == leaving.id
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_assigned")
        ).all()
        assert [m.recipient for m in mails] == [staying.email]


def test_hand_over_is_for_supervisors_within_their_team(
    client, app, make_case, make_user, login_as
):
    a, outsider = make_user(), make_user(team="inspektorat-sumsel")
    login_as(client, a)
    assert client.get("/petugas/kasus/serah-terima").status_code == 403
    login_as(client, make_user(role="supervisor"))
    _english(client)
    refused = client.post(
        "/petugas/kasus/serah-terima", data={"from_officer": a.id, "to_officer": outsider.id}
    )
    assert refused.status_code == 200  # shown again, nothing handed over
    assert '<p class="error" role="alert">Not a valid choice.</p>' in refused.text
    page = client.get("/petugas/kasus/serah-terima")
    assert f'<option value="{a.id}">{a.name} ({a.email})</option>' in page.text
    assert outsider.email not in page.text
