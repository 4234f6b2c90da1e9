"""No reporter identity in the wrong place (issue 13, point 6): reports of every visibility,
each with its own distinctive name, email and phone, are filed through the form and Open311;
then every staff page an officer without custodian rights can open, every public output,
every email to staff and every log line is read. A named reporter shows on staff pages as
before; a confidential one only to the officer custodians allowed, on the recorded page."""

import io
import logging
import zipfile

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.identity import decide, file_report

NAMED = ("Yusuf Terbuka-Sebelas", "yusuf.sebelas@terbuka.example", "081211111111")
CONFIDENTIAL = ("Rahmawati Rahasia-Dua", "rahma.dua@rahasia.example", "081222222222")
ANONYMOUS = ("Anonim Tanpa-Nama-Tiga", "anonim.tiga@diam.example", "081233333333")
OPEN311 = ("Open Tigasatusatu", "api.rahasia@open311.example", "081244444444")
HELD = CONFIDENTIAL + ANONYMOUS + OPEN311  # never on a page of an officer without a grant
EVERY = NAMED + HELD
SAME_POST = "https://www.instagram.com/p/SamaSatu01/"


@pytest.fixture
def app(mail_app):
    """Mail really goes to the aiosmtpd server: the emails to staff are read as they arrive."""
    return mail_app


def contact(values: tuple, visibility: str) -> dict:
    name, email, phone = values
    return {
        "visibility": visibility,
        "contact_name": name,
        "contact_email": email,
        "contact_phone": phone,
    }


@pytest.fixture
def world(app, report_form, make_user, make_custodian, api_key, login_as, caplog):
    """The reports, the staff, a day of case work, two published cases; returns what the
    checks need."""
    from portal.accounts.models import Role, User
    from portal.cases.models import Case
    from portal.cases.operations import assign_case
    from portal.intake.models import Report

    caplog.set_level(logging.DEBUG)
    named = file_report(app, report_form, **contact(NAMED, "named"), links=SAME_POST)
    confidential = file_report(app, report_form, **contact(CONFIDENTIAL, "confidential"))
    anonymous = file_report(app, report_form, **contact(ANONYMOUS, "anonymous"), links=SAME_POST)
    api = app.test_client().post(
        "/open311/v2/requests.json",
        data={
            "api_key": api_key,
            "service_code": "asn-medsos-posting",
            "description": "Akun resmi dinas mengunggah poster kampanye salah satu calon.",
            "attribute[reported_party]": "Dinas Kominfo Kota Lubuk Linggau",
            "attribute[platform]": "instagram",
            "attribute[account_handle]": "@dinas.contoh",
            "media_url": "https://www.instagram.com/p/Api3110/",
            "address_string": "Kota Lubuk Linggau",
            "first_name": OPEN311[0].split()[0],
            "last_name": OPEN311[0].split()[1],
            "email": OPEN311[1],
            "phone": OPEN311[2],
        },
    )
    assert api.status_code == 200, api.text
    officer = make_user(name="Petugas Biasa")
    supervisor = make_user(role=Role.SUPERVISOR, name="Penyelia")
    custodian = make_custodian(name="Kustodian Satu")
    with app.app_context():
        cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
        for case in cases:
            assign_case(
                case=case,
                assignee=db.session.get(User, officer.id),
                actor=db.session.get(User, supervisor.id),
            )
        db.session.commit()
        reports = db.session.scalars(sa.select(Report).order_by(Report.id)).all()
        open311_report = reports[-1]
        ids = {
            "cases": [c.id for c in cases],
            "reports": [(r.case_id, r.id) for r in reports],
            "open311": (open311_report.case_id, open311_report.id),
        }
    client = app.test_client()
    login_as(client, db_user(app, officer.id))
    for case_id, report_id in ids["reports"]:
        response = client.post(
            f"/petugas/kasus/{case_id}/pesan",
            data={"report": report_id, "body": "Mohon kirim tangkapan layar yang lebih jelas."},
        )
        assert response.status_code == 303
    reason = "Untuk meregistrasi laporan formal."
    for case_id, report_id in (
        (confidential.case_id, confidential.report_id),
        ids["open311"],
    ):
        asked = client.post(
            f"/petugas/kasus/{case_id}/identitas/{report_id}/minta", data={"reason": reason}
        )
        assert asked.status_code == 303
    custodian_client = app.test_client()
    login_as(custodian_client, db_user(app, custodian.id))
    first_request = request_id_for(app, confidential.report_id)
    assert decide(custodian_client, first_request).status_code == 303
    publish_both(app, supervisor.id, [named.case_id, confidential.case_id])
    return {
        "client": client,
        "named": named,
        "confidential": confidential,
        "anonymous": anonymous,
        "ids": ids,
        "officer": officer,
        "staff": {officer.email, supervisor.email, custodian.email},
    }


def db_user(app, user_id):
    from portal.accounts.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def request_id_for(app, report_id: int) -> int:
    from portal.cases.identity.models import IdentityRequest

    with app.app_context():
        return db.session.scalar(
            sa.select(IdentityRequest.id).where(IdentityRequest.report_id == report_id)
        )


def publish_both(app, supervisor_id: int, case_ids: list[int]) -> None:
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.operations import publish_case
    from portal.cases.publishing.redaction import approve_unredacted
    from portal.evidence.models import Evidence
    from portal.intake.models import Report
    from portal.public.stats import refresh_stats

    with app.app_context():
        actor = db.session.get(User, supervisor_id)
        for case_id in case_ids:
            case = db.session.get(Case, case_id)
            evidence = db.session.scalars(
                sa.select(Evidence).join(Report).where(Report.case_id == case_id)
            ).first()
            approve_unredacted(case=case, evidence=evidence, actor=actor)
            publish_case(
                case=case,
                actor=actor,
                summary="Akun resmi dinas memuat materi kampanye.",
                reported_party_public="Dinas Kominfo",
                publishable_evidence_ids=[evidence.id],
            )
        refresh_stats()
        db.session.commit()


def staff_urls(app, ids: dict) -> list[str]:
    """Every GET page under /petugas that names at most a case and a report, for each case
    and report of the test (admin-only pages answer 403 and are left out by the caller)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/petugas") or "GET" not in rule.methods:
            continue
        args = set(rule.arguments)
        if not args <= {"case_id", "report_id"}:
            continue
        if "report_id" in args:
            pairs = [{"case_id": c, "report_id": r} for c, r in ids["reports"]]
        elif "case_id" in args:
            pairs = [{"case_id": c} for c in ids["cases"]]
        else:
            pairs = [{}]
        for values in pairs:
            with app.test_request_context():
                from flask import url_for

                urls.append(url_for(rule.endpoint, **values))
    return urls


def readable(response) -> str:
    """A page's text; a ZIP (the evidence bundle) as its member names and text members."""
    if response.mimetype == "application/zip":
        parts = []
        with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
            for name in bundle.namelist():
                parts.append(name)
                if name.endswith((".json", ".txt", ".html", ".csv", ".xml")):
                    parts.append(bundle.read(name).decode("utf-8", "replace"))
        return "\n".join(parts)
    return response.get_data(as_text=True)


def check_an_officer_without_a_grant_sees_no_held_identity_on_any_staff_page(app, world):
    client = world["client"]
    read = asked = 0
    for url in staff_urls(app, world["ids"]):
        response = client.get(url)
        if response.status_code == 302:  # e.g. "just recorded" with nothing recorded: the form
            response = client.get(response.location)
        # The login form; admins' pages; asking for an identity nobody holds.
        if response.status_code in (303, 403) or (response.status_code == 404 and "/minta" in url):
            continue
        assert response.status_code == 200, url
        text = readable(response)
        read += 1
        asked += "/minta" in url
        for secret in HELD:
            assert secret not in text, (url, secret)
    assert read >= 3 * len(world["ids"]["cases"])  # case page, audit, duplicates, bundle...
    assert asked == 2  # the request pages of the two held identities
    named_page = client.get(f"/petugas/kasus/{world['named'].case_id}").text
    for value in NAMED:  # named reporters are shown as before: the check can see them
        assert value in named_page
    assert (
        "Pelapor" in named_page
        and "rahasia" in client.get(f"/petugas/kasus/{world['confidential'].case_id}").text
    )


def check_the_allowed_officer_sees_the_identity_only_on_the_recorded_page(app, world):
    client, filed = world["client"], world["confidential"]
    page = client.get(f"/petugas/kasus/{filed.case_id}").text
    assert CONFIDENTIAL[1] not in page
    shown = client.post(f"/petugas/kasus/{filed.case_id}/identitas/{filed.report_id}/lihat")
    assert shown.status_code == 200
    for value in CONFIDENTIAL:
        assert value in shown.text
    case_id, report_id = world["ids"]["open311"]  # asked, not yet approved
    refused = client.post(f"/petugas/kasus/{case_id}/identitas/{report_id}/lihat")
    assert refused.status_code == 303 and OPEN311[1] not in refused.get_data(as_text=True)


def check_no_identity_in_any_public_output(app, world):
    from portal.cases.models import Case

    with app.app_context():
        references = db.session.scalars(sa.select(Case.reference)).all()
        published = db.session.scalars(
            sa.select(Case.reference).where(Case.is_published.is_(True))
        ).all()
    assert len(published) == 2
    urls = [
        "/",
        "/kasus",
        "/transparansi",
        "/data",
        "/data/kasus.csv",
        "/data/kasus.json",
        "/data/feed.atom",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        *(f"/kasus/{ref}" for ref in published),
        *(f"/open311/v2/requests/{ref}.json" for ref in references),
        *(f"/open311/v2/requests/{ref}.xml" for ref in references),
    ]
    public = app.test_client()
    for url in urls:
        response = public.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        for secret in EVERY:
            assert secret not in text, (url, secret)
    assert "Akun resmi dinas memuat materi kampanye." in public.get(f"/kasus/{published[0]}").text


def check_no_identity_in_any_email_to_staff(app, world):
    from portal.notify.operations import send_pending

    with app.app_context():
        send_pending(limit=200)
    messages = app.inbox.messages()
    to_staff = [m for m in messages if m["To"] in world["staff"]]
    kinds = {m["Subject"] for m in to_staff}
    assert any("ditugaskan" in s for s in kinds)  # assignment
    assert any("Permintaan identitas" in s for s in kinds)  # to the custodian, and back
    for message in to_staff:
        text = message.as_string()
        for part in message.walk():
            if part.get_content_maintype() == "text":
                text += part.get_content()
        for secret in EVERY:
            assert secret not in text, (message["Subject"], secret)
    reporters = {m["To"] for m in messages} - world["staff"]
    assert NAMED[1] in reporters and CONFIDENTIAL[1] in reporters  # the news reached them
    assert ANONYMOUS[1] not in reporters


def check_no_identity_in_any_log_line(app, world, caplog):
    from portal.notify.operations import send_pending

    with app.app_context():
        send_pending(limit=200)
    world["client"].post(
        f"/petugas/kasus/{world['confidential'].case_id}"
        f"/identitas/{world['confidential'].report_id}/lihat"
    )
    records = caplog.get_records("setup") + caplog.get_records("call")
    # mail.log is the test's own SMTP server (aiosmtpd) talking, not the portal.
    lines = [r.getMessage() for r in records if not r.name.startswith("mail.log")]
    assert any("Report" in line and "filed" in line for line in lines)  # the log was caught
    assert any("Identity of report" in line for line in lines)
    for line in lines:
        for secret in EVERY:
            assert secret not in line, line


# One world per test: filing and working the cases is most of the time, so each test reads
# several kinds of output from the same world.


def test_held_identities_stay_off_staff_pages_but_the_allowed_officer(app, world):
    check_an_officer_without_a_grant_sees_no_held_identity_on_any_staff_page(app, world)
    check_the_allowed_officer_sees_the_identity_only_on_the_recorded_page(app, world)


def test_no_identity_in_public_outputs_staff_emails_or_log_lines(app, world, caplog):
    check_no_identity_in_any_public_output(app, world)
    check_no_identity_in_any_email_to_staff(app, world)
    check_no_identity_in_any_log_line(app, world, caplog)
