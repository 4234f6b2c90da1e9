"""Staff intake: a cyber-patrol finding or a report brought in, entered by an officer, filed
through the one submission path (routing, duplicates, image checks, link canonicalisation) with
its own legal window from the date found; a resident's report taken up as a finding with its
history kept; marks in the queue and on the case page; bad input refused by its field."""

import hashlib
import io
import os
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.cases.models import Case, CaseEvent
from portal.db import db
from portal.evidence.models import Evidence, Link
from portal.intake.findings.models import Finding
from portal.intake.models import Report
from tests.fixtures.cases import case_events
from tests.fixtures.images import png
from tests.fixtures.intake import SOCIAL, code_on, ids_of, post_report

NEW = "/petugas/temuan/baru"
PATROL_LINK = "https://www.instagram.com/p/C9xYz12AbCd/?utm_source=patroli&igsh=ZZZ"


def today(app):
    from portal.clock import local_today

    with app.app_context():
        return local_today()


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Report, Finding, Evidence, Link, Case)
        }


def stored_files(app) -> list[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.path.join(r, n) for r, _d, names in os.walk(folder) for n in names)


@pytest.fixture
def officer(app, client, make_user, login_as):
    """An officer of the Bawaslu team, logged in on `client`."""
    user = make_user(name="Siti Patroli")
    login_as(client, user)
    return user


def entry(app, officer_id, files=None, **overrides) -> dict:
    """The staff form's data for a cyber-patrol finding on an official account's post."""
    category, region = ids_of(app)
    data = {
        "category": str(category),
        "channel": "cyber_patrol",
        "officer": str(officer_id),
        "found_on": (today(app) - timedelta(days=2)).isoformat(),
        f"q-{SOCIAL}-platform": "instagram",
        f"q-{SOCIAL}-account_handle": "@diskominfo.lubuklinggau",
        "reported_party": "Diskominfo Kota Lubuk Linggau",
        "region": str(region),
        "description": "Patroli siber: akun resmi mengunggah poster kampanye calon wali kota.",
        "links": PATROL_LINK,
        "visibility": "anonymous",
        "idempotency_key": os.urandom(16).hex(),
    }
    data.update(overrides)
    data["screenshots"] = [(body, name) for body, name in (files or [])]
    return data


def post_entry(client, data):
    fields = MultiDict()
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                item = FileStorage(io.BytesIO(item[0]), filename=item[1], content_type="image/png")
            fields.add(key, item)
    boundary, body = encode_multipart(fields)
    return client.post(NEW, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_category_comes_first_then_its_questions(app, client, officer):
    page = client.get(NEW)
    assert page.status_code == 200 and 'name="kategori"' in page.text
    category, _region = ids_of(app)
    form = client.get(f"{NEW}?kategori={category}").text
    assert f'name="q-{SOCIAL}-account_handle"' in form
    assert "Temuan patroli siber" in form  # the channel choices, in Indonesian
    assert client.get(f"{NEW}?kategori=999999").status_code == 400


def test_a_cyber_patrol_finding_goes_through_the_pipeline_with_its_own_window(
    app, client, officer, make_user
):
    colleague = make_user(name="Budi Lapangan")
    screenshot = png(color=(10, 200, 30))
    response = post_entry(client, entry(app, colleague.id, files=[(screenshot, "patroli.png")]))
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == "/petugas/temuan/dicatat"
    recorded = client.get("/petugas/temuan/dicatat").text
    reference = re.search(r"ADU-\d{4}-\d{6}", recorded).group(0)
    assert "Temuan patroli siber" in recorded
    assert 'id="resident-receipt"' not in recorded  # no resident waits for a code
    with app.app_context():
        from portal.db import utcnow
        from portal.legal.queries import get_window

        finding = db.session.scalar(sa.select(Finding))
        report = db.session.get(Report, finding.report_id)
        case = report.case
        assert (finding.channel, finding.officer_id) == ("cyber_patrol", colleague.id)
        assert finding.recorded_by_id == officer.id
        assert finding.found_on == today(app) - timedelta(days=2)
        window = get_window(report.category.regime, finding.found_on, now=utcnow())
        assert finding.window_closes_at == window.closes_at == report.window_closes_at
        assert report.source == "staff" and report.learned_on == finding.found_on
        assert case.reference == reference and case.team.slug == "bawaslu-sumsel"  # routed
        assert report.reported_account == "@diskominfo.lubuklinggau"
        [evidence] = report.evidence
        assert evidence.sha256_original == hashlib.sha256(screenshot).hexdigest()
        [link] = report.links
        assert link.url_canonical == "https://www.instagram.com/p/C9xYz12AbCd/"
        case_id = case.id
    [event] = case_events(app, case_id, "finding_recorded")
    assert event.actor_id == officer.id and event.data["channel"] == "cyber_patrol"
    queue = client.get("/petugas/kasus/?tab=open").text
    row = re.search(rf'data-case="{reference}".*?</tr>', queue, re.S).group(0)
    assert 'data-channel="cyber_patrol"' in row and "Temuan" in row
    page = client.get(f"/petugas/kasus/{case_id}").text
    assert 'id="findings"' in page and "Budi Lapangan" in page
    assert "Tercatat oleh petugas" in page  # the history entry, in words


def test_a_finding_of_a_post_already_reported_joins_its_case(app, client, report_form, officer):
    resident = app.test_client()
    resident_page = post_report(resident, report_form(), follow=True).text
    reference = re.search(r'id="case-reference">(ADU-\d{4}-\d+)<', resident_page).group(1)
    response = post_entry(client, entry(app, officer.id))  # a link only, as evidence
    assert response.status_code == 303
    assert reference in client.get("/petugas/temuan/dicatat").text
    assert counts(app)["Case"] == 1 and counts(app)["Report"] == 2


def test_a_walk_in_report_gives_the_resident_a_receipt_in_this_browser(app, client, officer):
    data = entry(
        app,
        officer.id,
        channel="walk_in",
        visibility="confidential",
        contact_name="Ibu Rina",
        contact_email="rina@example.com",
        links="",
        files=[(png(), "dari-warga.png")],
    )
    assert post_entry(client, data).status_code == 303
    recorded = client.get("/petugas/temuan/dicatat").text
    assert 'id="resident-receipt"' in recorded
    receipt = client.get("/laporan/tanda-terima")
    code = code_on(receipt.text)
    assert "Patroli siber" in receipt.text  # what was entered, repeated
    pdf = client.get("/laporan/tanda-terima.pdf")
    assert pdf.mimetype == "application/pdf"
    other = app.test_client()
    assert other.get("/laporan/tanda-terima").status_code == 302
    assert code.encode() not in other.get("/laporan/tanda-terima.pdf").data
    queue = client.get("/petugas/kasus/?tab=open").text
    assert 'data-channel="walk_in"' in queue and "Entri petugas" in queue


def test_a_second_click_records_one_finding(app, client, officer):
    data = entry(app, officer.id)
    assert post_entry(client, data).status_code == 303
    assert post_entry(client, dict(data)).status_code == 303
    assert counts(app)["Finding"] == 1 and counts(app)["Report"] == 1


def test_a_date_found_in_the_future_is_refused_by_its_field(app, client, officer):
    data = entry(app, officer.id, found_on=(today(app) + timedelta(days=1)).isoformat())
    response = post_entry(client, data)
    assert response.status_code == 400
    field = re.search(
        r'<div class="field[^"]*has-error[^"]*">\s*<label for="found_on".*?</div>',
        response.text,
        re.S,
    )
    assert field and "masa depan" in field.group(0)
    assert "Patroli siber: akun resmi mengunggah poster" in response.text  # answers kept
    assert "@diskominfo.lubuklinggau" in response.text
    assert counts(app)["Report"] == 0 and stored_files(app) == []


def test_a_finding_without_evidence_or_description_is_refused(app, client, officer):
    response = post_entry(client, entry(app, officer.id, links="", description=""))
    assert response.status_code == 400
    html = response.text
    for name, message in (
        ("description", "Uraikan apa yang terjadi."),
        ("screenshots", "Temuan memerlukan buktinya"),
    ):
        field = re.search(
            rf'<div class="field[^"]*has-error[^"]*">\s*<label for="{name}".*?</div>', html, re.S
        )
        assert field and message in field.group(0), name
    assert counts(app)["Report"] == 0 and counts(app)["Finding"] == 0


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(app, client, officer):
    fake = b"%PDF-1.4 not a screenshot at all" * 10
    response = post_entry(client, entry(app, officer.id, files=[(fake, "bukan-gambar.png")]))
    assert response.status_code in (415, 422)
    assert "bukan-gambar.png" in response.text and 'id="files-lost"' in response.text
    assert "Diskominfo Kota Lubuk Linggau" in response.text
    assert counts(app)["Report"] == 0 and stored_files(app) == []


def test_an_officer_of_another_team_cannot_be_named(app, client, officer, make_user):
    stranger = make_user(team="inspektorat-sumsel")
    response = post_entry(client, entry(app, stranger.id))
    assert response.status_code == 400
    assert counts(app)["Report"] == 0


def test_staff_without_a_team_cannot_record_findings(app, client, make_user, login_as):
    login_as(client, make_user(role="admin", team=None))
    assert client.get(NEW).status_code == 403


def take_up(client, made, report_id, officer_id, found_on, note="Diambil alih sebagai temuan."):
    return client.post(
        f"/petugas/temuan/kasus/{made.id}/ambil",
        data={
            "take-up-report": report_id,
            "take-up-officer": officer_id,
            "take-up-found_on": found_on,
            "take-up-note": note,
        },
    )


def test_an_anonymous_report_taken_up_as_a_finding_keeps_its_history(
    app, client, officer, make_case
):
    made = make_case(visibility="anonymous", learned_on=today(app) - timedelta(days=10))
    with app.app_context():
        before = db.session.scalars(
            sa.select(CaseEvent.hash).where(CaseEvent.case_id == made.id).order_by(CaseEvent.seq)
        ).all()
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "Ambil laporan warga sebagai temuan" in page
    response = take_up(client, made, made.report_ids[0], officer.id, today(app).isoformat())
    assert response.status_code == 303
    with app.app_context():
        from portal.cases.history import verify_chain

        after = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.case_id == made.id).order_by(CaseEvent.seq)
        ).all()
        assert [e.hash for e in after[: len(before)]] == before  # nothing earlier rewritten
        assert after[-1].kind == "taken_up_as_finding" and after[-1].report_id == made.report_ids[0]
        assert after[-1].visibility == "reporter"
        assert verify_chain(made.id).is_intact
        finding = db.session.scalar(sa.select(Finding))
        assert finding.channel == "taken_up" and finding.found_on == today(app)
        assert finding.window_closes_at is not None  # its own window, from today
        report = db.session.get(Report, made.report_ids[0])
        assert finding.window_closes_at > report.window_closes_at
        assert report.visibility == "anonymous" and report.source == "web"
    page = client.get(f"/petugas/kasus/{made.id}").text
    assert "Temuan" in page and "Diambil alih sebagai temuan." in page
    assert (
        take_up(client, made, made.report_ids[0], officer.id, today(app).isoformat()).status_code
        == 303
    )
    assert counts(app)["Finding"] == 1  # once is enough


def test_taking_up_refuses_a_future_date_and_another_teams_case(
    app, client, officer, make_case, make_user, login_as
):
    made = make_case()
    tomorrow = (today(app) + timedelta(days=1)).isoformat()
    assert take_up(client, made, made.report_ids[0], officer.id, tomorrow).status_code == 303
    assert counts(app)["Finding"] == 0
    outsider = app.test_client()
    other = make_user(team="inspektorat-sumsel")
    login_as(outsider, other)
    response = take_up(outsider, made, made.report_ids[0], other.id, today(app).isoformat())
    assert response.status_code == 404
    assert counts(app)["Finding"] == 0


def test_take_up_report_refuses_an_actor_of_another_team(app, make_case, make_user):
    from portal.accounts.models import User
    from portal.intake.findings.operations import NotOfTheTeam, take_up_report

    made = make_case()
    admin = make_user(role="admin", team="inspektorat-sumsel")  # admins see every case
    with app.app_context():
        actor = db.session.get(User, admin.id)
        report = db.session.get(Report, made.report_ids[0])
        with pytest.raises(NotOfTheTeam):
            take_up_report(report=report, officer=actor, actor=actor, found_on=today(app))
        db.session.rollback()
    assert counts(app)["Finding"] == 0


def test_the_resident_sees_that_the_report_was_taken_up(app, client, officer, report_form):
    resident = app.test_client()
    code = code_on(post_report(resident, report_form(visibility="anonymous"), follow=True).text)
    with app.app_context():
        report = db.session.scalar(sa.select(Report))
        case_id, report_id = report.case_id, report.id
    made = type("Made", (), {"id": case_id})
    assert take_up(client, made, report_id, officer.id, today(app).isoformat()).status_code == 303
    assert resident.post("/lacak", data={"code": code}).status_code == 303
    status = resident.get("/lacak/status").text
    assert "Petugas mengambil alih laporan Anda sebagai temuan mereka sendiri" in status
    assert officer.email not in status and "Siti Patroli" not in status


def test_a_refused_officer_leaves_no_row_and_no_file(app, make_user):
    """record_finding stores the screenshot before it checks the officer: the unit of work
    that refuses the officer removes the stored files too."""
    from portal.accounts.models import User
    from portal.db import unit_of_work
    from portal.intake.drafts import ReportDraft
    from portal.intake.findings.models import Channel
    from portal.intake.findings.operations import OfficerNotInTeam, record_finding
    from portal.reference.models import Category, Region

    recorder, stranger = make_user(), make_user(team="inspektorat-sumsel")
    with app.test_request_context():
        draft = ReportDraft(
            category=db.session.scalar(sa.select(Category).where(Category.code == SOCIAL)),
            region=db.session.scalar(sa.select(Region).where(Region.code == "16.74")),
            reported_party="Diskominfo",
            description="Patroli siber menemukan unggahan kampanye di akun resmi.",
            language="id",
            answers={"platform": "instagram", "account_handle": "@diskominfo"},
            screenshots=(("patroli.png", png()),),
            learned_on=today(app),
        )
        with pytest.raises(OfficerNotInTeam), unit_of_work():
            record_finding(
                draft=draft,
                channel=Channel.CYBER_PATROL,
                officer=db.session.get(User, stranger.id),
                actor=db.session.get(User, recorder.id),
            )
    assert counts(app)["Report"] == 0 and counts(app)["Finding"] == 0
    assert stored_files(app) == []


def test_a_posted_category_that_is_not_offered_is_refused(app, client, officer):
    response = post_entry(client, entry(app, officer.id, category="999999"))
    assert response.status_code == 400
    assert "Pilih jenis pengaduan." in response.text and 'name="kategori"' in response.text
    assert counts(app)["Report"] == 0
