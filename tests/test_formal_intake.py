"""The formal laporan path of the report form: filed with its report, the checklist while
filling (without scripts), bad input refused by its field with every answer kept and nothing
stored, anonymous reports told they are informasi awal."""

import sqlalchemy as sa

from portal.db import db
from tests.fixtures.formal import FULL_NAME, NIK, formal_fields
from tests.fixtures.intake import post_report


def formal_counts(app) -> dict:
    from portal.intake.formal.models import FormalIdentity, FormalLaporan, FormalWitness

    with app.app_context():
        return {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in (
                ("laporan", FormalLaporan),
                ("identity", FormalIdentity),
                ("witnesses", FormalWitness),
            )
        }


def test_a_formal_laporan_is_filed_with_its_report(app, client, report_form, stored):
    response = post_report(client, report_form(**formal_fields()))
    assert response.status_code == 303
    from portal.cases.referrals.models import ReportedCivilServant
    from portal.cases.registration.queries import get_checklist
    from portal.db import utcnow
    from portal.intake.formal.models import FormalLaporan

    with app.app_context():
        laporan = db.session.scalar(sa.select(FormalLaporan))
        assert laporan.identity.nik == NIK  # the spaces people type are dropped
        assert laporan.identity.id_card_original_key.startswith("sealed/")
        assert laporan.party_ppk == "Wali Kota Lubuk Linggau"
        checklist = get_checklist(laporan, now=utcnow())
        assert checklist.summaries() == "syarat formil: lengkap, syarat materiil: 1 kurang (saksi)"
        assert laporan.state == "incomplete"
        # The civil servant becomes the case's civil servant for BKN.
        person = db.session.scalar(sa.select(ReportedCivilServant))
        assert (person.nip, person.position) == ("198001012005011001", "Kepala Dinas")
    # The ID card is stored like evidence (original, clean copy, thumbnail): 3 more files.
    assert len(stored()["files"]) == 3 * 3


def test_the_check_button_shows_the_checklist_and_stores_nothing(app, client, report_form, stored):
    data = report_form(**formal_fields(**{"formal-witnesses-0-name": "Budi"}), step="formal-check")
    response = post_report(client, data)
    assert response.status_code == 200
    assert "syarat formil: lengkap, syarat materiil: lengkap" in response.text
    assert 'value="Budi"' in response.text
    assert stored()["reports"] == 0 and formal_counts(app)["laporan"] == 0


def test_the_checklist_names_what_is_missing_while_filling(client, report_form):
    fields = formal_fields(**{"formal-nik": "", "formal-id_card": ("", "")})
    response = post_report(client, report_form(**fields, step="formal-check"))
    assert "syarat formil: 2 kurang (identitas, KTP)" in response.text
    assert "syarat materiil: 1 kurang (saksi)" in response.text


def test_the_live_checklist_answers_the_form_as_it_is_filled(client, report_form, stored):
    data = report_form(**formal_fields(**{"formal-nik": "12345"}))
    data.pop("formal-id_card")
    data.pop("screenshots")
    response = client.post("/lapor/resmi/periksa", data={**data, "has_id_card": "0"})
    assert response.status_code == 200
    assert "syarat formil: 2 kurang (identitas, KTP)" in response.text  # a wrong NIK is none yet
    data.update({"formal-witnesses-0-name": "Budi", "formal-nik": NIK})
    response = client.post("/lapor/resmi/periksa", data={**data, "has_id_card": "1"})
    assert "syarat formil: lengkap" in response.text
    assert "syarat materiil: lengkap" in response.text  # the link is evidence
    assert stored()["reports"] == 0


def test_add_witness_adds_a_row_without_scripts(client, report_form):
    data = report_form(
        **formal_fields(**{"formal-witnesses-0-name": "Budi"}), step="formal-witness"
    )
    html = post_report(client, data).text
    assert 'name="formal-witnesses-1-name"' in html and 'value="Budi"' in html


def test_a_flood_of_witness_rows_is_cut_to_the_limit(app, client, report_form):
    rows = {f"formal-witnesses-{n}-name": f"Saksi {n}" for n in range(50)}
    assert post_report(client, report_form(**formal_fields(**rows))).status_code == 303
    assert formal_counts(app)["witnesses"] == 10


def refused(client, report_form, **overrides):
    response = post_report(client, report_form(**formal_fields(**overrides)))
    assert response.status_code in (400, 415), response.status_code
    return response.text


def field_error(html: str, field_id: str) -> str:
    """The error paragraph right after a field (render_field puts it there)."""
    start = html.index(f'id="{field_id}"')
    error = html.index('class="error"', start)
    return html[error : html.index("</p>", error)]


def test_bad_formal_input_is_refused_by_its_field_keeping_every_answer(
    app, client, report_form, stored
):
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    html = refused(
        client,
        report_form,
        **{
            "formal-nik": "12345",
            "formal-birth_date": tomorrow,
            "formal-witnesses-0-name": "",
            "formal-witnesses-0-address": "Jl. Merdeka 1",
            "formal-occupation": "x" * 101,
        },
    )
    assert "NIK harus tepat 16 digit" in field_error(html, "formal-nik")
    assert "masa depan" in field_error(html, "formal-birth_date")
    assert "nama saksi" in field_error(html, "formal-witnesses-0-name")
    assert "Paling banyak 100 karakter" in field_error(html, "formal-occupation")
    # Every answer is kept, the report's and the formal part's.
    for kept in ('value="12345"', f'value="{tomorrow}"', "Jl. Merdeka 1", f'value="{FULL_NAME}"'):
        assert kept in html
    assert "Diskominfo Kota Lubuk Linggau" in html
    assert stored()["reports"] == 0 and formal_counts(app)["laporan"] == 0


def test_an_id_card_that_is_not_an_image_is_refused_and_nothing_is_stored(
    app, client, report_form, stored
):
    data = report_form(**formal_fields(**{"formal-id_card": (b"%PDF-1.4 not an image", "ktp.pdf")}))
    response = post_report(client, data)
    assert response.status_code == 415
    html = response.text
    assert "Hanya gambar" in field_error(html, "formal-id_card")
    assert stored()["reports"] == 0 and formal_counts(app)["identity"] == 0
    # The screenshots are kept for the form (held), not filed.
    assert 'name="held_upload"' in html


def test_dates_known_after_today_or_before_the_event_are_refused(client, report_form, stored):
    from datetime import date, timedelta

    today = date.today()
    html = refused(client, report_form, learned_on=(today + timedelta(days=1)).isoformat())
    assert "masa depan" in field_error(html, "learned_on")
    html = refused(
        client,
        report_form,
        learned_on=(today - timedelta(days=3)).isoformat(),
        incident_at=(today - timedelta(days=1)).strftime("%Y-%m-%dT10:00"),
    )
    assert "setelah hari Anda mengetahuinya" in field_error(html, "incident_at")
    assert stored()["reports"] == 0


def test_a_formal_laporan_cannot_be_anonymous(app, client, report_form):
    html = refused(client, report_form, visibility="anonymous")
    assert "memerlukan identitas Anda" in field_error(html, "formal-is_formal")
    assert formal_counts(app)["laporan"] == 0


def test_without_the_box_the_report_is_informasi_awal(app, client, report_form):
    form_page = client.get("/lapor").text
    assert "informasi awal" in form_page
    response = post_report(client, report_form(visibility="anonymous", contact_email=""))
    assert response.status_code == 303
    assert formal_counts(app)["laporan"] == 0
    receipt = client.get("/laporan/tanda-terima").text
    from tests.fixtures.intake import code_on

    client.post("/lacak", data={"code": code_on(receipt)})
    status = client.get("/lacak/status").text
    assert 'id="informasi-awal"' in status and "informasi awal" in status


def test_the_form_shows_the_formal_part_in_english_too(client):
    client.post("/bahasa", data={"lang": "en", "next": "/lapor"})
    html = client.get("/lapor").text
    assert "Make it a formal laporan" in html and "formal-full_name" not in html
    assert "initial information (informasi awal)" in html
    html = client.post("/lapor", data={"step": "formal-open"}).text
    assert "Handle my report as a formal laporan to Bawaslu" in html
    assert "Full name (as on your ID card)" in html


def test_the_sweep_keeps_the_id_card_files(app, client, report_form):
    from datetime import timedelta

    from portal.evidence.operations import sweep
    from portal.evidence.storage import get_storage
    from portal.intake.formal.models import FormalIdentity

    assert post_report(client, report_form(**formal_fields())).status_code == 303
    with app.app_context():
        identity = db.session.scalar(sa.select(FormalIdentity))
        keys = [
            identity.id_card_original_key,
            identity.id_card_clean_key,
            identity.id_card_thumb_key,
        ]
        sweep(older_than=timedelta(0))
        assert all(get_storage().exists(key) for key in keys)


def test_a_refused_form_keeps_the_id_card_photo_for_the_next_try(app, client, report_form):
    import re

    from portal.intake.formal.models import FormalIdentity
    from portal.intake.models import HeldUpload

    data = report_form(**formal_fields(**{"formal-nik": "12345"}))
    html = post_report(client, data).text
    assert "Sudah diterima: ktp.png" in html
    held = re.search(r'name="formal-id_card_held" type="hidden" value="([^"]+)"', html).group(1)
    again = report_form(
        **formal_fields(**{"formal-id_card_held": held}), idempotency_key=data["idempotency_key"]
    )
    again.pop("formal-id_card")
    held_screens = re.findall(r'name="held_upload" value="([^"]+)"', html)
    again["held_upload"] = held_screens
    again["screenshots"] = []
    assert post_report(client, again).status_code == 303
    with app.app_context():
        identity = db.session.scalar(sa.select(FormalIdentity))
        assert identity.nik == NIK and identity.id_card_original_key.startswith("sealed/")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HeldUpload)) == 0
