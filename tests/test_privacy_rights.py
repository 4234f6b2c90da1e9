"""The resident's own data from her status page: see it, correct and delete her contact
details, download it; forged corrections; the privacy notice and where it is linked; legal
holds on the case page and the retention admin page (test client)."""

import hashlib
import io
import json
import re
import zipfile

import sqlalchemy as sa

from portal.cases.history import verify_chain
from portal.cases.models import CaseEvent
from portal.db import db
from portal.evidence.models import Evidence
from portal.intake.models import Report
from portal.privacy.models import LegalHold
from tests.conftest import csrf_token_from
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

FILES = [(png(), "layar-1.png"), (png(color=(200, 40, 40)), "layar-2.png")]


def file_and_track(app, client, report_form, **overrides) -> Report:
    """File a report through the form and open its status page on this client."""
    receipt = post_report(client, report_form(files=FILES, **overrides), follow=True)
    code = code_on(receipt.text)
    assert client.post("/lacak", data={"code": code}).status_code == 303
    with app.app_context():
        return db.session.scalar(sa.select(Report).order_by(Report.id.desc()))


def report_row(app, report_id: int) -> Report:
    with app.app_context():
        row = db.session.get(Report, report_id)
        db.session.expunge(row)
        return row


def english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def test_she_sees_corrects_downloads_and_deletes_her_data(app, client, report_form):
    report = file_and_track(app, client, report_form, contact_name="Siti Aminah")
    english(client)
    page = client.get("/lacak/data-saya")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for shown in ("Siti Aminah", "warga@example.com", "layar-1.png", "layar-2.png"):
        assert shown in page.text

    refused = client.post(
        "/lacak/data-saya/kontak",
        data={"contact_name": "Siti A.", "contact_email": "bukan-alamat", "contact_phone": "08x"},
    )
    assert refused.status_code == 400
    assert "This email address is not valid" in refused.text and "Use digits only" in refused.text
    assert 'value="Siti A."' in refused.text  # her answers are kept
    assert report_row(app, report.id).contact_email == "warga@example.com"

    saved = client.post(
        "/lacak/data-saya/kontak",
        data={"contact_name": "Siti A.", "contact_email": "siti@example.org", "contact_phone": ""},
        follow_redirects=True,
    )
    assert "Your contact details were saved." in saved.text
    row = report_row(app, report.id)
    assert (row.contact_name, row.contact_email) == ("Siti A.", "siti@example.org")

    archive = zipfile.ZipFile(io.BytesIO(client.get("/lacak/data-saya/unduh").data))
    data = json.loads(archive.read("data.json"))
    assert data["contact_email"] == "siti@example.org" and len(data["files"]) == 2
    with app.app_context():
        hashes = set(db.session.scalars(sa.select(Evidence.sha256_original)))
    sent = {
        hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist() if "files/" in n
    }
    assert sent == hashes == {hashlib.sha256(body).hexdigest() for body, _name in FILES}

    unconfirmed = client.post("/lacak/data-saya/hapus-kontak", data={})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    assert report_row(app, report.id).contact_email == "siti@example.org"
    deleted = client.post(
        "/lacak/data-saya/hapus-kontak", data={"confirm": "y"}, follow_redirects=True
    )
    assert "Your contact details were deleted" in deleted.text
    row = report_row(app, report.id)
    assert (row.contact_name, row.contact_email, row.contact_phone) == (None, None, None)
    assert client.get("/lacak/status").status_code == 200  # the case goes on
    with app.app_context():
        events = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.kind.in_(("contact_corrected", "erased")))
        ).all()
        assert [(e.kind, e.actor_label) for e in events] == [
            ("contact_corrected", "reporter"),
            ("erased", "reporter"),
        ]
        assert "siti@example.org" not in json.dumps([e.data for e in events])
        assert verify_chain(row.case_id).is_intact


def test_a_correction_from_another_session_changes_nothing(app, client, report_form):
    report = file_and_track(app, client, report_form)
    stranger = app.test_client()
    forged = stranger.post(
        "/lacak/data-saya/kontak", data={"contact_email": "penyerang@example.net"}
    )
    assert forged.status_code == 302 and forged.headers["Location"] == "/lacak"
    assert stranger.post("/lacak/data-saya/hapus-kontak", data={"confirm": "y"}).status_code == 302
    assert stranger.get("/lacak/data-saya/unduh").status_code == 302
    assert report_row(app, report.id).contact_email == "warga@example.com"


def test_a_correction_without_the_pages_csrf_token_is_refused(make_app, report_form):
    app = make_app.with_reference_data(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    form_page = client.get("/lapor")
    data = report_form(files=FILES, csrf_token=csrf_token_from(form_page.text))
    code = code_on(post_report(client, data, follow=True).text)
    token = csrf_token_from(client.get("/lacak").text)
    assert client.post("/lacak", data={"code": code, "csrf_token": token}).status_code == 303
    forged = client.post("/lacak/data-saya/kontak", data={"contact_email": "x@example.net"})
    assert forged.status_code == 400
    honest_token = csrf_token_from(client.get("/lacak/data-saya").text)
    assert (
        client.post(
            "/lacak/data-saya/kontak",
            data={"contact_email": "baru@example.org", "csrf_token": honest_token},
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Report.contact_email)) == "baru@example.org"


def test_deleting_under_a_legal_hold_is_refused_with_the_reason(app, client, report_form):
    report = file_and_track(app, client, report_form)
    with app.app_context():
        db.session.add(LegalHold(case_id=report.case_id, reason="Perintah pengadilan no. 1"))
        db.session.commit()
    english(client)
    refused = client.post("/lacak/data-saya/hapus-kontak", data={"confirm": "y"})
    assert refused.status_code == 409 and "under a legal hold" in refused.text
    assert report_row(app, report.id).contact_email == "warga@example.com"


def test_the_notice_is_written_from_the_schedule_and_the_form_records_its_version(
    make_app, report_form
):
    schedule = ({"kind": "contact", "status": "closed", "days": 45},)
    app = make_app.with_reference_data(RETENTION_SCHEDULE=schedule)
    client = app.test_client()
    notice = client.get("/privasi")
    assert "45 hari" in notice.text and "Pasal 8" in notice.text  # Indonesian by default
    english(client)
    notice = client.get("/privasi")
    assert "45 days after the case was closed" in notice.text and "Article 13" in notice.text
    version = re.search(r"Version ([0-9a-z.-]+)", notice.text).group(1)
    form = client.get("/lapor").text
    assert f'value="{version}"' in form and 'href="/privasi"' in form
    receipt = post_report(client, report_form(files=FILES), follow=True)
    assert 'href="/privasi"' in receipt.text
    with app.app_context():
        assert db.session.scalar(sa.select(Report.notice_version)) == version
    client.post("/lacak", data={"code": code_on(receipt.text)})
    assert 'href="/lacak/data-saya"' in client.get("/lacak/status").text
    assert 'href="/privasi"' in client.get("/").text  # the footer
    other = make_app(
        RETENTION_SCHEDULE=schedule + ({"kind": "messages", "status": "closed", "days": 9},)
    )
    with other.test_client() as changed:
        assert version not in changed.get("/privasi").text  # a new schedule, a new version


def test_a_forged_notice_version_is_not_stored(app, client, report_form):
    post_report(client, report_form(files=FILES, notice_version="<script>" * 10), follow=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Report.notice_version)) is None


def test_legal_hold_on_the_case_page(app, client, make_case, make_user, login_as):
    made = make_case(emails=["a@example.test"])
    officer, supervisor = make_user(role="officer"), make_user(role="supervisor")
    login_as(client, officer)
    english(client)
    page = client.get(f"/petugas/kasus/{made.id}")
    assert 'id="legal-hold"' in page.text and "Place a legal hold" not in page.text
    assert (
        client.post(f"/petugas/kasus/{made.id}/tahan-hukum", data={"reason": "x" * 20}).status_code
        == 403
    )
    login_as(client, supervisor)
    english(client)
    empty = client.post(
        f"/petugas/kasus/{made.id}/tahan-hukum", data={"reason": "  "}, follow_redirects=True
    )
    assert "Give the reason for the legal hold" in empty.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalHold)) == 0
    placed = client.post(
        f"/petugas/kasus/{made.id}/tahan-hukum",
        data={"reason": "Permintaan penyidik Polda"},
        follow_redirects=True,
    )
    assert "The legal hold was placed" in placed.text and 'id="legal-hold-active"' in placed.text
    assert "Legal hold placed" in placed.text  # the case history
    lifted = client.post(f"/petugas/kasus/{made.id}/tahan-hukum/lepas", follow_redirects=True)
    assert "The legal hold was lifted" in lifted.text


def test_admins_see_the_schedule_and_the_last_run(app, client, make_user, login_as):
    login_as(client, make_user(role="admin", team=None))
    english(client)
    page = client.get("/petugas/admin/retensi")
    assert "30 days after the report was rejected as spam" in page.text
    assert "The schedule has not run yet." in page.text
    assert app.test_cli_runner().invoke(args=["retention", "run"]).exit_code == 0
    assert "Finished" in client.get("/petugas/admin/retensi").text


def test_a_formal_laporans_identity_is_hers_to_see_and_goes_with_her_contact_details(
    app, client, file_laporan
):
    from portal.evidence.storage import get_storage
    from portal.intake.formal.models import FormalIdentity, FormalWitness
    from tests.fixtures.formal import FULL_NAME, NIK

    filed = file_laporan(
        client,
        **{"formal-witnesses-0-name": "Budi Santoso", "formal-witnesses-0-phone": "0813 1111 2222"},
    )
    assert client.post("/lacak", data={"code": filed.code}).status_code == 303
    english(client)
    page = client.get("/lacak/data-saya").text
    for shown in (FULL_NAME, NIK, "Lubuk Linggau", "Budi Santoso", "ID card photo"):
        assert shown in page
    with app.app_context():
        card_key = db.session.scalar(sa.select(FormalIdentity.id_card_original_key))
        assert card_key and get_storage().exists(card_key)

    deleted = client.post(
        "/lacak/data-saya/hapus-kontak", data={"confirm": "y"}, follow_redirects=True
    )
    assert "Your contact details were deleted" in deleted.text
    assert NIK not in deleted.text and "Budi Santoso" not in deleted.text
    with app.app_context():
        identity = db.session.scalar(sa.select(FormalIdentity))
        assert (identity.full_name, identity.nik, identity.birth_date) == ("", "", None)
        assert identity.id_card_original_key is None and not get_storage().exists(card_key)
        assert db.session.scalar(sa.select(FormalWitness.name)) == ""
        erased = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "erased"))
        assert erased.data.get("identity") is True and erased.data.get("witnesses") == 1
        assert NIK not in json.dumps(erased.data)
        assert verify_chain(filed.case_id).is_intact
