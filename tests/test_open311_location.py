"""Open311 posts located by lat/long alone: mapped to their city or regency, taken with the
region to be confirmed inside the area, refused outside it."""

from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.intake import ids_of

FORM = {
    "service_code": "asn-medsos-posting",
    "description": "Akun resmi dinas mengunggah poster kampanye salah satu calon.",
    "attribute[reported_party]": "Dinas Kominfo",
    "attribute[platform]": "instagram",
    "attribute[account_handle]": "@dinas.contoh",
    "media_url": "https://www.instagram.com/p/ABC123/",
}
LUBUK_LINGGAU = {"lat": "-3.296", "long": "102.861"}
ON_A_BORDER = {"lat": "-3.1854", "long": "102.9315"}  # Lubuk Linggau / Musi Rawas
JAKARTA = {"lat": "-6.2", "long": "106.816"}


@pytest.fixture
def city_team(app):
    """Bawaslu's city office and the rule that sends it this category's Lubuk Linggau cases."""
    from portal.accounts.models import Team
    from portal.cases.models import RoutingRule

    category_id, region_id = ids_of(app)
    with app.app_context():
        team = Team(slug="bawaslu-lubuklinggau", name="Bawaslu Kota Lubuk Linggau")
        db.session.add(team)
        db.session.flush()
        db.session.add(RoutingRule(category_id=category_id, region_id=region_id, team_id=team.id))
        db.session.commit()
    return "bawaslu-lubuklinggau"


def filed(app, reference):
    """The report and case a post made, with region code and team slug."""
    from portal.cases.models import Case
    from portal.intake.models import Report

    with app.app_context():
        report = db.session.scalar(sa.select(Report).join(Case).where(Case.reference == reference))
        case = report.case
        return {
            "region": case.region.code if case.region else None,
            "report_region": report.region.code if report.region else None,
            "team": case.team.slug if case.team else None,
            "lat": report.latitude,
            "long": report.longitude,
            "case_id": case.id,
        }


def test_lat_long_alone_in_lubuk_linggau_is_filed_there_and_routed(app, client, api_key, city_team):
    response = client.post(
        "/open311/v2/requests.json", data={**FORM, **LUBUK_LINGGAU, "api_key": api_key}
    )
    assert response.status_code == 200, response.text
    reference = response.json[0]["service_request_id"]
    made = filed(app, reference)
    assert made["region"] == made["report_region"] == "16.74"
    assert made["team"] == city_team
    assert (made["lat"], made["long"]) == (pytest.approx(-3.296), pytest.approx(102.861))
    again = client.get(f"/open311/v2/requests/{reference}.json").json[0]
    assert again["service_request_id"] == reference and again["status"] == "open"


def test_a_street_address_with_lat_long_is_located_by_the_point(app, client, api_key):
    data = {**FORM, **LUBUK_LINGGAU, "address_string": "Jl. Yos Sudarso No. 1", "api_key": api_key}
    response = client.post("/open311/v2/requests.json", data=data)
    assert response.status_code == 200, response.text
    assert filed(app, response.json[0]["service_request_id"])["region"] == "16.74"


def test_a_point_on_a_border_is_taken_for_triage_with_its_region_to_be_confirmed(
    app, client, api_key, city_team, make_user, login_as
):
    response = client.post(
        "/open311/v2/requests.xml", data={**FORM, **ON_A_BORDER, "api_key": api_key}
    )
    assert response.status_code == 200, response.text
    reference = ET.fromstring(response.data).find("request/service_request_id").text
    made = filed(app, reference)
    assert made["region"] is None and made["report_region"] is None
    assert made["team"] == "bawaslu-sumsel"  # the category's own team, not the city's
    assert made["lat"] == pytest.approx(-3.1854)

    login_as(client, make_user(team="bawaslu-sumsel"))
    queue = client.get("/petugas/kasus/")
    row = queue.text[queue.text.index(reference) :]
    assert "Belum dipastikan" in row[: row.index("</tr>")]
    page = client.get(f"/petugas/kasus/{made['case_id']}")
    assert "Belum dipastikan" in page.text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_point_outside_the_area_is_refused_and_nothing_is_filed(app, client, api_key, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        data={**FORM, **JAKARTA, "api_key": api_key},
    )
    assert response.status_code == 400
    if fmt == "json":
        error = response.json[0]
    else:
        node = ET.fromstring(response.data).find("error")
        error = {"code": int(node.find("code").text), "description": node.find("description").text}
    assert error["code"] == 400
    assert error["description"] == "lat dan long berada di luar wilayah yang dilayani portal ini."
    with app.app_context():
        from portal.intake.models import Report

        assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_how_far_outside_the_boundaries_a_point_is_taken_is_a_setting(app, client, api_key):
    just_outside = {**FORM, "lat": "-3.0995", "long": "102.3159", "api_key": api_key}  # Bengkulu
    assert client.post("/open311/v2/requests.json", data=just_outside).status_code == 200
    app.config["OPEN311_AREA_MARGIN_DEGREES"] = 0.0
    assert client.post("/open311/v2/requests.json", data=just_outside).status_code == 400
