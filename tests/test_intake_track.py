"""Tracking: the code opens its own report only; wrong and unknown codes get one answer;
the status page shows the public timeline, officer messages and lets the reporter reply."""

import re

import sqlalchemy as sa

from portal.db import db
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report


def file_one(client, report_form, **overrides) -> str:
    return code_on(post_report(client, report_form(**overrides), follow=True).text)


def report_of(app, code: str):
    from portal.intake.queries import get_report_by_code
    from portal.intake.tracking import normalize_code

    return get_report_by_code(normalize_code(code), key=app.config["TRACKING_KEY"])


def test_good_code_opens_the_status_page(app, client, report_form):
    code = file_one(client, report_form)
    visitor = app.test_client()
    response = visitor.post("/lacak", data={"code": code.lower().replace("-", "")})
    assert response.status_code == 303
    assert response.headers["Location"] == "/lacak/status"
    page = visitor.get("/lacak/status")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert "Netralitas ASN: posting kampanye di media sosial" in html
    assert "Diterima, menunggu pemeriksaan" in html  # status "new", in words
    assert "Kasus dibuka" in html and "Laporan Anda ditambahkan ke kasus" in html
    assert html.count('src="/bukti/') == 2  # thumbnails of the two screenshots


def test_thumbnails_on_the_status_page_load_for_the_tracker_only(app, client, report_form):
    code = file_one(client, report_form)
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    html = visitor.get("/lacak/status").text
    src = html.split('src="/bukti/', 1)[1].split('"', 1)[0]
    assert visitor.get("/bukti/" + src).status_code == 200
    assert app.test_client().get("/bukti/" + src).status_code in (403, 404)


def test_wrong_and_unknown_codes_get_the_same_answer(app, client, report_form):
    code = file_one(client, report_form)
    flat = code.replace("-", "")
    wrong = flat[:-1] + ("0" if flat[-1] != "0" else "1")
    answers = []
    for attempt in (wrong, "ZZZZZZZZZZZZZZZZZZZZZZZZ", "abc", "<script>"):
        response = app.test_client().post("/lacak", data={"code": attempt})
        page = re.sub(r'<input[^>]*name="(code|csrf_token)"[^>]*>', "", response.text)
        answers.append((response.status_code, page))
    assert answers[0][0] == 400
    assert "Tidak ada laporan yang cocok dengan kode ini" in answers[0][1]
    assert all(answer == answers[0] for answer in answers)


def test_a_code_never_opens_another_report(app, client, report_form):
    first = file_one(client, report_form)
    second = file_one(
        app.test_client(),
        report_form,
        links="https://x.com/pemkot/status/123",
        description="Laporan kedua tentang kendaraan dinas yang dipakai berkampanye di pasar.",
    )
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": second})
    html = visitor.get("/lacak/status").text
    with app.app_context():
        other, mine = report_of(app, first), report_of(app, second)
        assert other.case_id != mine.case_id
        assert other.case.reference not in html
        assert mine.case.reference in html


def test_reporters_on_one_case_see_only_their_own_messages_and_screenshots(
    app, client, report_form
):
    first = file_one(client, report_form)
    second = file_one(
        app.test_client(), report_form, files=[(png(color=(5, 5, 5)), "milik-kedua.png")]
    )
    with app.app_context():
        assert report_of(app, first).case_id == report_of(app, second).case_id  # same post
    add_officer_question(app, first, "Pertanyaan khusus untuk pelapor pertama.")
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": second})
    html = visitor.get("/lacak/status").text
    assert "Pertanyaan khusus untuk pelapor pertama" not in html
    assert "milik-kedua.png" in html and "layar-1.png" not in html
    assert html.count('src="/bukti/') == 1


def test_status_page_needs_a_code_and_forget_clears_it(app, client, report_form):
    assert app.test_client().get("/lacak/status").headers["Location"] == "/lacak"
    code = file_one(client, report_form)
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    assert visitor.get("/lacak/status").status_code == 200
    assert visitor.post("/lacak/lupakan").status_code == 303
    assert visitor.get("/lacak/status").headers["Location"] == "/lacak"


def test_tracked_report_is_forgotten_after_idle_time(app, client, report_form):
    code = file_one(client, report_form)
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    with visitor.session_transaction() as session:
        session["tracked_at"] -= 31 * 60
    assert visitor.get("/lacak/status").headers["Location"] == "/lacak"


def add_officer_question(app, code: str, body: str) -> None:
    from portal.cases.history import record_event
    from portal.cases.models import Message

    with app.app_context():
        report = report_of(app, code)
        db.session.add(
            Message(case_id=report.case_id, report_id=report.id, direction="to_reporter", body=body)
        )
        record_event(report.case, "message", visibility="reporter", report=report)
        db.session.commit()


def test_officer_question_is_shown_and_a_reply_with_a_screenshot_lands(app, client, report_form):
    from portal.cases.models import CaseEvent, Message
    from portal.evidence.models import Evidence

    code = file_one(client, report_form)
    add_officer_question(app, code, "Kapan unggahan itu dihapus? <b>penting</b>")
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    html = visitor.get("/lacak/status").text
    assert "Kapan unggahan itu dihapus? &lt;b&gt;penting&lt;/b&gt;" in html
    third = png(color=(0, 128, 0))
    response = post_report(
        visitor,
        {
            "body": "Sekitar pukul 14.00, tiga jam kemudian.",
            "screenshots": [(third, "layar-3.png")],
        },
        url="/lacak/balas",
    )
    assert response.status_code == 303
    html = visitor.get("/lacak/status").text
    assert "Sekitar pukul 14.00" in html and "layar-3.png" in html
    assert "Anda membalas" in html
    with app.app_context():
        report = report_of(app, code)
        reply = db.session.scalar(sa.select(Message).where(Message.direction == "from_reporter"))
        assert reply.report_id == report.id and reply.case_id == report.case_id
        evidence = db.session.scalar(sa.select(Evidence).where(Evidence.message_id == reply.id))
        assert evidence.report_id == report.id and evidence.original_filename == "layar-3.png"
        kinds = db.session.scalars(
            sa.select(CaseEvent.kind).where(CaseEvent.case_id == report.case_id)
        ).all()
        assert "reporter_replied" in kinds


def test_reply_with_a_bad_file_stores_nothing(app, client, report_form, stored):
    code = file_one(client, report_form)
    before = stored()
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    response = post_report(
        visitor,
        {"body": "Ini tambahan bukti.", "screenshots": [(b"<svg></svg>", "x.svg")]},
        url="/lacak/balas",
    )
    assert response.status_code == 415  # not an image type we take
    assert "“x.svg”" in response.text
    assert stored() == before
    empty = post_report(visitor, {"body": "  "}, url="/lacak/balas")
    assert empty.status_code == 400 and "Tulis balasan atau lampirkan" in empty.text


def test_code_guessing_is_rate_limited(make_app):
    from portal.extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, TRACK_RATE_LIMIT="3 per hour")
    limiter.reset()
    client = app.test_client()
    statuses = [client.post("/lacak", data={"code": "AAAA"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    client.post("/bahasa", data={"lang": "en"})
    response = client.post("/lacak", data={"code": "AAAA"})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    limiter.reset()


def test_status_change_and_internal_notes_as_the_reporter_sees_them(
    app, client, report_form, make_user
):
    from portal.cases.history import record_event
    from portal.cases.workflow import change_status

    officer = make_user()
    code = file_one(client, report_form)
    with app.app_context():
        report = report_of(app, code)
        change_status(case=report.case, to="triaged", actor=officer)
        record_event(report.case, "note", actor=officer, data={"body": "Catatan internal X"})
        db.session.commit()
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    html = visitor.get("/lacak/status").text
    assert "Sudah diperiksa, menunggu petugas" in html  # the status, in words
    assert "Status diubah: Sudah diperiksa" in html  # and in the timeline
    assert "Catatan internal X" not in html


def test_reading_the_status_page_keeps_the_report_open_noted_to_the_minute(
    app, client, report_form
):
    code = file_one(client, report_form)
    visitor = app.test_client()
    visitor.post("/lacak", data={"code": code})
    with visitor.session_transaction() as session:
        session["tracked_at"] -= 29 * 60
    assert visitor.get("/lacak/status").status_code == 200  # activity: the idle time restarts
    with visitor.session_transaction() as session:
        session["tracked_at"] -= 29 * 60
    assert visitor.get("/lacak/status").status_code == 200  # 58 minutes after the code
    # Within the minute the session is not written again: no new cookie for each page.
    assert "Set-Cookie" not in visitor.get("/lacak/status").headers
