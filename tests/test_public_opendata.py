"""Open data: projections with public fields only, CSV/JSON exports, Atom feed, head hashes."""

import csv
import io
import json
from xml.etree import ElementTree as ET

import sqlalchemy as sa

from portal.db import db
from portal.public.projections import EXPORT_COLUMNS, PublicCase, PublicEvent, public_keys


def test_projections_carry_only_the_allowed_fields():
    assert public_keys(PublicCase) == {
        "reference",
        "category_code",
        "category_name_id",
        "category_name_en",
        "region_code",
        "region_name",
        "reported_party",
        "status",
        "outcome",
        "summary",
        "opened_on",
        "published_on",
        "resolved_on",
        "updated_on",
        "timeline",
        "thumbnails",
    }
    assert public_keys(PublicEvent) == {"kind", "day", "status", "text", "body", "sanction_applied"}


def test_csv_has_stable_columns_and_opens_as_a_spreadsheet(client, case_pair):
    response = client.get("/data/kasus.csv")
    assert response.content_type.startswith("text/csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [r["reference"] for r in rows] == [case_pair.published]
    assert rows[0]["region_name"] == "Kota Lubuk Linggau"
    assert len(rows[0]["opened_on"]) == 10  # a day, not a moment


def test_csv_cells_cannot_run_as_formulas(app, client, make_case, publish):
    made = make_case()
    publish(
        made.id, summary='=HYPERLINK("http://evil.example","klik")', party="+62 cmd|' /C calc'!A0"
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/data/kasus.csv").data.decode("utf-8-sig"))))
    assert rows[0]["summary"].startswith("'=")
    assert rows[0]["reported_party"].startswith("'+")
    from portal.public.opendata.queries import safe_cell

    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Dinas") == "Dinas"


def test_json_export_matches_the_schema(client, case_pair):
    doc = json.loads(client.get("/data/kasus.json").data)
    assert doc["columns"] == list(EXPORT_COLUMNS)
    assert [set(c) for c in doc["cases"]] == [set(EXPORT_COLUMNS)]
    assert doc["cases"][0]["reference"] == case_pair.published


def test_exports_stream_many_cases(app, client, make_case, publish):
    for _ in range(3):
        publish(make_case().id)
    text = client.get("/data/kasus.csv").data.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 4


def test_data_page_documents_every_column(client):
    html = client.get("/data").text
    for column in EXPORT_COLUMNS:
        assert f"<code>{column}</code>" in html


def test_atom_feed_lists_published_and_decided_cases(app, client, case_pair):
    from portal.cases.models import Case
    from portal.db import utcnow

    with app.app_context():
        case = db.session.get(Case, case_pair.published_id)
        case.status, case.outcome, case.resolved_at = "resolved", "substantiated", utcnow()
        db.session.commit()
    feed = ET.fromstring(client.get("/data/feed.atom").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.find("a:id", ns).text for e in feed.findall("a:entry", ns)]
    assert ids == [  # newest first; the private case has no entry
        f"http://localhost/kasus/{case_pair.published}#resolved",
        f"http://localhost/kasus/{case_pair.published}#published",
    ]


def test_head_hashes_match_the_audit_chain(app, client, case_pair):
    from portal.cases.history import verify_chain
    from portal.cases.models import CaseEvent
    from portal.db import utcnow
    from portal.public.projections import to_day

    with app.app_context():
        day = to_day(utcnow())
    result = app.test_cli_runner().invoke(args=["public", "publish-heads", "--day", str(day)])
    assert result.exit_code == 0, result.output
    listing = client.get(f"/data/rantai/{day}.json").json
    assert [c["reference"] for c in listing["cases"]] == [case_pair.published]
    with app.app_context():
        head = db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == case_pair.published_id)
            .order_by(CaseEvent.seq.desc())
        ).first()
        assert verify_chain(case_pair.published_id).is_intact
    assert listing["cases"][0]["head_hash"] == head.hash
    assert listing["cases"][0]["seq"] == head.seq


def test_case_list_pages_and_filters(app, client, case_pair, make_case, publish):
    other = make_case(category="pungli", region="16.71")
    publish(other.id)
    html = client.get("/kasus").text
    assert case_pair.published in html and other.reference in html
    assert case_pair.private not in html
    only = client.get("/kasus?kategori=pungli&wilayah=16.71").text
    assert other.reference in only and case_pair.published not in only
    second = client.get("/kasus?halaman=2")
    assert second.status_code == 200
    assert "<p>Tidak ada kasus terpublikasi yang sesuai.</p>" in second.text
    assert case_pair.published not in second.text and other.reference not in second.text
