"""Nothing unpublished leaks: one published and one private case, every public output read."""

import json

import pytest

from portal.db import db
from tests.fixtures.public import (
    SECRET_DESCRIPTION,
    SECRET_EMAIL,
    SECRET_FILENAME,
    SECRET_LINK,
    SECRET_NAME,
    SECRET_NOTE,
    SECRET_PARTY,
    SECRET_PHONE,
)

# The civil servant entered for BKN on both cases (personal data: never public).
ASN_NIP = "198503122010011004"
ASN_NIK = "1674031203850002"
ASN_NAME = "Rahmat Hidayat Rahasia"
ASN_CHRONOLOGY = "Kronologi internal untuk BKN"

SECRETS = [
    SECRET_EMAIL,
    SECRET_PHONE,
    SECRET_NAME,
    SECRET_NOTE,
    SECRET_LINK,
    "RAHASIA123",
    "utm_source",
    SECRET_FILENAME,
    SECRET_DESCRIPTION,
    SECRET_PARTY,
    "pelapor.rahasia",
    "7777",
    ASN_NIP,
    ASN_NIK,
    ASN_NAME,
    ASN_CHRONOLOGY,
]


@pytest.fixture
def civil_servants(app, case_pair):
    """Both cases name a civil servant for BKN, entered through the real operation."""
    from portal.cases.models import Case
    from portal.cases.referrals.asn import save_civil_servant

    with app.app_context():
        for case_id in (case_pair.published_id, case_pair.private_id):
            save_civil_servant(
                case=db.session.get(Case, case_id),
                actor=None,
                name=ASN_NAME,
                nip=ASN_NIP,
                nik=ASN_NIK,
                agency="Dinas Kominfo Kota Lubuk Linggau",
                position="Pranata Humas",
                chronology=ASN_CHRONOLOGY,
            )
        db.session.commit()


@pytest.fixture
def outputs(app, client, case_pair, civil_servants):
    from portal.db import utcnow
    from portal.public.opendata.heads import publish_heads
    from portal.public.projections import to_day
    from portal.public.stats import refresh_stats

    with app.app_context():
        today = to_day(utcnow())
        refresh_stats()
        publish_heads(day=today)
        db.session.commit()
    urls = [
        "/kasus",
        f"/kasus/{case_pair.published}",
        "/transparansi",
        "/data",
        "/data/kasus.csv",
        "/data/kasus.json",
        "/data/feed.atom",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{case_pair.published}.json",
        f"/open311/v2/requests/{case_pair.private}.json",
        f"/open311/v2/requests/{case_pair.private}.xml",
        f"/open311/v2/requests.json?service_request_id={case_pair.private},{case_pair.published}",
        "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z",
        "/open311/v2/services.json",
        "/open311/v2/discovery.json",
        f"/data/rantai/{today.isoformat()}.json",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_no_private_detail_appears_in_any_public_output(outputs, case_pair):
    for url, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text, (url, secret)


def test_the_private_case_only_shows_its_id_service_status_and_dates(outputs, case_pair):
    private = json.loads(outputs[f"/open311/v2/requests/{case_pair.private}.json"])[0]
    assert private["service_request_id"] == case_pair.private
    assert private["service_code"] == "politik-uang"
    assert private["status"] == "open"
    for field in (
        "description",
        "address",
        "address_id",
        "lat",
        "long",
        "media_url",
        "status_notes",
        "agency_responsible",
    ):
        assert private[field] is None, field
    for url in (
        "/kasus",
        "/data/kasus.csv",
        "/data/kasus.json",
        "/data/feed.atom",
        "/open311/v2/requests.json",
    ):
        assert case_pair.private not in outputs[url], url
    heads = [u for u in outputs if u.startswith("/data/rantai/")][0]
    assert case_pair.private not in outputs[heads]
    assert case_pair.published in outputs[heads]


def test_the_published_case_shows_only_what_was_published(outputs, case_pair):
    page = outputs[f"/kasus/{case_pair.published}"]
    assert "Ringkasan publik: akun resmi memuat materi kampanye." in page
    assert "Dinas Kominfo Kota Lubuk Linggau" in page
    # the publishable image's clean copy only: never the sealed original
    assert "/bukti/" in page and "/gambar" in page
    assert "/asli" not in page
    assert case_pair.published in outputs["/data/kasus.csv"]


def test_unpublished_case_page_is_404(client, case_pair):
    assert client.get(f"/kasus/{case_pair.private}").status_code == 404
    assert client.get("/kasus/ADU-2099-999999").status_code == 404


def test_private_thumbnail_is_not_served(app, client, case_pair):
    import sqlalchemy as sa

    from portal.evidence.models import Evidence
    from portal.intake.models import Report

    with app.app_context():
        ids = {
            case_id: db.session.scalar(
                sa.select(Evidence.id).join(Report).where(Report.case_id == case_id)
            )
            for case_id in (case_pair.private_id, case_pair.published_id)
        }
    assert client.get(f"/bukti/{ids[case_pair.published_id]}/kecil").status_code == 200
    assert client.get(f"/bukti/{ids[case_pair.private_id]}/kecil").status_code == 404
