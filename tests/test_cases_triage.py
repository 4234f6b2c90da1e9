"""Priority (set, shown, sorted by), re-categorising (routing re-checked) and transferring a
case to another team (history, the receiving supervisors emailed through the outbox)."""

import re

import sqlalchemy as sa

from portal.accounts.models import Team
from portal.db import db
from portal.notify.models import OutboxMessage
from portal.reference.models import Category
from tests.fixtures.cases import case_events, case_row


def _english(client):
    client.post("/bahasa", data={"lang": "en"})


def _ids(app, slug=None, code=None):
    with app.app_context():
        if slug:
            return db.session.scalar(sa.select(Team.id).where(Team.slug == slug))
        return db.session.scalar(sa.select(Category.id).where(Category.code == code))


def test_priority_is_set_shown_and_sorted_by(client, app, make_case, make_user, login_as):
    low, urgent, high = make_case(), make_case(), make_case()
    login_as(client, make_user())
    _english(client)
    for made, level in ((urgent, 2), (high, 1)):
        version = case_row(app, made.id).version
        response = client.post(
            f"/petugas/kasus/{made.id}/prioritas", data={"priority": level, "version": version}
        )
        assert response.status_code == 303
    assert case_row(app, urgent.id).priority == 2
    (event,) = case_events(app, urgent.id, "priority_changed")
    assert event.data == {"before": 0, "after": 2}
    page = client.get("/petugas/kasus/?tab=open&sort=priority").text
    refs = re.findall(r"ADU-\d{4}-\d{6}", page)
    order = [
        r for r in dict.fromkeys(refs) if r in (low.reference, urgent.reference, high.reference)
    ]
    assert order == [urgent.reference, high.reference, low.reference]
    assert "Urgent" in page and "High" in page
    detail = client.get(f"/petugas/kasus/{urgent.id}").text
    assert "Priority changed" in detail and "Normal → Urgent" in detail


def test_a_bad_priority_is_refused_by_the_field(client, app, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    _english(client)
    response = client.post(
        f"/petugas/kasus/{made.id}/prioritas",
        data={"priority": 9, "version": case_row(app, made.id).version},
        follow_redirects=True,
    )
    assert "Not a valid choice" in response.text
    assert case_row(app, made.id).priority == 0


def test_transfer_moves_the_case_records_it_and_emails_the_receivers(
    client, app, make_case, make_user, login_as
):
    made = make_case()
    officer = make_user()
    login_as(client, officer)
    client.post(f"/petugas/kasus/{made.id}/ambil")
    receiver = make_user(role="supervisor", team="inspektorat-sumsel")
    make_user(role="officer", team="inspektorat-sumsel")  # not a supervisor: no email
    supervisor = make_user(role="supervisor")
    login_as(client, supervisor)
    _english(client)
    target = _ids(app, slug="inspektorat-sumsel")
    data = {"team": target, "version": case_row(app, made.id).version}
    refused = client.post(f"/petugas/kasus/{made.id}/alihkan", data=data, follow_redirects=True)
    assert "Say why the case goes to this team." in refused.text
    assert case_row(app, made.id).team_id == made.team_id
    response = client.post(
        f"/petugas/kasus/{made.id}/alihkan",
        data={**data, "reason": "Pelanggaran disiplin ASN, bukan pemilu."},
    )
    assert response.status_code == 303 and response.location.endswith("/petugas/kasus/")
    case = case_row(app, made.id)
    assert (case.team_id, case.assignee_id) == (target, None)
    (event,) = case_events(app, made.id, "transferred")
    assert event.data["to_team_id"] == target and event.data["from_team_id"] == made.team_id
    assert event.data["matches_routing"] is False
    assert event.data["assignee_before"] == officer.email
    with app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_transferred")
        ).all()
        assert [m.recipient for m in mails] == [receiver.email]
        assert made.reference in mails[0].subject
        assert f"/petugas/kasus/{made.id}" in mails[0].body_text
    sent = client.get(f"/petugas/kasus/{made.id}")  # the sending side: where it went, why
    assert sent.status_code == 200
    assert "Transferred to Inspektorat Provinsi Sumatera Selatan" in sent.text
    assert "Pelanggaran disiplin ASN" in sent.text and supervisor.name in sent.text
    assert "Akun resmi mengunggah" not in sent.text  # nothing of the case itself
    assert client.post(f"/petugas/kasus/{made.id}/catatan", data={"body": "x"}).status_code == 404
    login_as(client, receiver)
    _english(client)
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "Transferred to another team" in page and "Pelanggaran disiplin ASN" in page


def test_officers_cannot_transfer(client, app, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    target = _ids(app, slug="inspektorat-sumsel")
    response = client.post(
        f"/petugas/kasus/{made.id}/alihkan",
        data={"team": target, "version": 1, "reason": "x"},
    )
    assert response.status_code == 403


def test_recategorising_rechecks_routing(client, app, make_case, make_user, login_as):
    same_team, other_team = make_case(), make_case()
    receiver = make_user(role="supervisor", team="inspektorat-sumsel")
    login_as(client, make_user())
    _english(client)
    interaction = _ids(app, code="asn-medsos-interaksi")  # routed to the same team
    client.post(
        f"/petugas/kasus/{same_team.id}/kategori",
        data={"category": interaction, "version": case_row(app, same_team.id).version},
    )
    case = case_row(app, same_team.id)
    assert (case.category_id, case.team_id) == (interaction, same_team.team_id)
    (event,) = case_events(app, same_team.id, "recategorised")
    assert (event.data["before"], event.data["after"]) == (
        "asn-medsos-posting",
        "asn-medsos-interaksi",
    )
    assert case_events(app, same_team.id, "transferred") == []

    service = _ids(app, code="layanan-publik")  # routed to the inspectorate
    response = client.post(
        f"/petugas/kasus/{other_team.id}/kategori",
        data={"category": service, "version": case_row(app, other_team.id).version},
        follow_redirects=True,
    )
    assert "The case is now with Inspektorat Provinsi Sumatera Selatan." in response.text
    case = case_row(app, other_team.id)
    assert case.team_id == _ids(app, slug="inspektorat-sumsel")
    (moved,) = case_events(app, other_team.id, "transferred")
    assert moved.data["matches_routing"] is True
    with app.app_context():
        mail = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_transferred")
        )
        assert mail.recipient == receiver.email
