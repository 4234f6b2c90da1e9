"""A transfer seen from both sides: the receiving team's supervisors get an email (through a
real SMTP server), the receiving team reads the transfer in the case's timeline, and the
sending team, which can no longer open the case, still sees where it went, when and why."""

from datetime import timedelta

import pytest

from portal.db import utcnow
from tests.fixtures.cases import case_row

REASON = "Pelanggaran disiplin ASN di dinas provinsi, bukan pelanggaran pemilu."
SENDER = "Bawaslu Provinsi Sumatera Selatan"
RECEIVER = "Inspektorat Provinsi Sumatera Selatan"


@pytest.fixture
def app(mail_app):
    return mail_app


def _transfer(client, app, case_id: int, team_id: int, reason: str = REASON):
    data = {"team": team_id, "version": case_row(app, case_id).version, "reason": reason}
    return client.post(f"/petugas/kasus/{case_id}/alihkan", data=data)


def _team_id(app, slug: str) -> int:
    import sqlalchemy as sa

    from portal.accounts.models import Team
    from portal.db import db

    with app.app_context():
        return db.session.scalar(sa.select(Team.id).where(Team.slug == slug))


def _send_mail(app) -> list:
    from portal.notify.operations import send_pending

    with app.app_context():
        send_pending(now=utcnow() + timedelta(minutes=1), limit=50)
    return app.inbox.messages()


def test_a_transfer_is_in_both_teams_history_and_the_receivers_are_emailed(
    app, make_case, make_user, login_as
):
    made = make_case()
    sending = make_user(role="supervisor", name="Sari Supervisor")
    colleague = make_user(role="officer", name="Putra Petugas")  # same sending team
    receiving = make_user(role="supervisor", team="inspektorat-sumsel", name="Ira Inspektur")
    make_user(role="officer", team="inspektorat-sumsel")  # an officer there: no email
    client = app.test_client()
    login_as(client, sending)
    assert _transfer(client, app, made.id, _team_id(app, "inspektorat-sumsel")).status_code == 303

    mail = _send_mail(app)
    assert [m["To"] for m in mail] == [receiving.email]  # not the sender, not the officer
    assert made.reference in mail[0]["Subject"] and RECEIVER in mail[0]["Subject"]
    body = mail[0].get_body(("plain",)).get_content()
    assert SENDER in body and REASON in body and f"/petugas/kasus/{made.id}" in body

    login_as(client, receiving)  # the receiving side: the case, with the transfer in its timeline
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert f"{SENDER} → {RECEIVER}: {REASON}" in page
    for user in (sending, colleague):  # the sending side: where it went, not the case
        login_as(client, user)
        away = client.get(f"/petugas/kasus/{made.id}")
        assert away.status_code == 200
        assert f"Dialihkan ke {RECEIVER}" in away.text and REASON in away.text
        assert "Sari Supervisor" in away.text
        assert "Akun resmi mengunggah materi kampanye." not in away.text
    other = make_user(role="supervisor", team=None)  # a team that never had it: nothing
    login_as(client, other)
    assert client.get(f"/petugas/kasus/{made.id}").status_code == 404


def test_a_case_sent_back_shows_both_transfers_to_each_side(app, make_case, make_user, login_as):
    made = make_case()
    sending = make_user(role="supervisor")
    receiving = make_user(role="supervisor", team="inspektorat-sumsel")
    client = app.test_client()
    login_as(client, sending)
    _transfer(client, app, made.id, _team_id(app, "inspektorat-sumsel"))
    login_as(client, receiving)
    response = _transfer(client, app, made.id, made.team_id, reason="Ternyata soal kampanye.")
    assert response.status_code == 303

    page = client.get(f"/petugas/kasus/{made.id}").text  # the inspectorate sent it back
    assert f"Dialihkan ke {SENDER}" in page and "Ternyata soal kampanye." in page
    assert REASON not in page  # only its own transfers, not the first team's
    login_as(client, sending)  # back home: the whole case, both transfers in the timeline
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert f"{SENDER} → {RECEIVER}: {REASON}" in page
    assert f"{RECEIVER} → {SENDER}: Ternyata soal kampanye." in page
    assert [m["To"] for m in _send_mail(app)] == [receiving.email, sending.email]
