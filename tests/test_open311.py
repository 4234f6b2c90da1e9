"""Open311 GeoReport v2: services, definitions, posting with an API key, reading back."""

import re
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa

from portal.db import db
from portal.public.open311.queries import REQUEST_FIELDS

FORM = {
    "service_code": "asn-medsos-posting",
    "description": "Akun resmi dinas mengunggah poster kampanye salah satu calon.",
    "attribute[reported_party]": "Dinas Kominfo Kota Lubuk Linggau",
    "attribute[platform]": "instagram",
    "attribute[account_handle]": "@dinas.contoh",
    "media_url": "https://www.instagram.com/p/ABC123/?utm_source=ig_web_copy_link",
    "address_string": "Kota Lubuk Linggau",
}


def post_with(client, key):
    return client.post("/open311/v2/requests.json", data={**FORM, "api_key": key}).status_code


def test_services_are_the_active_categories_with_every_field(client):
    services = client.get("/open311/v2/services.json").json
    codes = [s["service_code"] for s in services]
    assert "asn-medsos-posting" in codes and "pungli" in codes
    for item in services:
        assert set(item) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert item["type"] == "realtime"
    root = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)


def test_service_definition_lists_questions_as_attributes(client):
    definition = client.get("/open311/v2/services/asn-medsos-posting.json").json
    assert definition["service_code"] == "asn-medsos-posting"
    by_code = {a["code"]: a for a in definition["attributes"]}
    platform = by_code["platform"]
    assert platform["datatype"] == "singlevaluelist" and platform["required"] is True
    assert {"key": "instagram", "name": "Instagram"} in platform["values"]
    assert by_code["account_handle"]["datatype"] == "string"
    for attribute in definition["attributes"]:
        assert set(attribute) == {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        }
    xml = ET.fromstring(client.get("/open311/v2/services/asn-medsos-posting.xml").data)
    assert xml.tag == "service_definition"
    assert xml.find("attributes/attribute/values") is not None
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and missing.json[0]["code"] == 404


def test_discovery_names_the_spec(client):
    doc = client.get("/open311/v2/discovery.json").json
    assert doc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "application/json" in doc["endpoints"][0]["formats"]
    assert ET.fromstring(client.get("/open311/v2/discovery.xml").data).tag == "discovery"


def test_post_without_or_with_bad_key_is_403_in_the_requested_format(client):
    assert client.post("/open311/v2/requests.json", data=FORM).status_code == 403
    response = client.post("/open311/v2/requests.xml", data={**FORM, "api_key": "p311_wrong"})
    assert response.status_code == 403
    error = ET.fromstring(response.data).find("error")
    assert error.find("code").text == "403"


def test_post_files_a_report_through_intake_and_reads_back(app, client, api_key):
    response = client.post(
        f"/open311/v2/requests.json?api_key={api_key}",
        data={**FORM, "email": "warga@example.test", "first_name": "Budi"},
    )
    assert response.status_code == 200, response.text
    created = response.json[0]
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    reference = created["service_request_id"]
    assert reference.startswith("ADU-")

    again = client.get(f"/open311/v2/requests/{reference}.json").json[0]
    assert set(again) == set(REQUEST_FIELDS)
    assert again["status"] == "open" and again["service_code"] == "asn-medsos-posting"
    assert again["description"] is None  # not published yet
    assert again["requested_datetime"].endswith("+07:00")
    token = client.get(f"/open311/v2/tokens/{created['token']}.json").json[0]
    assert token["service_request_id"] == reference
    # The tracking code goes to the reporter by email, never to the API client.
    with app.app_context():
        from portal.notify.models import OutboxMessage

        mail = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == "warga@example.test")
        )
    code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){5}", mail.body_text).group(0)
    assert code not in response.text and code.replace("-", "") not in response.text


def test_post_stores_report_link_and_contact(app, client, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        data={
            **FORM,
            "api_key": api_key,
            "email": "warga@example.test",
            "phone": "0812",
            "lat": "-3.29",
            "long": "102.86",
        },
    )
    reference = response.json[0]["service_request_id"]
    with app.app_context():
        from portal.cases.models import Case
        from portal.evidence.models import Link
        from portal.intake.models import Report

        report = db.session.scalar(sa.select(Report).join(Case).where(Case.reference == reference))
        assert report.source == "open311"
        assert report.contact_email == "warga@example.test"
        assert report.region.code == "16.74"
        assert report.answers["platform"] == "instagram"
        assert report.latitude == pytest.approx(-3.29)
        link = db.session.scalar(sa.select(Link).where(Link.report_id == report.id))
        assert "utm_source" not in (link.url_canonical or "")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"service_code": "nope"}, "service_code"),
        ({"description": "pendek"}, "description"),
        ({"attribute[reported_party]": ""}, "reported_party"),
        ({"attribute[platform]": "myspace"}, ""),
        ({"media_url": ""}, "media_url"),
        ({"media_url": "javascript:alert(1)"}, ""),
        ({"address_string": "Atlantis"}, "address"),
        ({"address_string": "", "lat": "100", "long": "0"}, "lat"),
        ({"email": "not-an-email"}, "email"),
        ({"attribute[x]]": "1", "bogus": "1"}, ""),
    ],
)
def test_post_refuses_what_the_web_form_refuses(app, client, api_key, change, message):
    data = {**FORM, "api_key": api_key, **change}
    response = client.post("/open311/v2/requests.json", data=data)
    assert response.status_code == 400, response.text
    assert response.json[0]["code"] == 400
    assert message in response.json[0]["description"]
    with app.app_context():
        from portal.intake.models import Report

        assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_lists_only_published_requests_but_ids_answer_for_any(client, case_pair):
    listed = client.get("/open311/v2/requests.json").json
    assert [r["service_request_id"] for r in listed] == [case_pair.published]
    published = listed[0]
    assert published["description"].startswith("Ringkasan publik")
    assert published["address"] == "Kota Lubuk Linggau"
    assert published["media_url"].startswith("http") and "/kecil" in published["media_url"]
    both = client.get(
        f"/open311/v2/requests.json?service_request_id={case_pair.private},{case_pair.published}"
    ).json
    assert [r["service_request_id"] for r in both] == [case_pair.private, case_pair.published]
    xml = ET.fromstring(client.get("/open311/v2/requests.xml").data)
    assert xml.tag == "service_requests"
    request = xml.find("request")
    assert [child.tag for child in request] == list(REQUEST_FIELDS)


def test_filters_by_status_code_and_dates(client, case_pair):
    def ids(query):
        listed = client.get(f"/open311/v2/requests.json?{query}").json
        return [r["service_request_id"] for r in listed]

    assert ids("status=open") == [case_pair.published]
    assert ids("status=closed") == []
    assert ids("service_code=pungli") == []
    assert ids("service_code=asn-medsos-posting,pungli") == [case_pair.published]
    assert ids("start_date=2000-01-01T00:00:00Z&end_date=2001-01-01T00:00:00Z") == []
    assert ids("start_date=2000-01-01T00:00:00%2B07:00") == [case_pair.published]
    assert ids("page=2") == []


def test_unknown_request_and_token_are_404(client):
    assert client.get("/open311/v2/requests/ADU-2099-000001.json").status_code == 404
    response = client.get("/open311/v2/tokens/nope.xml")
    assert response.status_code == 404
    assert ET.fromstring(response.data).tag == "errors"


def test_post_is_exempt_from_csrf_but_needs_the_key(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from portal.public.apikeys.operations import create_api_key
        from portal.reference.operations import load_reference_data

        load_reference_data()
        _key, raw = create_api_key(name="csrf")
        db.session.commit()
    response = app.test_client().post("/open311/v2/requests.json", data={**FORM, "api_key": raw})
    assert response.status_code == 200, response.text


def test_cli_prints_the_key_on_its_last_line(app, client):
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "Aplikasi Warga"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("p311_")
    assert post_with(client, key) == 200
    with app.app_context():
        from portal.public.models import ApiKey

        stored = db.session.scalar(sa.select(ApiKey))
        assert key not in (stored.key_hash, stored.prefix)
    revoked = app.test_cli_runner().invoke(args=["apikeys", "revoke", str(stored.id)])
    assert revoked.exit_code == 0
    assert post_with(client, key) == 403


def test_admin_issues_and_revokes_keys(app, client, make_user, login_as):
    login_as(client, make_user(role="admin", team=None))
    page = client.post("/petugas/admin/apikeys", data={"name": "Aplikasi Lapor"})
    assert page.status_code == 200
    key = page.text.split("<code>")[1].split("</code>")[0]
    assert key.startswith("p311_")
    assert "no-store" in page.headers["Cache-Control"]
    assert post_with(client, key) == 200
    with app.app_context():
        from portal.public.models import ApiKey

        key_id = db.session.scalar(sa.select(ApiKey.id))
    client.post(f"/petugas/admin/apikeys/{key_id}/cabut")
    assert post_with(client, key) == 403


def test_officers_cannot_manage_keys(client, make_user, login_as):
    login_as(client, make_user(role="officer"))
    assert client.get("/petugas/admin/apikeys").status_code == 403


def test_posts_are_rate_limited_per_key_with_an_open311_error(make_app):
    app = make_app(RATELIMIT_ENABLED=True, OPEN311_RATE_LIMIT="2 per hour")
    with app.app_context():
        from portal.extensions import limiter
        from portal.public.apikeys.operations import create_api_key
        from portal.reference.operations import load_reference_data

        limiter.reset()
        load_reference_data()
        _key, raw = create_api_key(name="busy")
        db.session.commit()
    client = app.test_client()
    codes = [post_with(client, raw) for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.post("/open311/v2/requests.json", data={**FORM, "api_key": raw})
    assert response.json[0]["code"] == 429


def test_source_and_location_are_written_with_the_report_not_patched_afterwards(
    app, client, api_key
):
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    data = {**FORM, "api_key": api_key, "lat": "-3.29", "long": "102.86"}
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            assert client.post("/open311/v2/requests.json", data=data).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
    [(insert, values)] = [(s, p) for s, p in statements if s.startswith("INSERT INTO report ")]
    values = list(values.values()) if isinstance(values, dict) else list(values)  # psycopg: a dict
    assert "open311" in values and -3.29 in values and 102.86 in values
    updates = [s for s, _p in statements if s.startswith("UPDATE report ")]
    assert not [s for s in updates if "source" in s or "latitude" in s], updates


def test_a_request_that_fails_while_filing_leaves_nothing(app, client, api_key, monkeypatch):
    from portal.public.open311 import operations

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(operations, "utcnow", broken)  # after the report, in the same unit
    with pytest.raises(RuntimeError):
        client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_key})
    with app.app_context():
        from portal.intake.models import Report
        from portal.public.models import Open311Ticket

        assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Open311Ticket.id))) == 0
