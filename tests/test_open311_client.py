"""A real Open311 client from PyPI (civicbot 0.4.0, GeoReport v2) against a live server."""


def test_client_lists_services_posts_a_request_and_reads_it_back(live_server, api_key):
    from civicbot.http import HttpTransport, RateLimiter
    from civicbot.open311 import CONFIRM_TOKEN, Open311Client
    from civicbot.registry import Endpoint

    endpoint = Endpoint(
        id="portal", name="Portal Aduan Warga", write=True, base_url=f"{live_server}/open311/v2"
    )
    client = Open311Client(
        endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    )

    services = client.list_services()
    assert "asn-medsos-posting" in [s["service_code"] for s in services]

    sent = client.create_request(
        "asn-medsos-posting",
        dry_run=False,
        confirm=CONFIRM_TOKEN,
        api_key=api_key,
        validate_remote=True,
        address_string="Kota Lubuk Linggau",
        description="Akun resmi dinas mengunggah poster kampanye salah satu calon.",
        media_url="https://www.instagram.com/p/XYZ987/",
        attributes={
            "reported_party": "Dinas Kominfo",
            "platform": "instagram",
            "account_handle": "@dinas.contoh",
        },
    )
    created = sent.response[0]
    reference = created["service_request_id"]

    fetched = client.get_request(reference)
    assert fetched["service_request_id"] == reference
    assert fetched["service_code"] == "asn-medsos-posting"
    assert fetched["status"] == "open"
    assert client.get_token(created["token"])[0]["service_request_id"] == reference
    listed = client.list_requests(service_request_ids=[reference])
    assert [r["service_request_id"] for r in listed] == [reference]


def test_client_files_a_request_located_by_lat_long_alone(app, live_server, api_key):
    import sqlalchemy as sa
    from civicbot.http import HttpTransport, RateLimiter
    from civicbot.open311 import CONFIRM_TOKEN, Open311Client
    from civicbot.registry import Endpoint

    from portal.cases.models import Case
    from portal.db import db

    endpoint = Endpoint(
        id="portal", name="Portal Aduan Warga", write=True, base_url=f"{live_server}/open311/v2"
    )
    client = Open311Client(
        endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    )
    sent = client.create_request(
        "asn-medsos-posting",
        dry_run=False,
        confirm=CONFIRM_TOKEN,
        api_key=api_key,
        validate_remote=True,
        lat=-3.296,
        lng=102.861,  # Kota Lubuk Linggau
        description="Akun resmi dinas mengunggah poster kampanye salah satu calon.",
        media_url="https://www.instagram.com/p/LATLONG1/",
        attributes={
            "reported_party": "Dinas Kominfo",
            "platform": "instagram",
            "account_handle": "@dinas.contoh",
        },
    )
    reference = sent.response[0]["service_request_id"]
    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        assert case.region.code == "16.74"
