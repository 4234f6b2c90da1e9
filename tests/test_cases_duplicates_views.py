"""The duplicates pages: side by side, merge, reject, split, undo; and team isolation."""

import re

import pytest

from portal.cases.models import Case
from portal.db import db
from portal.evidence.operations import store_evidence
from tests.conftest import csrf_token_from
from tests.fixtures.images import encode, screenshot
from tests.test_cases_duplicates_support import file_report


@pytest.fixture
def cases(app):
    """Two similar Bawaslu cases (screenshots), and an Inspektorat case with the same picture."""
    with app.app_context():
        image = encode(screenshot(3, 720, 1280))
        made = {}
        for name, category in (
            ("main", "akun-resmi-kampanye"),
            ("similar", "asn-medsos-posting"),
            ("foreign", "layanan-publik"),
        ):
            report = file_report(category=category)
            store_evidence(report=report, data=image, filename=f"{name}.png")
            made[name] = report.case_id
        made["main_report"] = report.id
        second = file_report(category="akun-resmi-kampanye", links=["https://x.com/a/status/9"])
        db.session.commit()
        made["two_reports"] = second.case_id
        file_report(category="akun-resmi-kampanye", links=["https://x.com/a/status/9"])
        made["split_report"] = second.id
        db.session.commit()
        return made


def test_side_by_side_page_merge_and_undo(app, client, make_user, login_as, cases):
    login_as(client, make_user())
    page = client.get(f"/petugas/kasus/{cases['main']}/duplikat")
    assert page.status_code == 200
    with app.app_context():
        similar_ref = db.session.get(Case, cases["similar"]).reference
        foreign_ref = db.session.get(Case, cases["foreign"]).reference
    assert similar_ref in page.text
    assert foreign_ref not in page.text  # another team's case is never shown
    pairs = page.text.split('<ul class="pairs">', 1)[1].split("</ul>", 1)[0]
    thumbs = re.findall(r'<img src="([^"]+)"', pairs)
    assert len(thumbs) == 2 and client.get(thumbs[1]).status_code == 200
    assert '<p class="distance">Selisih: 0 dari 64 bit (0 = gambar yang sama)</p>' in page.text

    response = client.post(f"/petugas/kasus/{cases['main']}/duplikat/{cases['similar']}/gabung")
    assert response.status_code == 303
    with app.app_context():
        main, similar = db.session.get(Case, cases["main"]), db.session.get(Case, cases["similar"])
        assert main.report_count == 2 and similar.merged_into_id == main.id

    response = client.post(f"/petugas/kasus/{cases['similar']}/batal-gabung")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Case, cases["main"]).report_count == 1
        assert db.session.get(Case, cases["similar"]).report_count == 1
    page = client.get(f"/petugas/kasus/{cases['main']}/duplikat")
    assert page.status_code == 200
    assert f'id="suggestion-{cases["similar"]}"' not in page.text  # undoing says "not the same"


def test_not_a_duplicate_hides_the_suggestion(app, client, make_user, login_as, cases):
    login_as(client, make_user())
    client.post(f"/petugas/kasus/{cases['main']}/duplikat/{cases['similar']}/bukan")
    with app.app_context():
        similar_ref = db.session.get(Case, cases["similar"]).reference
    page = client.get(f"/petugas/kasus/{cases['main']}/duplikat")
    flash = f"Kasus {similar_ref} tidak akan lagi disarankan sebagai duplikat."
    assert f'<p class="flash flash-success" role="status">{flash}</p>' in page.text
    assert page.text.count(similar_ref) == 1  # in the flash message only
    assert f'id="suggestion-{cases["similar"]}"' not in page.text


def test_split_report_via_form_opens_new_case(app, client, make_user, login_as, cases):
    login_as(client, make_user())
    url = f"/petugas/kasus/{cases['two_reports']}/laporan/{cases['split_report']}/pisah"
    response = client.post(url)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Case, cases["two_reports"]).report_count == 1
        new_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        assert new_id != cases["two_reports"]
        assert db.session.get(Case, new_id).report_count == 1
    # The report has left this case: the same URL no longer finds it.
    assert client.post(url).status_code == 404


def test_merge_by_reference_only_finds_own_team_cases(app, client, make_user, login_as, cases):
    login_as(client, make_user())
    with app.app_context():
        foreign_ref = db.session.get(Case, cases["foreign"]).reference
        similar_ref = db.session.get(Case, cases["similar"]).reference
    url = f"/petugas/kasus/{cases['main']}/gabung"
    refused = client.post(url, data={"reference": foreign_ref}, follow_redirects=True)
    assert "Tidak ada kasus dengan nomor referensi itu di antara kasus Anda." in refused.text
    with app.app_context():
        assert db.session.get(Case, cases["foreign"]).merged_into_id is None
    client.post(url, data={"reference": similar_ref.lower()})
    with app.app_context():
        assert db.session.get(Case, cases["similar"]).merged_into_id == cases["main"]


def test_other_team_gets_404_on_every_duplicates_endpoint(app, client, make_user, login_as, cases):
    login_as(client, make_user(team="inspektorat-sumsel"))
    main, similar, foreign = cases["main"], cases["similar"], cases["foreign"]
    assert client.get(f"/petugas/kasus/{main}/duplikat").status_code == 404
    for url in (
        f"/petugas/kasus/{main}/duplikat/{similar}/gabung",
        f"/petugas/kasus/{main}/duplikat/{similar}/bukan",
        # own case in the URL, the other team's case as the partner:
        f"/petugas/kasus/{foreign}/duplikat/{main}/gabung",
        f"/petugas/kasus/{foreign}/duplikat/{main}/bukan",
        f"/petugas/kasus/{main}/gabung",
        f"/petugas/kasus/{main}/batal-gabung",
        f"/petugas/kasus/{cases['two_reports']}/laporan/{cases['split_report']}/pisah",
    ):
        assert client.post(url, data={"reference": "x"}).status_code == 404, url
    with app.app_context():
        assert db.session.get(Case, main).merged_into_id is None
        assert db.session.get(Case, foreign).merged_into_id is None


def test_anonymous_visitor_is_sent_to_login(client, cases):
    response = client.get(f"/petugas/kasus/{cases['main']}/duplikat")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/petugas/masuk?next=%2Fpetugas%2Fkasus%2F{cases['main']}%2Fduplikat"
    )


def test_merge_needs_csrf_token(make_app, make_user, login_as, cases):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_as(client, make_user())
    url = f"/petugas/kasus/{cases['main']}/duplikat/{cases['similar']}/gabung"
    assert client.post(url).status_code == 400
    page = client.get(f"/petugas/kasus/{cases['main']}/duplikat")
    assert client.post(url, data={"csrf_token": csrf_token_from(page.text)}).status_code == 303


def test_case_page_shows_duplicates_and_duplicates_page_offers_split(
    client, make_user, login_as, cases
):
    login_as(client, make_user())
    page = client.get(f"/petugas/kasus/{cases['main']}").text
    assert 'id="duplicates"' in page
    assert '<p class="duplicate-count"><strong>1 kemungkinan duplikat</strong>' in page
    client.post(f"/petugas/kasus/{cases['main']}/duplikat/{cases['similar']}/gabung")
    merged = client.get(f"/petugas/kasus/{cases['similar']}").text
    assert f'action="/petugas/kasus/{cases["similar"]}/batal-gabung"' in merged
    two = client.get(f"/petugas/kasus/{cases['two_reports']}/duplikat").text
    assert f'/laporan/{cases["split_report"]}/pisah"' in two
