"""The receipt repeats what was reported and when it arrived, and downloads as a PDF made from
the same page, only by the browser that filed the report: another browser, a session that names
someone else's report, a forged cookie and an expired mark all get no code."""

import hashlib
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from pypdf import PdfReader

from portal.db import db, utcnow
from portal.intake.models import Report
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

PDF_URL = "/laporan/tanda-terima.pdf"


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace (long lines wrap anywhere)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def received_at(app) -> tuple[str, object]:
    """The one report's received moment as the install reads it: (HH.MM, the moment)."""
    with app.app_context():
        moment = db.session.scalar(sa.select(Report.created_at))
    local = moment.astimezone(ZoneInfo("Asia/Jakarta"))
    return f"{local:%H.%M}", moment


@pytest.fixture
def filed(client, report_form):
    """(client, code, the two screenshots) after filing a report from that client."""
    files = [(png(), "layar-1.png"), (png(color=(9, 120, 9)), "layar-2.png")]
    page = post_report(client, report_form(files=files), follow=True)
    return client, code_on(page.text), [body for body, _name in files]


def test_receipt_page_repeats_what_was_reported(filed):
    client, _code, _files = filed
    html = client.get("/laporan/tanda-terima").text
    assert "Yang Anda laporkan" in html
    assert "Diskominfo Kota Lubuk Linggau" in html
    assert "Akun resmi Diskominfo mengunggah materi kampanye" in html
    assert "@diskominfo.lubuklinggau" in html
    assert "Platform media sosial" in html and "Instagram" in html
    assert 'href="/laporan/tanda-terima.pdf"' in html


def test_receipt_pdf_carries_code_time_in_wib_window_and_hashes(app, filed):
    client, code, files = filed
    response = client.get(PDF_URL)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.search(r'attachment; filename="tanda-terima-ADU-\d{4}-\d{6}\.pdf"', disposition)
    assert code.replace("-", "") not in disposition.replace("-", "")
    text = pdf_text(response.data)
    assert code in text
    clock, moment = received_at(app)
    with app.test_request_context():
        from portal.clock import format_moment

        assert squeeze(format_moment(moment)) in text  # "Selasa, 3 Desember 2024 pukul 19.42 WIB"
    assert f"pukul{clock}WIB" in text
    assert "Diterimapada" in text
    assert re.search(r"ADU-\d{4}-\d{6}", text)
    for body in files:
        assert hashlib.sha256(body).hexdigest() in text
    with app.test_request_context():
        from portal.clock import format_day

        closes = db.session.scalar(sa.select(Report.window_closes_at))
        window = (
            f"Dikirim dalam batas waktu pelaporan, yang berakhir pada {format_day(closes, 'full')}"
        )
    assert squeeze(window) in text  # the legal window it came within
    assert squeeze("Diskominfo Kota Lubuk Linggau") in text
    assert "@diskominfo.lubuklinggau" in text
    assert "instagram.com/p/C9xYz12AbCd" in text
    assert "Unduh" not in text and "Cetak" not in text  # no buttons on paper


def test_receipt_pdf_in_english_for_an_english_reader(app, client, report_form):
    client.post("/bahasa", data={"lang": "en", "next": "/lapor"})
    code = code_on(post_report(client, report_form(), follow=True).text)
    text = pdf_text(client.get(PDF_URL).data)
    assert code in text
    assert "Receivedon" in text and "Yourtrackingcode" in text and "Whatyoureported" in text
    assert "Diterima" not in text


def test_another_browser_gets_no_receipt_pdf(app, filed):
    _client, code, _files = filed
    other = app.test_client()
    other.get("/lapor")  # a session of its own, with its own form secret
    response = other.get(PDF_URL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/lacak"
    assert code.encode() not in response.data and not response.data.startswith(b"%PDF")


def test_a_session_naming_someone_elses_report_gets_nothing(app, filed, report_form):
    """A browser that filed a report of its own and then points its receipt at another
    report (or keeps its report but changes the key) cannot open either."""
    _client, code, _files = filed
    other = app.test_client()
    own_code = code_on(post_report(other, report_form(), follow=True).text)
    with app.app_context():
        first_id = db.session.scalar(sa.select(sa.func.min(Report.id)))
    with other.session_transaction() as session:
        own = dict(session["intake_receipt"])
        session["intake_receipt"] = {"report_id": first_id, "key": own["key"]}
    for url in (PDF_URL, "/laporan/tanda-terima"):
        response = other.get(url)
        assert response.status_code == 302 and code.encode() not in response.data
    with other.session_transaction() as session:
        session["intake_receipt"] = {"report_id": own["report_id"], "key": "x" * 32}
    response = other.get(PDF_URL)
    assert response.status_code == 302 and own_code.encode() not in response.data
    with other.session_transaction() as session:
        session["intake_receipt"] = {"report_id": str(first_id), "key": own["key"]}
    assert other.get(PDF_URL).status_code == 302


def test_a_forged_session_cookie_is_refused(app, filed):
    """The filing browser's very session, signed with a guessed key: Flask drops it."""
    client, code, _files = filed
    with client.session_transaction() as session:
        data = dict(session)
    forger = Flask("forger")
    forger.secret_key = "guessed-secret"
    cookie = SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)
    stranger = app.test_client()
    stranger.set_cookie("session", cookie)
    response = stranger.get(PDF_URL)
    assert response.status_code == 302 and code.encode() not in response.data


def test_an_expired_receipt_mark_opens_no_pdf(app, filed):
    client, code, _files = filed
    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        report.idempotency_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    for url in (PDF_URL, "/laporan/tanda-terima"):
        response = client.get(url)
        assert response.status_code == 302 and code.encode() not in response.data


def test_receipt_pdf_without_weasyprint_sends_the_reader_back_to_the_page(filed, monkeypatch):
    from portal import pdf

    def no_pango(html):
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "html_to_pdf", no_pango)
    client, _code, _files = filed
    response = client.get(PDF_URL)
    assert response.status_code == 303
    assert response.headers["Location"] == "/laporan/tanda-terima"
    assert "PDF tidak dapat dibuat" in client.get("/laporan/tanda-terima").text
