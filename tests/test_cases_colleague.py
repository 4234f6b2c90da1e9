"""Assignment with context (email, role, team, open cases), confirmation when acting on a
colleague's case, and a supervisor's take-over."""

import sqlalchemy as sa

from portal.cases.models import Case, Message
from portal.db import db
from tests.fixtures.cases import case_events, case_row


def _english(client):
    client.post("/bahasa", data={"lang": "en"})


def test_the_assign_list_shows_email_role_team_and_open_cases(
    client, app, make_case, make_user, login_as
):
    busy, idle = make_case(), make_case()
    supervisor = make_user(role="supervisor")
    officer = make_user(name="Sari Officer", email="sari@example.test")
    login_as(client, officer)
    client.post(f"/petugas/kasus/{busy.id}/ambil")
    login_as(client, supervisor)
    _english(client)
    page = client.get(f"/petugas/kasus/{idle.id}").text
    assert "Sari Officer — sari@example.test · officer · " in page
    option = page.split("Sari Officer — sari@example.test", 1)[1].split("</option>", 1)[0]
    assert "1 open" in option
    with app.app_context():
        assert db.session.get(Case, busy.id).team.name in option


def test_a_message_on_a_colleagues_case_needs_confirmation_and_is_recorded(
    client, app, make_case, make_user, login_as
):
    made = make_case()
    owner, other = make_user(name="Budi Owner"), make_user()
    login_as(client, owner)
    client.post(f"/petugas/kasus/{made.id}/ambil")
    login_as(client, other)
    _english(client)
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "I am acting on my colleague's case (assigned to Budi Owner)" in page
    data = {"report": made.report_ids[0], "body": "Mohon kirim tautan aslinya."}
    refused = client.post(f"/petugas/kasus/{made.id}/pesan", data=data, follow_redirects=True)
    assert (
        "This case is assigned to Budi Owner" in refused.text and "Nothing was done" in refused.text
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    response = client.post(f"/petugas/kasus/{made.id}/pesan", data={**data, "for_colleague": "y"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1
    (event,) = case_events(app, made.id, "colleague_case_confirmed")
    assert event.data == {"action": "message", "assignee": owner.email}
    assert event.actor_id == other.id


def test_deciding_a_colleagues_case_is_refused_without_confirmation(
    client, app, make_case, make_user, login_as
):
    made = make_case()
    owner, other = make_user(), make_user()
    login_as(client, owner)
    client.post(f"/petugas/kasus/{made.id}/ambil")
    login_as(client, other)
    version = case_row(app, made.id).version
    data = {"to": "investigating", "version": version}
    client.post(f"/petugas/kasus/{made.id}/status", data=data)
    assert case_row(app, made.id).status == "assigned"
    client.post(f"/petugas/kasus/{made.id}/status", data={**data, "for_colleague": "y"})
    assert case_row(app, made.id).status == "investigating"
    assert [e.data["action"] for e in case_events(app, made.id, "colleague_case_confirmed")] == [
        "status"
    ]


def test_the_assignee_acts_without_any_confirmation(client, app, make_case, make_user, login_as):
    made = make_case()
    owner = make_user()
    login_as(client, owner)
    client.post(f"/petugas/kasus/{made.id}/ambil")
    version = case_row(app, made.id).version
    client.post(
        f"/petugas/kasus/{made.id}/status", data={"to": "investigating", "version": version}
    )
    assert case_row(app, made.id).status == "investigating"
    assert case_events(app, made.id, "colleague_case_confirmed") == []


def test_a_supervisor_takes_a_colleagues_case_over(client, app, make_case, make_user, login_as):
    made = make_case()
    owner, supervisor = make_user(), make_user(role="supervisor")
    login_as(client, owner)
    client.post(f"/petugas/kasus/{made.id}/ambil")
    login_as(client, owner)
    assert (
        client.post(f"/petugas/kasus/{made.id}/ambil-alih", data={"version": 1}).status_code == 403
    )
    login_as(client, supervisor)
    _english(client)
    assert "Take over this case" in client.get(f"/petugas/kasus/{made.id}").text
    version = case_row(app, made.id).version
    response = client.post(f"/petugas/kasus/{made.id}/ambil-alih", data={"version": version})
    assert response.status_code == 303
    assert case_row(app, made.id).assignee_id == supervisor.id
    (event,) = case_events(app, made.id, "taken_over")
    assert event.data == {"from": owner.email} and event.actor_id == supervisor.id
