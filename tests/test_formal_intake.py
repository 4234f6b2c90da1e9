"""The formal laporan path of the report form: the checklist while filling, bad input refused by
its field with every answer kept and nothing stored, and a good one filed with its report."""

import io
from datetime import timedelta

import sqlalchemy as sa

from portal.db import db
from tests.fixtures.images import png
from tests.fixtures.intake import post_report

NIK = "1673012345678901"


def formal_fields(**overrides):
    """The formal part of the form, filled as the resident in the scenario fills it."""
    data = {
        "formal-is_formal": "y",
        "formal-full_name": "Siti Rahmawati",
        "formal-nik": "1673 0123 4567 8901",
        "formal-birth_place": "Lubuk Linggau",
        "formal-birth_date": "1990-05-17",
        "formal-sex": "P",
        "formal-occupation": "Guru",
        "formal-nationality": "Indonesia",
        "formal-address": "Jl. Yos Sudarso No. 12, Lubuk Linggau",
        "formal-phone": "0812 3456 7890",
        "formal-email": "siti@example.com",
        "formal-party_name": "Diskominfo Kota Lubuk Linggau",
        "formal-party_address": "Jl. Garuda No. 1, Lubuk Linggau",
        "formal-is_civil_servant": "y",
        "formal-party_nip": "198001012005011001",
        "formal-party_agency": "Diskominfo Kota Lubuk Linggau",
        "formal-party_position": "Kepala Dinas",
        "formal-party_ppk": "Wali Kota Lubuk Linggau",
        "formal-event_place": "Instagram @diskominfo.lubuklinggau",
        "formal-witnesses-0-name": "",
        "formal-id_card": (png(color=(10, 120, 200)), "ktp.png"),
    }
    data.update(overrides)
    return data


def formal_rows(app):
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


def test_a_formal_laporan_is_filed_with_its_report_and_its_checklist(app, client, report_form):
    response = post_report(client, report_form(**formal_fields()))
    assert response.status_code == 303, response.text[:3000]
    from portal.cases.registration.queries import get_checklist
    from portal.db import utcnow
    from portal.intake.formal.models import FormalLaporan

    with app.app_context():
        laporan = db.session.scalar(sa.select(FormalLaporan))
        assert laporan.identity.nik == NIK
        assert laporan.identity.id_card_original_key.startswith("sealed/")
        assert laporan.party_ppk == "Wali Kota Lubuk Linggau"
        checklist = get_checklist(laporan, now=utcnow())
        assert checklist.summaries() == "syarat formil: lengkap, syarat materiil: 1 kurang (saksi)"
        assert laporan.state == "incomplete"
