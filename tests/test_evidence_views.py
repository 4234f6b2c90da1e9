"""Guarded delivery: the reporter, the case's staff and (once published) the public; 404 else."""

import hashlib

import pytest
import sqlalchemy as sa

from portal.cases.models import CaseEvent
from portal.db import db
from portal.evidence.operations import store_evidence
from tests.fixtures.images import encode, png, screenshot


@pytest.fixture
def stored(app, evidence_report):
    """One screenshot on a report of a case handled by the bawaslu-sumsel team."""
    with app.app_context():
        report = evidence_report(team="bawaslu-sumsel")
        evidence = store_evidence(report=report, data=png(), filename="IMG_0001.PNG")
        db.session.commit()
        return {
            "evidence_id": evidence.id,
            "report_id": report.id,
            "sha256": evidence.sha256_original,
        }


def track(client, report_id: int) -> None:
    with client.session_transaction() as session:
        session["tracked_report_id"] = report_id


def test_tracked_reporter_sees_thumbnail_and_clean_copy(client, stored):
    track(client, stored["report_id"])
    response = client.get(f"/bukti/{stored['evidence_id']}/kecil")
    assert response.status_code == 200
    assert response.mimetype == "image/webp" and response.data[8:12] == b"WEBP"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    response = client.get(f"/bukti/{stored['evidence_id']}/gambar")
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'inline; filename="bukti-{stored["evidence_id"]}.png"'
    assert "IMG_0001" not in disposition
    again = client.get(
        f"/bukti/{stored['evidence_id']}/gambar",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def sandbox_policy(response) -> dict[str, str]:
    """The response's CSP directives by name."""
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


def test_stored_files_are_served_sandboxed(app, client, stored, make_user, login_as):
    """Were a stored file ever rendered as a page: no script, no forms, an opaque origin."""
    track(client, stored["report_id"])
    staff = app.test_client()
    login_as(staff, make_user(team="bawaslu-sumsel"))
    served = [
        client.get(f"/bukti/{stored['evidence_id']}/kecil"),
        client.get(f"/bukti/{stored['evidence_id']}/gambar"),
        staff.get(f"/petugas/bukti/{stored['evidence_id']}/asli"),
    ]
    for response in served:
        assert response.status_code == 200
        policy = sandbox_policy(response)
        assert policy["sandbox"] == "sandbox"  # no allow-* tokens: every restriction applies
        assert policy["default-src"] == "default-src 'none'"
    page = client.get("/lapor")  # pages keep the site's policy: the form must still work
    assert page.status_code == 200 and "sandbox" not in sandbox_policy(page)


def test_other_visitors_get_404_as_for_a_file_that_does_not_exist(
    client, app, stored, evidence_report
):
    with app.app_context():
        other_id = evidence_report().id
    track(client, other_id)
    for kind in ("kecil", "gambar"):
        assert client.get(f"/bukti/{stored['evidence_id']}/{kind}").status_code == 404
    assert app.test_client().get(f"/bukti/{stored['evidence_id']}/kecil").status_code == 404
    assert client.get("/bukti/999999/kecil").status_code == 404
    with app.app_context():
        from portal.evidence.models import Evidence

        etag = db.session.get(Evidence, stored["evidence_id"]).thumb_key.split("/")[-1]
    guessed = client.get(
        f"/bukti/{stored['evidence_id']}/kecil", headers={"If-None-Match": f'"{etag[:-5]}"'}
    )
    assert guessed.status_code == 404  # a known fingerprint does not confirm the file exists


def test_staff_of_another_team_get_404_and_of_the_team_or_admin_200(
    app, stored, make_user, login_as
):
    url = f"/bukti/{stored['evidence_id']}/gambar"
    for user, expected in (
        (make_user(team="inspektorat-sumsel"), 404),
        (make_user(team="bawaslu-sumsel"), 200),
        (make_user(role="admin", team=None), 200),
    ):
        client = app.test_client()
        login_as(client, user)
        assert client.get(url).status_code == expected, user


def test_published_case_shows_only_publishable_evidence(app, evidence_report):
    with app.app_context():
        report = evidence_report(published=True)
        shown = store_evidence(report=report, data=png(color=(1, 2, 3)), filename="a.png")
        hidden = store_evidence(report=report, data=png(color=(4, 5, 6)), filename="b.png")
        shown.is_publishable = True
        db.session.commit()
        ids = shown.id, hidden.id
    client = app.test_client()
    assert client.get(f"/bukti/{ids[0]}/kecil").status_code == 200
    assert client.get(f"/bukti/{ids[1]}/kecil").status_code == 404


def test_original_download_is_for_staff_of_the_case_and_recorded(app, stored, make_user, login_as):
    url = f"/petugas/bukti/{stored['evidence_id']}/asli"
    reporter = app.test_client()
    track(reporter, stored["report_id"])
    refused = reporter.get(url)  # the reporter never gets the original: staff log in first
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/petugas/masuk?next=")

    outsider = app.test_client()
    login_as(outsider, make_user(team="inspektorat-sumsel"))
    assert outsider.get(url).status_code == 404

    officer = make_user(team="bawaslu-sumsel")
    client = app.test_client()
    login_as(client, officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == png()
    assert hashlib.sha256(response.data).hexdigest() == stored["sha256"]
    assert response.mimetype == "application/octet-stream"
    name = f"asli-{stored['evidence_id']}-{stored['sha256'][:12]}.png"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    with app.app_context():
        events = db.session.scalars(
            sa.select(CaseEvent).where(CaseEvent.kind == "original_downloaded")
        ).all()
        assert len(events) == 1
        event = events[0]
        assert event.actor_id == officer.id and event.visibility == "internal"
        assert event.data == {"evidence_id": stored["evidence_id"], "sha256": stored["sha256"]}


def test_screenshot_is_served_pixel_exact_to_its_reporter(client, app, evidence_report):
    data = encode(screenshot(width=540, height=1200))
    with app.app_context():
        report = evidence_report()
        evidence = store_evidence(report=report, data=data, filename="s.png")
        db.session.commit()
        ids = evidence.id, report.id
    track(client, ids[1])
    from io import BytesIO

    from PIL import Image, ImageChops

    served = Image.open(BytesIO(client.get(f"/bukti/{ids[0]}/gambar").data)).convert("RGB")
    original = Image.open(BytesIO(data)).convert("RGB")
    assert ImageChops.difference(served, original).getbbox() is None


def test_macros_link_only_checked_links_and_size_thumbnails(app, evidence_report):
    from flask import render_template_string

    from portal.evidence.models import Link
    from portal.evidence.operations import add_link

    with app.test_request_context("/"):
        report = evidence_report()
        add_link(report=report, text="https://www.instagram.com/p/C9xYz12AbCd/?igsh=abc")
        db.session.add(
            Link(report_id=report.id, url_given="javascript:alert(1)", url_canonical=None)
        )
        evidence = store_evidence(report=report, data=png(960, 200), filename="a")
        db.session.commit()
        html = render_template_string(
            '{% from "macros.html" import link_item, thumbnail %}'
            "{% for l in links %}{{ link_item(l) }}{% endfor %}"
            '{{ thumbnail(e, alt="Shot 1", link=True) }}|{{ thumbnail("/bukti/9/kecil") }}',
            links=report.links,
            e=evidence,
        )
    assert 'href="https://www.instagram.com/p/C9xYz12AbCd/"' in html
    assert "igsh=abc" in html  # the address as given, as text
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    linked, public = html.split("|")
    assert f'<a href="/bukti/{evidence.id}/gambar"><img src="/bukti/{evidence.id}/kecil"' in linked
    assert 'width="480"' in linked and 'height="100"' in linked and 'alt="Shot 1"' in linked
    assert public == '<img src="/bukti/9/kecil" alt="" loading="lazy">'  # no link, no size


def test_refusals_speak_the_reporters_language(app):
    from portal.evidence.images import ImageRejected
    from portal.evidence.links import LinkRejected

    with app.test_request_context("/"):
        assert "Hanya gambar berformat JPEG, PNG, WebP, atau GIF" in str(
            ImageRejected("unsupported_type").message
        )
        assert "paling besar 10 MiB" in str(ImageRejected("too_large", mib=10).message)
        assert "Hanya tautan web yang diterima" in str(LinkRejected("x").message)
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert str(ImageRejected("truncated").message).startswith("The image is damaged")
