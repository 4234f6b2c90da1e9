"""Officers and reporters: messages to one reporter, canned replies, notes, replies."""

import sqlalchemy as sa

from portal.cases.models import CannedReply, Case, CaseEvent, Message
from portal.db import db
from portal.intake.models import Report
from portal.notify.models import OutboxMessage


def _give_codes(app, made) -> list[str]:
    """Known tracking codes for the reports of a case (the fixture stores random hashes)."""
    from portal.intake.tracking import hash_code, new_code

    codes = []
    with app.app_context():
        for report_id in made.report_ids:
            code = new_code()
            db.session.get(Report, report_id).tracking_hash = hash_code(
                code, app.config["TRACKING_KEY"]
            )
            codes.append(code)
        db.session.commit()
    return codes


def _status_page(app, code: str) -> str:
    resident = app.test_client()
    assert resident.post("/lacak", data={"code": code}).status_code == 303
    page = resident.get("/lacak/status")
    assert page.status_code == 200 and 'id="case-status"' in page.text
    return page.text


def _investigating(app, made, officer):
    with app.app_context():
        case = db.session.get(Case, made.id)
        case.status, case.assignee_id = "investigating", officer.id
        db.session.commit()


def test_message_reaches_only_its_reporter(client, app, make_case, make_user, login_as):
    made = make_case(reports=2, emails=["satu@example.com", "dua@example.com"])
    codes = _give_codes(app, made)
    officer = make_user()
    _investigating(app, made, officer)
    login_as(client, officer)
    text = "Jam berapa unggahan itu pertama kali Anda lihat?"
    response = client.post(
        f"/petugas/kasus/{made.id}/pesan",
        data={"report": made.report_ids[0], "body": text, "wait_for_reply": "y"},
    )
    assert response.status_code == 303
    assert text in _status_page(app, codes[0])
    assert text not in _status_page(app, codes[1])
    with app.app_context():
        assert db.session.get(Case, made.id).status == "waiting_for_reporter"
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_message")
        ).all()
        assert [m.recipient for m in mails] == ["satu@example.com"]
        assert text not in mails[0].body_text and codes[0] not in mails[0].body_text
        # the other reporter was asked nothing: no "waiting for your answer" email either
        everything = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
        assert "dua@example.com" not in everything
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "message_sent"))
        assert event.visibility == "internal" and event.report_id == made.report_ids[0]


def test_canned_reply_is_sent_in_the_reporters_language(
    client, app, make_case, make_user, login_as
):
    made = make_case(language="en", emails=["en@example.com"])
    with app.app_context():
        reply = CannedReply(
            title="Ask for the time", body_id="Kapan?", body_en="When?", status="investigating"
        )
        other = CannedReply(
            title="Closing words", body_id="Selesai", body_en="Done", status="closed"
        )
        db.session.add_all([reply, other])
        db.session.commit()
        reply_id = reply.id
    officer = make_user()
    _investigating(app, made, officer)
    login_as(client, officer)
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "Ask for the time" in page and "Closing words" not in page  # status-matched
    client.post(
        f"/petugas/kasus/{made.id}/pesan",
        data={"report": made.report_ids[0], "canned": reply_id, "body": ""},
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Message.body)) == "When?"


def test_empty_message_is_refused(client, app, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    client.post("/bahasa", data={"lang": "en"})
    page = client.post(
        f"/petugas/kasus/{made.id}/pesan",
        follow_redirects=True,
        data={"report": made.report_ids[0], "body": "  "},
    )
    assert "Write a message or choose a canned reply" in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_notes_are_internal(client, app, make_case, make_user, login_as):
    made = make_case()
    code = _give_codes(app, made)[0]
    login_as(client, make_user())
    note = "Pelapor 1 tampaknya pegawai dinas yang sama."
    client.post(f"/petugas/kasus/{made.id}/catatan", data={"body": note})
    assert note in client.get(f"/petugas/kasus/{made.id}").text
    assert note not in _status_page(app, code)
    with app.app_context():
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "note"))
        assert event.visibility == "internal"


def test_reporter_reply_lands_on_the_case(client, app, make_case, make_user, login_as):
    made = make_case()
    code = _give_codes(app, made)[0]
    resident = app.test_client()
    resident.post("/lacak", data={"code": code})
    resident.post("/lacak/balas", data={"body": "Sekitar pukul 08.15 WIB."})
    login_as(client, make_user())
    assert "Sekitar pukul 08.15 WIB." in client.get(f"/petugas/kasus/{made.id}").text


def test_contact_only_when_not_anonymous_and_links_only_when_canonical(
    client, app, make_case, make_user, login_as
):
    from portal.evidence.models import Link

    named = make_case(emails=["terbuka@example.com"], visibility="named")
    with app.app_context():
        report_id = named.report_ids[0]
        db.session.add_all(
            [
                Link(
                    report_id=report_id,
                    url_given="https://instagram.com/p/X?igsh=1",
                    url_canonical="https://www.instagram.com/p/X/",
                ),
                Link(report_id=report_id, url_given="javascript:alert(1)", url_canonical=None),
            ]
        )
        db.session.commit()
    login_as(client, make_user())
    html = client.get(f"/petugas/kasus/{named.id}").text
    assert "terbuka@example.com" in html
    assert (
        '<a href="https://www.instagram.com/p/X/" rel="noopener noreferrer nofollow" '
        'target="_blank">'
    ) in html
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    with app.app_context():
        report = db.session.get(Report, report_id)
        report.visibility = "anonymous"
        db.session.commit()
    page = client.get(f"/petugas/kasus/{named.id}")
    assert page.status_code == 200 and named.reference in page.text
    assert "terbuka@example.com" not in page.text


def test_decision_reaches_every_reporter(client, app, make_case, make_user, login_as):
    made = make_case(reports=2, emails=["satu@example.com", None])
    codes = _give_codes(app, made)
    officer = make_user()
    _investigating(app, made, officer)
    login_as(client, officer)
    with app.app_context():
        version = db.session.get(Case, made.id).version
    client.post(
        f"/petugas/kasus/{made.id}/status",
        data={
            "to": "resolved",
            "version": version,
            "outcome": "substantiated",
            "summary": "Terbukti: akun resmi dipakai untuk kampanye.",
        },
    )
    for code in codes:
        assert 'id="case-status">Diputuskan<' in _status_page(app, code)
    with app.app_context():
        mails = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "case_status")
        ).all()
        assert [m.recipient for m in mails] == ["satu@example.com"]


def test_case_forms_need_csrf(make_app, make_case, make_user, login_as):
    from tests.conftest import csrf_token_from

    made = make_case()
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_as(client, make_user())
    token = csrf_token_from(client.get(f"/petugas/kasus/{made.id}").text)
    assert (
        client.post(f"/petugas/kasus/{made.id}/catatan", data={"body": "tanpa token"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/petugas/kasus/{made.id}/catatan", data={"body": "dengan token", "csrf_token": token}
        ).status_code
        == 303
    )
