"""The officer's side of a formal laporan: the checklist on the case page, the request to
complete it (status page, email), the resident's completion, registration (number, who and
when, the decision clock, the history), closing one that cannot be registered, the audited
ID card view and the official form as PDF."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.cases import case_events
from tests.fixtures.formal import FULL_NAME, NIK, set_regime_clocks

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@pytest.fixture
def officer(make_user, login_as, client):
    user = make_user(role="officer")
    return user


def staff_client(app, login_as, user):
    other = app.test_client()
    login_as(other, user)
    return other


def open_status(client, code: str) -> str:
    client.post("/lacak", data={"code": code})
    return client.get("/lacak/status").text


def outbox(app) -> list:
    from portal.notify.models import OutboxMessage

    with app.app_context():
        return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_completion_then_registration(app, client, file_laporan, make_user, login_as):
    set_regime_clocks(app, completion_days=3, completion_working_days=True)
    app.config["REGISTRATION_REGION_CODE"] = "06.04"
    filed = file_laporan(client, visibility="named")
    staff = staff_client(app, login_as, make_user(role="officer"))
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"

    page = staff.get(f"/petugas/kasus/{filed.case_id}").text
    assert "syarat formil: lengkap, syarat materiil: 1 kurang (saksi)" in page
    assert NIK in page  # staff see the identity

    # Registering an incomplete laporan is refused and changes nothing.
    staff.post(f"{base}/registrasi", data={})
    assert not case_events(app, filed.case_id, "laporan_registered")

    response = staff.post(
        f"{base}/lengkapi", data={"missing": ["witnesses"], "note": "Sebutkan saksi."}
    )
    assert response.status_code == 303
    status = open_status(client, filed.code)
    assert "Petugas meminta Anda melengkapi laporan" in status
    assert "Mohon lengkapi paling lambat" in status and "Sebutkan saksi." in status
    mails = [m for m in outbox(app) if m.kind == "laporan_completion"]
    assert [m.recipient for m in mails] == ["siti@example.com"]
    assert NIK not in mails[0].body_text and FULL_NAME not in mails[0].body_text

    # A witness without a name is refused by its field; nothing changes.
    refused = client.post(
        "/lacak/lengkapi", data={"formal-witnesses-0-name": "", "formal-witnesses-0-phone": "0812"}
    )
    assert refused.status_code == 400 and "nama saksi" in refused.text
    done = client.post(
        "/lacak/lengkapi",
        data={
            "formal-witnesses-0-name": "Budi Santoso",
            "formal-witnesses-0-phone": "0813 1111 2222",
        },
    )
    assert done.status_code == 303
    page = staff.get(f"/petugas/kasus/{filed.case_id}").text
    assert "syarat formil: lengkap, syarat materiil: lengkap" in page

    assert staff.post(f"{base}/registrasi", data={}).status_code == 303
    from portal.cases.history import verify_chain
    from portal.clock import local_today
    from portal.intake.formal.models import FormalLaporan

    with app.app_context():
        today = local_today()
    expected = f"001/Reg/LP/PW/06.04/{ROMAN[today.month - 1]}/{today.year}"
    with app.app_context():
        laporan = db.session.get(FormalLaporan, filed.laporan_id)
        assert laporan.registration_number == expected
        assert laporan.state == "registered" and laporan.registered_by_id is not None
        assert laporan.decision_due_at is not None
        assert laporan.report.case.due_at == laporan.decision_due_at
        assert verify_chain(filed.case_id).is_intact
    [event] = case_events(app, filed.case_id, "laporan_registered")
    assert event.data["number"] == expected and NIK not in str(event.data)
    status = open_status(client, filed.code)
    assert expected in status and "Pengawas memutuskan paling lambat" in status
    own_copy = client.get("/lacak/formulir.pdf")
    assert own_copy.status_code == 200 and own_copy.mimetype == "application/pdf"
    assert app.test_client().get("/lacak/formulir.pdf").status_code == 404  # another device

    # The next laporan of the team that year gets the next number.
    second = file_laporan(client, visibility="named", **{"formal-witnesses-0-name": "Ani"})
    staff.post(f"/petugas/kasus/{second.case_id}/laporan/{second.laporan_id}/registrasi", data={})
    with app.app_context():
        assert db.session.get(FormalLaporan, second.laporan_id).registration_number.startswith(
            "002/"
        )


def test_a_laporan_that_cannot_be_registered_is_closed_and_the_resident_told(
    app, client, file_laporan, make_user, login_as
):
    filed = file_laporan(client, visibility="named")
    staff = staff_client(app, login_as, make_user(role="officer"))
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"
    assert staff.post(f"{base}/tolak", data={"reason": ""}).status_code == 303
    assert not case_events(app, filed.case_id, "laporan_not_registrable")
    staff.post(f"{base}/tolak", data={"reason": "Dilaporkan setelah batas waktu."})
    status = open_status(client, filed.code)
    assert "Laporan Anda tidak dapat diregistrasi" in status
    assert "Dilaporkan setelah batas waktu." in status
    assert [m.kind for m in outbox(app)][-1] == "laporan_not_registrable"


def test_the_id_card_is_shown_to_staff_only_and_each_view_is_recorded(
    app, client, file_laporan, make_user, login_as
):
    filed = file_laporan(client, visibility="named")
    url = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}/ktp"
    assert client.get(url).status_code in (302, 401)  # the resident's browser is no staff
    outsider = staff_client(
        app, login_as, make_user(role="officer", team="inspektorat-lubuklinggau")
    )
    assert outsider.get(url).status_code == 404
    staff = staff_client(app, login_as, make_user(role="officer"))
    response = staff.get(url)
    assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert "no-store" in response.headers["Cache-Control"]
    assert len(case_events(app, filed.case_id, "id_card_viewed")) == 1


def test_the_official_form_pdf_carries_the_laporan_and_its_number(
    app, client, file_laporan, make_user, login_as
):
    pypdf = pytest.importorskip("pypdf")
    filed = file_laporan(client, visibility="named", **{"formal-witnesses-0-name": "Budi Santoso"})
    staff = staff_client(app, login_as, make_user(role="officer"))
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"
    staff.post(f"{base}/registrasi", data={})
    response = staff.get(f"{base}/formulir.pdf")
    if response.status_code == 503:
        pytest.skip("WeasyPrint cannot run here")
    assert response.mimetype == "application/pdf"
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages
    )
    text = re.sub(r"\s+", " ", text)
    assert "Laporan dugaan pelanggaran pemilihan" in text
    assert re.search(r"001/Reg/LP/PW/[\d.]+/[IVX]+/\d{4}", text)
    for expected in (FULL_NAME, NIK, "Budi Santoso", "Wali Kota Lubuk Linggau", "Pelapor"):
        assert expected in text
    page = staff.get(f"{base}/formulir").text
    assert "Nomor registrasi" in page and FULL_NAME in page


def test_registration_numbers_follow_the_team_pattern_and_never_repeat(app, make_user):
    from portal.accounts.models import Team
    from portal.cases.registration.numbers import PatternRefused, check_pattern
    from portal.cases.registration.operations import next_number, save_pattern
    from portal.db import unit_of_work, utcnow

    with pytest.raises(PatternRefused):
        check_pattern("{seq.__class__}")
    with pytest.raises(PatternRefused):
        check_pattern("LP/{year}")  # no sequence
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "bawaslu-sumsel"))
        with unit_of_work():
            save_pattern(team_id=team.id, pattern="{team}-{year}-{seq:04d}")
        numbers = []
        for _ in range(3):
            with unit_of_work():
                numbers.append(
                    next_number(team_id=team.id, team_slug=team.slug, on=utcnow(), region="x")
                )
        next_year = utcnow() + timedelta(days=366)
        with unit_of_work():
            later = next_number(team_id=team.id, team_slug=team.slug, on=next_year, region="x")
    year = numbers[0].split("-")[-2]
    assert numbers == [f"bawaslu-sumsel-{year}-000{n}" for n in (1, 2, 3)]
    assert later.endswith("-0001")


def test_the_evidence_bundle_carries_the_laporan_form(
    app, client, file_laporan, make_user, login_as
):
    import json
    import zipfile

    filed = file_laporan(client, visibility="named")
    supervisor = staff_client(app, login_as, make_user(role="supervisor"))
    response = supervisor.get(f"/petugas/kasus/{filed.case_id}/bundel.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        names = bundle.namelist()
        manifest = json.loads(bundle.read("manifest.json"))
    form = [name for name in names if name.startswith("laporan/formulir-laporan-")]
    assert len(form) == 1 and form[0].endswith(".pdf")
    assert form[0] in {f["path"] for f in manifest["files"]}


def test_officers_read_the_checklist_in_english(app, client, file_laporan, make_user, login_as):
    filed = file_laporan(client, visibility="named")
    staff = staff_client(app, login_as, make_user(role="officer"))
    staff.post("/bahasa", data={"lang": "en", "next": "/"})
    page = staff.get(f"/petugas/kasus/{filed.case_id}").text
    assert "formal requirements: complete, material requirements: 1 missing (witnesses)" in page
    assert "Ask the resident to complete it" in page


def test_a_registered_laporan_cannot_be_registered_or_closed_again(
    app, client, file_laporan, make_user, login_as
):
    filed = file_laporan(client, visibility="named", **{"formal-witnesses-0-name": "Budi"})
    staff = staff_client(app, login_as, make_user(role="officer"))
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"
    staff.post(f"{base}/registrasi", data={})
    again = staff.post(f"{base}/registrasi", data={}, follow_redirects=True)
    assert "sudah diregistrasi atau ditutup" in again.text
    staff.post(f"{base}/tolak", data={"reason": "Terlambat."})
    assert len(case_events(app, filed.case_id, "laporan_registered")) == 1
    assert not case_events(app, filed.case_id, "laporan_not_registrable")


def test_a_confidential_reporters_laporan_identity_is_behind_the_custodian(
    app, client, file_laporan, make_user, make_custodian, login_as
):
    """With the custodian gate on, an officer sees neither the NIK on the case page, nor the
    laporan form, its PDF, the ID card or the bundle's form until a custodian approves her
    request; then each opening is in the history as an identity showing."""
    import zipfile

    from portal.accounts.models import User
    from portal.cases.identity.operations import decide_request, request_identity
    from portal.cases.models import Case
    from portal.intake.models import Report

    filed = file_laporan(client, **{"formal-witnesses-0-name": "Budi Santoso"})
    officer_user = make_user(role="supervisor")
    staff = staff_client(app, login_as, officer_user)
    base = f"/petugas/kasus/{filed.case_id}/laporan/{filed.laporan_id}"
    page = staff.get(f"/petugas/kasus/{filed.case_id}").text
    assert NIK not in page and FULL_NAME not in page
    assert "held by the identity custodian" in page or "kustodian identitas" in page
    for path in ("/formulir", "/formulir.pdf", "/ktp"):
        assert staff.get(base + path).status_code == 403, path
    with zipfile.ZipFile(
        io.BytesIO(staff.get(f"/petugas/kasus/{filed.case_id}/bundel.zip").data)
    ) as z:
        assert not [n for n in z.namelist() if n.startswith("laporan/")]

    custodian = make_custodian()
    with app.app_context():
        request = request_identity(
            case=db.session.get(Case, filed.case_id),
            report=db.session.get(Report, filed.report_id),
            requester=db.session.get(User, officer_user.id),
            reason="Untuk meregistrasi laporan resmi.",
        )
        decide_request(request=request, custodian=db.session.get(User, custodian.id), approve=True)
        db.session.commit()
    form = staff.get(base + "/formulir")
    assert form.status_code == 200 and NIK in form.text
    assert staff.get(base + "/ktp").status_code == 200
    shown = [e.data.get("what") for e in case_events(app, filed.case_id, "identity_viewed")]
    assert shown == ["laporan_form", "id_card"]
