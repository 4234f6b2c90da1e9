"""The report form: a good report lands; every bad input is refused with a clear message in
the reporter's language, the rest of the form kept, nothing filed (images that passed the checks are
held for the form, listed with "remove")."""

import os

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.conftest import csrf_token_from
from tests.fixtures.images import jpeg, png, png_header
from tests.fixtures.intake import IG_LINK, SOCIAL, code_on, post_report

MiB = 1024 * 1024
DESCRIPTION = "Akun resmi Diskominfo mengunggah materi kampanye calon kepala daerah."


def test_form_works_without_javascript_and_shows_every_category_block(client):
    page = client.get("/lapor")
    assert page.status_code == 200
    html = page.text
    assert 'enctype="multipart/form-data"' in html
    assert f'name="q-{SOCIAL}-platform"' in html
    assert 'name="q-fasilitas-negara-facility"' in html
    assert "Pertanyaan untuk: Netralitas ASN: posting kampanye di media sosial" in html
    assert 'name="idempotency_key"' in html
    assert 'tabindex="-1"' in html and 'aria-hidden="true"' in html  # honeypot
    assert "<script>" not in html and "style=" not in html  # CSP: no inline code


def test_good_report_lands_with_answers_contact_and_case(app, client, report_form, stored):
    response = post_report(client, report_form(), follow=True)
    assert response.status_code == 200
    assert "Laporan Anda telah diterima" in response.text
    code_on(response.text)
    from portal.intake.models import Report

    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        assert report.platform == "instagram"
        assert report.reported_account == "@diskominfo.lubuklinggau"
        assert report.answers == {
            "platform": "instagram",
            "account_handle": "@diskominfo.lubuklinggau",
        }
        assert report.contact_email == "warga@example.com"
        assert report.visibility == "confidential"
        assert report.language == "id"
        assert report.case.reference.startswith("ADU-")
        assert [link.url_canonical for link in report.links] == [
            "https://www.instagram.com/p/C9xYz12AbCd/"
        ]
    assert stored()["evidence"] == 2


def test_anonymous_report_drops_contact_even_when_filled(app, client, report_form):
    data = report_form(visibility="anonymous", contact_name="Siti", contact_phone="0812 345 678")
    assert post_report(client, data).status_code == 303
    from portal.intake.models import Report

    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        assert (report.contact_name, report.contact_email, report.contact_phone) == (
            None,
            None,
            None,
        )


def test_only_the_chosen_categorys_questions_are_required(app, client, report_form):
    from tests.fixtures.intake import ids_of

    category, _ = ids_of(app, "layanan-publik")
    data = report_form(category=str(category))
    del data[f"q-{SOCIAL}-platform"], data[f"q-{SOCIAL}-account_handle"]
    assert post_report(client, data).status_code == 303

    data = report_form()
    data[f"q-{SOCIAL}-account_handle"] = ""
    response = post_report(client, data)
    assert response.status_code == 400
    assert "Mohon jawab: Nama akun yang dilaporkan" in response.text


@pytest.fixture
def held_uploads(app):
    """The held uploads: held_uploads() -> the stored file of each, as paths."""
    from portal.intake.models import HeldUpload

    def snapshot() -> list[str]:
        with app.app_context():
            rows = db.session.scalars(sa.select(HeldUpload)).all()
            folder = app.config["UPLOAD_FOLDER"]
            return sorted(
                {
                    os.path.join(folder, key)
                    for row in rows
                    for key in (row.original_key, row.clean_key, row.thumb_key)
                }
            )

    return snapshot


def assert_refused(response, stored, message, status=400, files_sent=True, held=None):
    """Refused with the message, the other fields kept, nothing filed; the files that passed
    the checks are held for the form (`held` returns their stored files), nothing else."""
    assert response.status_code == status, response.text[:500]
    assert message in response.text
    assert DESCRIPTION in response.text
    assert 'value="Diskominfo Kota Lubuk Linggau"' in response.text
    kept = held() if held else []
    assert ("lampirkan kembali tangkapan layar" in response.text) is (files_sent and not kept)
    assert stored() == {"reports": 0, "evidence": 0, "links": 0, "files": kept}
    assert ('name="held_upload"' in response.text) is bool(kept)  # listed, with "remove"


def test_a_30_mib_file_is_refused_before_processing(client, report_form, stored):
    big = png() + b"\0" * (30 * MiB)
    response = post_report(client, report_form(files=[(big, "besar.png")]))
    assert_refused(response, stored, "paling besar 10 MiB", status=413)


def test_eleven_files_are_refused(client, report_form, stored):
    files = [(png(color=(i, i, i)), f"layar-{i}.png") for i in range(11)]
    response = post_report(client, report_form(files=files))
    assert_refused(response, stored, "Anda melampirkan 11 berkas; paling banyak 10", status=422)


def test_no_file_at_all_is_refused(client, report_form, stored):
    response = post_report(client, report_form(files=[]))
    assert_refused(
        response, stored, "Lampirkan paling sedikit satu tangkapan layar", files_sent=False
    )


@pytest.mark.parametrize(
    ("body", "name", "status"),
    [
        (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "layar.png", 415),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", 415),
        (b"%PDF-1.7 not a screenshot", "surat.png", 415),
        (b"just some words, no picture", "catatan.jpg", 415),
        (png_header(65535, 65535), "raksasa.png", 422),  # a bomb header: too many pixels
        (png(width=20_001, height=1), "lebar.png", 422),  # too wide
        (jpeg(400, 400)[:3000], "rusak.jpg", 422),
    ],
    ids=["html-named-png", "svg", "pdf", "text", "65535-square-png", "too-wide", "truncated-jpeg"],
)
def test_files_that_are_not_acceptable_images_are_refused(
    client, report_form, stored, held_uploads, body, name, status
):
    """415: not an image type we take; 422: an image we could not read or that fails a check."""
    # a good screenshot first: it is kept for the form, the refused one leaves nothing
    response = post_report(client, report_form(files=[(png(), "baik.png"), (body, name)]))
    assert_refused(response, stored, f"“{name}”", status=status, held=held_uploads)
    assert len(held_uploads()) == 3


@pytest.mark.parametrize("bad", ["javascript:alert(document.cookie)", "file:///etc/passwd"])
def test_javascript_and_file_links_are_refused_naming_the_line(
    client, report_form, stored, held_uploads, bad
):
    response = post_report(client, report_form(links=f"{IG_LINK}\n{bad}"))
    assert_refused(response, stored, "Baris 2", held=held_uploads)
    assert "Hanya tautan web yang diterima, seperti https://www.instagram.com/p/" in response.text


def test_script_in_the_description_is_stored_as_text_and_shown_escaped(app, client, report_form):
    from portal.intake.models import Report

    evil = "Lihat ini <script>alert('x')</script> di akun resmi dinas kota."
    response = post_report(client, report_form(description=evil, reported_party=""))
    assert response.status_code == 400  # re-displayed (another field is missing)
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text
    assert post_report(client, report_form(description=evil)).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Report.description)) == evil


def test_missing_csrf_token_is_refused_and_the_form_kept(make_app, report_form, stored):
    from portal.intake.models import HeldUpload

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    client = app.test_client()
    response = post_report(client, report_form())
    with app.app_context():
        rows = db.session.scalars(sa.select(HeldUpload)).all()
        kept = sorted(
            os.path.join(app.config["UPLOAD_FOLDER"], key)
            for row in rows
            for key in (row.original_key, row.clean_key, row.thumb_key)
        )
    assert_refused(
        response,
        stored,
        "Formulir kedaluwarsa atau tidak dikirim dari situs ini",
        held=lambda: kept,
    )
    data = report_form()
    data["csrf_token"] = csrf_token_from(response.text)
    assert post_report(client, data).status_code == 303


def test_honeypot_filled_stores_nothing_and_says_nothing_useful(client, report_form, stored):
    response = post_report(client, report_form(website="http://spam.example/"))
    assert response.status_code == 400
    assert "Laporan Anda tidak dapat dikirim" in response.text
    assert "spam.example" not in response.text
    assert stored() == {"reports": 0, "evidence": 0, "links": 0, "files": []}


def test_dates_in_the_future_or_out_of_order_are_refused(client, report_form, stored, held_uploads):
    response = post_report(client, report_form(learned_on="2999-01-01"))
    assert_refused(response, stored, "Tanggal ini berada di masa depan", held=held_uploads)
    response = post_report(
        client, report_form(learned_on="2026-01-01", incident_at="2026-02-01T10:00")
    )
    assert_refused(response, stored, "tidak mungkin terjadi setelah", held=held_uploads)


def test_refusal_in_english_when_english_was_chosen(client, report_form, stored):
    client.post("/bahasa", data={"lang": "en", "next": "/lapor"})
    files = [(png(color=(i, 0, 0)), f"s{i}.png") for i in range(11)]
    response = post_report(client, report_form(files=files))
    assert response.status_code == 422
    assert "You attached 11 files; at most 10 are allowed" in response.text
    assert "please attach the screenshots again" in response.text
    assert stored()["reports"] == 0


def test_report_posts_are_rate_limited_with_a_clear_message(make_app, report_form):
    from portal.extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per hour")
    limiter.reset()
    client = app.test_client()
    statuses = [post_report(client, report_form(files=[])).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    response = post_report(client, report_form(files=[]))
    assert "Terlalu banyak percobaan" in response.text
    assert client.get("/lapor").status_code == 200  # reading the form is not limited
    limiter.reset()


def test_choosing_the_category_without_scripts_is_not_a_filing_attempt(make_app, report_form):
    """The no-script steps (continue, change category) store nothing: only filing attempts
    count against the limit, so a resident who changes her mind is not locked out."""
    from portal.extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per hour")
    limiter.reset()
    client = app.test_client()
    steps = [
        post_report(client, report_form(step=step, files=[])).status_code
        for step in ("category", "change", "category", "change")
    ]
    attempts = [post_report(client, report_form(files=[])).status_code for _ in range(3)]
    limiter.reset()
    assert steps == [200, 200, 200, 200]
    assert attempts == [400, 400, 429]


def test_retry_after_only_where_it_asks_to_wait(make_app, report_form):
    """The limiter's Retry-After stays on the 429; on the 303 it would ask the browser to wait
    before following the redirect (RFC 9110 10.2.3), on the 400 it would mean nothing."""
    from portal.extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per hour")
    limiter.reset()
    client = app.test_client()
    filed = post_report(client, report_form())
    refused = post_report(client, report_form(files=[]))
    limited = post_report(client, report_form(files=[]))
    limiter.reset()
    assert [r.status_code for r in (filed, refused, limited)] == [303, 400, 429]
    assert "Retry-After" not in filed.headers and "Retry-After" not in refused.headers
    assert int(limited.headers["Retry-After"]) > 0
    assert refused.headers["X-RateLimit-Remaining"] == "0"  # the limiter's other headers stay


def test_home_page_offers_report_and_tracking_and_explains_anonymity(client):
    html = client.get("/").text
    assert 'href="/lapor"' in html and 'href="/lacak"' in html
    assert "Lapor" in html and "Lacak laporan" in html
    assert "secara anonim" in html
