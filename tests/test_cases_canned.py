"""Canned replies offered by the case's category and status (the most specific first), with
{reference} and {deadline} filled in; unknown placeholders refused by the admin form."""

from datetime import UTC, datetime

import sqlalchemy as sa

from portal.cases.models import CannedReply, Case, Message
from portal.db import db
from portal.reference.models import Category


def _prepare(app, made, officer, *, due_at):
    with app.app_context():
        case = db.session.get(Case, made.id)
        case.status, case.assignee_id, case.due_at = "investigating", officer.id, due_at
        db.session.commit()


def _category_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Category.id).where(Category.code == code))


def _add(app, **fields) -> int:
    with app.app_context():
        reply = CannedReply(**fields)
        db.session.add(reply)
        db.session.commit()
        return reply.id


def test_replies_are_offered_by_category_and_status_most_specific_first(
    client, app, make_case, make_user, login_as
):
    made = make_case()  # asn-medsos-posting
    officer = make_user()
    _prepare(app, made, officer, due_at=datetime(2026, 12, 20, 20, 0, tzinfo=UTC))
    posting = _category_id(app, "asn-medsos-posting")
    _add(app, title="A generic thanks", body_id="Terima kasih", body_en="Thanks")
    _add(
        app,
        title="Z posting question",
        category_id=posting,
        status="investigating",
        body_id="Kapan {reference}?",
        body_en="When {reference}?",
    )
    _add(
        app,
        title="Other category",
        category_id=_category_id(app, "pungli"),
        body_id="x",
        body_en="x",
    )
    _add(app, title="Other status", category_id=posting, status="closed", body_id="y", body_en="y")
    login_as(client, officer)
    page = client.get(f"/petugas/kasus/{made.id}").text
    picker = page.split('class="canned-picker"', 1)[1].split("</select>", 1)[0]
    assert "Other category" not in picker and "Other status" not in picker
    assert picker.index("Z posting question") < picker.index("A generic thanks")
    assert f'data-body-id="Kapan {made.reference}?"' in picker  # filled for the case


def test_placeholders_are_filled_in_the_reporters_language_and_time_zone(
    client, app, make_case, make_user, login_as
):
    made = make_case(language="en")
    officer = make_user()
    # 20:00 UTC on 20 December is already 21 December in Jakarta (UTC+7)
    _prepare(app, made, officer, due_at=datetime(2026, 12, 20, 20, 0, tzinfo=UTC))
    reply_id = _add(
        app,
        title="Deadline",
        body_id="Kasus {reference} diputus paling lambat {deadline}. {unknown}",
        body_en="Case {reference} is decided by {deadline}. {unknown}",
    )
    login_as(client, officer)
    client.post(
        f"/petugas/kasus/{made.id}/pesan",
        data={"report": made.report_ids[0], "canned": reply_id, "body": ""},
    )
    with app.app_context():
        body = db.session.scalar(sa.select(Message.body))
    assert body == f"Case {made.reference} is decided by December 21, 2026. {{unknown}}"
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "diputus paling lambat 21 Desember 2026" in page


def test_a_reply_not_offered_for_the_case_is_refused(client, app, make_case, make_user, login_as):
    made = make_case()
    officer = make_user()
    _prepare(app, made, officer, due_at=None)
    closed_only = _add(app, title="Closing", status="closed", body_id="Selesai", body_en="Done")
    login_as(client, officer)
    client.post("/bahasa", data={"lang": "en"})
    response = client.post(
        f"/petugas/kasus/{made.id}/pesan",
        data={"report": made.report_ids[0], "canned": closed_only, "body": ""},
        follow_redirects=True,
    )
    assert "That canned reply is not offered for this case" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_the_admin_form_refuses_an_unknown_placeholder_and_keeps_the_text(
    client, app, make_user, login_as
):
    login_as(client, make_user(role="admin", team=None))
    client.post("/bahasa", data={"lang": "en"})
    data = {
        "title": "Tenggat",
        "category": "",
        "status": "",
        "body_id": "Paling lambat {tenggat}.",
        "body_en": "By {deadline}.",
    }
    response = client.post("/petugas/admin/balasan/baru", data=data)
    assert "Unknown placeholder {tenggat}: use {reference} or {deadline}." in response.text
    assert "Paling lambat {tenggat}." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CannedReply)) == 0
    response = client.post(
        "/petugas/admin/balasan/baru", data={**data, "body_id": "Paling lambat {deadline}."}
    )
    assert response.status_code == 303
