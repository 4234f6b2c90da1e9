"""Bad input to public endpoints: a clear 400 in the right format, never a 500."""

from xml.etree import ElementTree as ET

import pytest

HTML_PAGES = ["/kasus", "/transparansi"]
EVIL = ["' OR 1=1 --", "{{7*7}}", "{% print 1 %}", "<script>alert(1)</script>", "%00", "9" * 300]


@pytest.mark.parametrize(
    "query",
    [
        "dari=2026-13",
        "dari=26-01",
        "sampai=abc",
        "dari=2026-05&sampai=2026-01",
        "wilayah=99.99",
        "kategori=nope",
        "bogus=1",
        "dari=2026-01&dari=2026-02",
        "dari=1900-01",
    ]
    + [f"kategori={e}" for e in EVIL],
)
def test_transparency_refuses_bad_filters_with_400(client, query):
    response = client.get(f"/transparansi?{query}")
    assert response.status_code == 400
    assert "<html" in response.text
    assert "49" not in response.text.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize(
    "query",
    [
        "halaman=0",
        "halaman=-1",
        "halaman=99999999999999999999",
        "halaman=abc",
        "halaman=1e3",
        "kategori={{7*7}}",
        "wilayah=' OR 1=1 --",
        "x=1",
    ],
)
def test_case_list_refuses_bad_pages_and_filters(client, query):
    assert client.get(f"/kasus?{query}").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "start_date=2026-02-30T00:00:00Z",
        "end_date=31/01/2026",
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "status=pending",
        "page=0",
        "page=-5",
        "page=100000000000000000000000",
        "page_size=0",
        "page_size=100000",
        "unknown=1",
        "service_code=x&service_code=y",
        "start_date=' OR 1=1 --",
        "start_date={{7*7}}",
        "start_date=0001-01-01T00:00:00Z",
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_list_refuses_bad_params_in_the_requested_format(client, query, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400, query
    if fmt == "json":
        assert response.json[0]["code"] == 400 and response.json[0]["description"]
    else:
        root = ET.fromstring(response.data)
        assert root.tag == "errors" and root.find("error/code").text == "400"


def test_ten_thousand_ids_are_refused_quickly(client):
    ids = ",".join(f"ADU-2026-{n:06d}" for n in range(10_000))
    response = client.get(f"/open311/v2/requests.json?service_request_id={ids}")
    assert response.status_code == 400
    assert "service_request_id" in response.json[0]["description"]
    ok = ",".join(f"ADU-2026-{n:06d}" for n in range(200))
    assert client.get(f"/open311/v2/requests.json?service_request_id={ok}").json == []


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services.yaml",
        "/open311/v2/services.JSON",
        "/open311/v2/services.json.xml",
        "/open311/v2/requests.html",
        "/open311/v2/requests/ADU-1.php",
        "/open311/v2/discovery.",
    ],
)
def test_unknown_formats_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"<errors>" in response.data or b"<html" in response.data


def test_xml_posted_as_body_is_never_parsed(client, api_key):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    response = client.post(
        f"/open311/v2/requests.xml?api_key={api_key}", data=bomb, content_type="text/xml"
    )
    assert response.status_code == 400
    assert ET.fromstring(response.data).tag == "errors"


def test_control_characters_do_not_break_xml(app, client, api_key):
    form = {
        "service_code": "layanan-publik",
        "api_key": api_key,
        "description": "Pelayanan KTP lambat\x01 sekali, sudah tiga minggu menunggu.",
        "attribute[reported_party]": "Disdukcapil",
        "address_id": "16.74",
        "media_url": "https://example.org/bukti",
    }
    response = client.post("/open311/v2/requests.xml", data=form)
    assert response.status_code == 200, response.data
    assert ET.fromstring(response.data).find("request/service_request_id").text


def test_head_hash_day_must_be_a_date(client):
    assert client.get("/data/rantai/kemarin.json").status_code == 404
    assert client.get("/data/rantai/2026-02-30.json").status_code == 404
    assert client.get("/data/rantai/2001-01-01.json").status_code == 404


@pytest.mark.parametrize(
    "path, code",
    [
        ("/kasus/ADU-2026-000001%00", 404),
        ("/open311/v2/requests/ADU%00.json", 404),
        ("/open311/v2/tokens/a%00b.json", 404),
        ("/open311/v2/requests.json?status=open%00", 400),
        ("/data/kasus.csv?x=%00", 400),
    ],
)
def test_nul_bytes_never_reach_the_database(client, path, code):
    assert client.get(path).status_code == code


def test_nul_in_a_posted_field_is_400(client, api_key):
    form = {
        "service_code": "layanan-publik",
        "api_key": api_key,
        "description": "Pelayanan KTP lambat\x00 sekali, sudah tiga minggu menunggu.",
        "attribute[reported_party]": "Disdukcapil",
        "address_id": "16.74",
        "media_url": "https://example.org/bukti",
    }
    response = client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 400


def test_deep_pages_are_refused_instead_of_scanned(client):
    response = client.get("/open311/v2/requests.json?page=10000&page_size=200")
    assert response.status_code == 400
    assert "10000" in response.json[0]["description"]
    assert client.get("/open311/v2/requests.json?page=50&page_size=200").status_code == 200
    assert client.get("/kasus?halaman=401").status_code == 400
