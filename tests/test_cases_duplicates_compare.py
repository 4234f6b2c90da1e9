"""Compare side by side: both cases' links, captures and screenshots, for every kind of
match (link, picture, account), with why the pair was suggested."""

import hashlib

import sqlalchemy as sa

from portal.capture.models import Capture
from portal.capture.operations import capture_key
from portal.cases.models import Case
from portal.db import db, utcnow
from portal.evidence.models import Link
from portal.evidence.operations import store_evidence
from portal.evidence.storage import get_storage
from tests.fixtures.images import encode, png, screenshot
from tests.test_cases_duplicates_support import file_report


def _capture(url: str, color: tuple[int, int, int]) -> int:
    shot = png(120, 80, color=color)
    sha = hashlib.sha256(shot).hexdigest()
    get_storage().put(capture_key(sha, "png"), shot, "image/png")
    capture = Capture(
        url_canonical=url,
        status_code=200,
        fetched_at=utcnow(),
        liveness="live",
        screenshot_key=capture_key(sha, "png"),
        screenshot_sha256=sha,
    )
    db.session.add(capture)
    db.session.flush()
    return capture.id


def _canonical(report) -> str:
    return db.session.scalar(sa.select(Link.url_canonical).where(Link.report_id == report.id))


def _page(client, case_id: int) -> str:
    client.post("/bahasa", data={"lang": "en"})
    response = client.get(f"/petugas/kasus/{case_id}/duplikat")
    assert response.status_code == 200
    return response.text


def test_an_account_match_shows_both_posts_captures(app, client, make_user, login_as):
    with app.app_context():
        mine = file_report(account="@DinasX", links=["https://www.instagram.com/p/AAA111/"])
        theirs = file_report(account="dinasx", links=["https://www.instagram.com/p/BBB222/"])
        shots = [
            _capture(_canonical(r), c) for r, c in ((mine, (200, 0, 0)), (theirs, (0, 0, 200)))
        ]
        ids = (mine.case_id, theirs.case_id)
        db.session.commit()
    login_as(client, make_user())
    page = _page(client, ids[0])
    assert "Same reported account @dinasx" in page
    assert "instagram.com/p/AAA111" in page and "instagram.com/p/BBB222" in page
    for capture_id in shots:
        src = f"/petugas/tangkapan/{capture_id}/layar.png"
        assert f'src="{src}"' in page
        assert client.get(src).status_code == 200
    with app.app_context():
        refs = [db.session.get(Case, i).reference for i in ids]
    assert page.count('class="compare-side"') == 2 and all(ref in page for ref in refs)


def test_a_picture_match_shows_every_screenshot_and_links_on_both_sides(
    app, client, make_user, login_as
):
    with app.app_context():
        image = encode(screenshot(3, 720, 1280))
        mine = file_report(links=["https://x.com/a/status/1"])
        theirs = file_report(links=["https://x.com/b/status/2"])
        for report in (mine, theirs):
            store_evidence(report=report, data=image, filename="s.png")
        ids = (mine.case_id, theirs.case_id)
        db.session.commit()
    login_as(client, make_user())
    page = _page(client, ids[0])
    assert "similar screenshot" in page
    assert "x.com/a/status/1" in page and "x.com/b/status/2" in page
    assert page.count('class="compare-evidence"') == 2
    assert page.count("Not captured yet.") == 2


def test_a_link_match_is_suggested_with_the_shared_post(app, client, make_user, login_as):
    with app.app_context():
        mine = file_report(links=["https://x.com/a/status/77"])
        theirs = file_report(description="Lain")  # joins nothing: no link yet
        db.session.flush()
        theirs.links.append(
            Link(url_given="https://x.com/a/status/77", url_canonical=_canonical(mine))
        )
        ids = (mine.case_id, theirs.case_id)
        db.session.commit()
    assert ids[0] != ids[1]
    login_as(client, make_user())
    page = _page(client, ids[0])
    assert "Both cases link to the same post:" in page
    assert page.count("x.com/a/status/77") >= 3  # the reason and both sides
