"""Redaction for publishing: black boxes on a new copy, the rule for what may be published,
and the public page showing the redacted copy."""

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.db import db, unit_of_work
from portal.evidence.images import Box, BoxesRejected, check_boxes, draw_boxes
from tests.fixtures.images import encode, jpeg, png, screenshot

BOX = {"boxes-0-x": "10", "boxes-0-y": "20", "boxes-0-width": "30", "boxes-0-height": "40"}


# The drawing: a pure function on bytes.


def test_pixels_inside_the_boxes_are_black_and_the_rest_unchanged():
    clean = encode(screenshot(seed=3, width=216, height=480))
    result = draw_boxes(clean, [Box(5, 7, 20, 10), Box(100, 200, 1, 1)], thumb_side=64)
    before = Image.open(BytesIO(clean)).convert("RGB")
    after = Image.open(BytesIO(result.data)).convert("RGB")
    assert after.size == before.size == (result.width, result.height)
    assert result.mime == "image/png"
    inside = {(x, y) for x in range(5, 25) for y in range(7, 17)} | {(100, 200)}
    for x, y in inside:
        assert after.getpixel((x, y)) == (0, 0, 0)
    changed = [
        (x, y)
        for x in range(before.width)
        for y in range(before.height)
        if before.getpixel((x, y)) != after.getpixel((x, y))
    ]
    assert changed and set(changed) <= inside  # the box's edges are exact: 25 and 17 unchanged
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()
    assert Image.open(BytesIO(result.thumb)).format == "WEBP"


def test_a_photo_stays_a_jpeg_and_its_box_is_black():
    result = draw_boxes(jpeg(width=160, height=120), [Box(16, 16, 64, 48)], thumb_side=64)
    after = Image.open(BytesIO(result.data)).convert("RGB")
    assert result.mime == "image/jpeg"
    assert max(after.getpixel((40, 40))) <= 8  # JPEG: black within a few levels


def test_a_box_over_a_transparent_area_is_opaque():
    clear = encode(Image.new("RGBA", (40, 40), (9, 9, 9, 0)))
    after = Image.open(BytesIO(draw_boxes(clear, [Box(2, 2, 3, 3)], thumb_side=16).data))
    assert after.getpixel((3, 3)) == (0, 0, 0, 255)
    assert after.getpixel((10, 10)) == (9, 9, 9, 0)


@pytest.mark.parametrize(
    ("box", "fields"),
    [
        (Box(-1, 0, 5, 5), {"x"}),
        (Box(0, 240, 5, 5), {"y"}),
        (Box(100, 0, 9, 5), {"width"}),  # 100 + 9 > 108
        (Box(0, 230, 5, 11), {"height"}),  # 230 + 11 > 240
        (Box(0, 0, 0, 5), {"width"}),
        (Box(0, 0, 5, -3), {"height"}),
        (Box(108, 240, 1, 1), {"x", "y"}),
    ],
)
def test_boxes_outside_the_image_are_refused_by_field(box, fields):
    with pytest.raises(BoxesRejected) as refused:
        check_boxes([Box(0, 0, 108, 240), box], width=108, height=240)
    assert list(refused.value.problems) == [1]  # the first box fills the image: it is fine
    assert {p.field for p in refused.value.problems[1]} == fields
    assert all(p.message for p in refused.value.problems[1])


def test_no_boxes_and_too_many_are_refused():
    with pytest.raises(BoxesRejected) as none:
        check_boxes([], width=10, height=10)
    assert none.value.count == "none"
    with pytest.raises(BoxesRejected) as many:
        check_boxes([Box(0, 0, 1, 1)] * 51, width=10, height=10)
    assert many.value.count == "too_many"
    with pytest.raises(BoxesRejected):
        draw_boxes(png(), [Box(0, 0, 200, 1)], thumb_side=64)


# The operation: a new file, the original and the clean copy untouched, the history.


@pytest.fixture
def shot(app, make_case):
    """A case with one screenshot (a red PNG of 108 x 240); returns (case, evidence id)."""
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report

    made = make_case()
    with app.app_context(), unit_of_work():
        report = db.session.get(Report, made.report_ids[0])
        evidence = store_evidence(report=report, data=png(color=(200, 30, 30)), filename="a.png")
        evidence_id = evidence.id
    return made, evidence_id


def _files(app) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _redact(app, case_id, evidence_id, user_id, boxes, fail=False):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.redaction import redact_evidence
    from portal.evidence.models import Evidence
    from portal.evidence.operations import store_redaction

    with app.app_context():
        evidence = db.session.get(Evidence, evidence_id)
        key, sha = evidence.clean_key, evidence.sha256_clean
        with unit_of_work():
            stored = store_redaction(clean_key=key, sha256_clean=sha, boxes=boxes)
            redaction = redact_evidence(
                case=db.session.get(Case, case_id),
                evidence=evidence,
                stored=stored,
                actor=db.session.get(User, user_id),
            )
            if fail:
                raise RuntimeError("the unit fails after the files were stored")
        return redaction.version, redaction.sha256, redaction.key


def test_redacting_adds_a_version_and_leaves_original_and_clean_copy_alone(app, shot, make_user):
    from portal.cases.models import CaseEvent
    from portal.evidence.models import Evidence
    from portal.evidence.storage import get_storage

    made, evidence_id = shot
    officer = make_user()
    with app.app_context():
        evidence = db.session.get(Evidence, evidence_id)
        storage = get_storage()
        sealed_before = hashlib.sha256(storage.get(evidence.original_key)).hexdigest()
        clean_before = hashlib.sha256(storage.get(evidence.clean_key)).hexdigest()
        keys = evidence.original_key, evidence.clean_key
        assert clean_before == evidence.sha256_clean and sealed_before == evidence.sha256_original

    first = _redact(app, made.id, evidence_id, officer.id, [Box(0, 0, 50, 50)])
    second = _redact(
        app, made.id, evidence_id, officer.id, [Box(0, 0, 50, 50), Box(0, 100, 108, 20)]
    )

    assert (first[0], second[0]) == (1, 2) and first[1] != second[1]
    with app.app_context():
        evidence = db.session.get(Evidence, evidence_id)
        storage = get_storage()
        assert hashlib.sha256(storage.get(keys[0])).hexdigest() == sealed_before
        assert hashlib.sha256(storage.get(keys[1])).hexdigest() == clean_before
        assert [r.version for r in evidence.redactions] == [1, 2]
        assert evidence.latest_redaction.sha256 == second[1]
        assert hashlib.sha256(storage.get(second[2])).hexdigest() == second[1]
        assert second[1] not in (clean_before, sealed_before)
        events = db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == made.id, CaseEvent.kind == "evidence_redacted")
            .order_by(CaseEvent.seq)
        ).all()
    assert [e.data["boxes"] for e in events] == [1, 2]
    assert events[1].data["sha256"] == second[1] and events[1].actor_id == officer.id
    assert events[1].data["evidence_id"] == evidence_id


def test_a_failed_unit_leaves_no_redacted_file_behind(app, shot, make_user):
    from portal.evidence.models import Redaction

    made, evidence_id = shot
    before = _files(app)
    with pytest.raises(RuntimeError):
        _redact(app, made.id, evidence_id, make_user().id, [Box(1, 1, 5, 5)], fail=True)
    assert _files(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Redaction)) == 0


# The redaction page.


def test_officer_redacts_on_the_page_without_javascript(app, client, shot, make_user, login_as):
    made, evidence_id = shot
    login_as(client, make_user())
    url = f"/petugas/kasus/{made.id}/bukti/{evidence_id}/samarkan"
    page = client.get(url)
    assert page.status_code == 200
    assert "108 × 240 piksel" in page.text
    assert 'name="boxes-0-x"' in page.text and 'name="boxes-1-x"' in page.text
    more = client.post(url, data={**BOX, "more": "1"})
    assert 'name="boxes-3-x"' in more.text and 'value="30"' in more.text  # rows added, kept
    response = client.post(url, data={**BOX, "save": "1"})
    assert response.status_code == 303
    page = client.get(url)
    assert "Salinan tersamar disimpan (versi 1)." in page.text
    assert 'value="40"' in page.text  # the saved boxes come back for the next version
    image = client.get(f"/bukti/{evidence_id}/publik/gambar")
    pixels = Image.open(BytesIO(image.data)).convert("RGB")
    assert pixels.getpixel((10, 20)) == pixels.getpixel((39, 59)) == (0, 0, 0)
    assert pixels.getpixel((40, 60)) == (200, 30, 30)


def test_bad_boxes_are_refused_by_their_fields_and_nothing_is_stored(
    app, client, shot, make_user, login_as
):
    from portal.evidence.models import Redaction

    made, evidence_id = shot
    login_as(client, make_user())
    before = _files(app)
    url = f"/petugas/kasus/{made.id}/bukti/{evidence_id}/samarkan"
    answers = {
        **BOX,
        "boxes-1-x": "100",
        "boxes-1-y": "0",
        "boxes-1-width": "20",
        "boxes-1-height": "5",
        "boxes-2-x": "500",
        "boxes-2-y": "abc",
        "boxes-2-width": "",
        "boxes-2-height": "5",
        "save": "1",
    }
    page = client.post(url, data=answers)
    assert page.status_code == 200
    assert "Masukkan bilangan bulat (dalam piksel)." in page.text
    assert "Kotak melewati tepi kanan: di sini lebarnya paling banyak 8 piksel." in page.text
    assert 'href="#boxes-1-width"' in page.text  # the summary links to the field
    assert 'href="#boxes-2-y"' in page.text and 'href="#boxes-2-width"' in page.text
    assert "Tepi kiri harus bilangan bulat dari 0 sampai 107." in page.text
    for value in ("10", "20", "30", "40", "100", "500", "abc"):
        assert f'value="{value}"' in page.text  # every entered number is kept
    empty = client.post(url, data={"save": "1"})
    assert "Isi paling sedikit satu kotak" in empty.text
    assert _files(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Redaction)) == 0


def test_the_page_is_for_staff_of_the_case_only(app, client, shot, make_user, login_as, make_case):
    made, evidence_id = shot
    url = f"/petugas/kasus/{made.id}/bukti/{evidence_id}/samarkan"
    assert client.get(url).status_code == 302  # to the login page
    login_as(client, make_user(team="inspektorat-sumsel"))
    assert client.get(url).status_code == 404
    login_as(client, make_user())
    other = make_case()
    assert client.get(f"/petugas/kasus/{other.id}/bukti/{evidence_id}/samarkan").status_code == 404


# Publishing: only redacted or explicitly approved copies.


def _publish_post(client, case_id, evidence_id):
    return client.post(
        f"/petugas/kasus/{case_id}/publikasi",
        data={"summary": "Akun dinas memuat materi kampanye.", "evidence": str(evidence_id)},
        follow_redirects=True,
    )


def test_a_forged_post_cannot_publish_an_unapproved_image(app, client, shot, make_user, login_as):
    from portal.evidence.models import Evidence

    made, evidence_id = shot
    login_as(client, make_user())
    page = client.get(f"/petugas/kasus/{made.id}").text
    box = page[page.index(f'name="evidence" value="{evidence_id}"') :]
    assert "disabled" in box[: box.index(">")]  # the form does not offer it
    answer = _publish_post(client, made.id, evidence_id)
    assert "Gambar 1 belum disamarkan dan belum disetujui tanpa penyamaran" in answer.text
    assert app.test_client().get(f"/kasus/{made.reference}").status_code == 404
    with app.app_context():
        assert not db.session.get(Evidence, evidence_id).is_publishable
    assert app.test_client().get(f"/bukti/{evidence_id}/publik/gambar").status_code == 404


def test_an_approved_image_is_published_as_its_clean_copy(app, client, shot, make_user, login_as):
    from portal.cases.models import CaseEvent
    from portal.evidence.models import Evidence

    made, evidence_id = shot
    officer = make_user()
    login_as(client, officer)
    url = f"/petugas/kasus/{made.id}/bukti/{evidence_id}/setujui-tanpa-samaran"
    assert client.post(url).status_code == 303
    again = client.post(url, follow_redirects=True)
    assert "Gambar ini sudah disetujui untuk publikasi." in again.text
    assert "Disetujui untuk publikasi tanpa penyamaran oleh" in again.text
    assert "Kasus kini telah dipublikasikan." in _publish_post(client, made.id, evidence_id).text
    html = app.test_client().get(f"/kasus/{made.reference}").text
    assert f"/bukti/{evidence_id}/publik/gambar" in html
    public = app.test_client().get(f"/bukti/{evidence_id}/publik/gambar")
    with app.app_context():
        evidence = db.session.get(Evidence, evidence_id)
        assert hashlib.sha256(public.data).hexdigest() == evidence.sha256_clean
        event = db.session.scalar(
            sa.select(CaseEvent).where(CaseEvent.kind == "evidence_approved_unredacted")
        )
    assert event.actor_id == officer.id and event.data["evidence_id"] == evidence_id


def test_a_redacted_image_is_published_as_its_redacted_copy_only(
    app, client, shot, make_user, login_as
):
    made, evidence_id = shot
    login_as(client, make_user())
    client.post(f"/petugas/kasus/{made.id}/bukti/{evidence_id}/samarkan", data={**BOX, "save": "1"})
    answer = client.post(f"/petugas/kasus/{made.id}/bukti/{evidence_id}/setujui-tanpa-samaran")
    assert answer.status_code == 303  # refused: a redacted image is published redacted
    assert "Kasus kini telah dipublikasikan." in _publish_post(client, made.id, evidence_id).text

    visitor = app.test_client()
    html = visitor.get(f"/kasus/{made.reference}").text
    assert f'<a href="/bukti/{evidence_id}/publik/gambar">' in html
    assert f"/bukti/{evidence_id}/gambar" not in html
    image = Image.open(BytesIO(visitor.get(f"/bukti/{evidence_id}/publik/gambar").data))
    assert image.convert("RGB").getpixel((15, 25)) == (0, 0, 0)
    assert visitor.get(f"/bukti/{evidence_id}/publik/kecil").status_code == 200
    # the clean copy of a redacted image never goes public, under any address
    assert visitor.get(f"/bukti/{evidence_id}/gambar").status_code == 404
    assert visitor.get(f"/bukti/{evidence_id}/kecil").status_code == 404
    open311 = visitor.get("/open311/v2/requests.json").json
    media = [r.get("media_url") for r in open311 if r.get("media_url")]
    assert media and all("/publik/kecil" in m for m in media)


def test_the_rule_is_checked_again_when_a_reviewer_approves(
    make_app, make_user, login_as, make_case
):
    from portal.accounts.models import User
    from portal.cases.models import Case
    from portal.cases.publishing.models import Publication
    from portal.cases.publishing.operations import PublishError, approve_publication
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report
    from portal.reference.operations import load_reference_data

    app = make_app(PUBLISH_REQUIRES_REVIEW=True)
    with app.app_context():
        load_reference_data()
        db.session.commit()
    made = make_case()
    reviewer_id = make_user(role="supervisor").id
    requester_id = make_user().id
    with app.app_context(), unit_of_work():
        report = db.session.get(Report, made.report_ids[0])
        evidence = store_evidence(report=report, data=png(), filename="a.png")
        # a request written around the operation (as by an old version or by hand)
        db.session.add(
            Publication(
                case_id=made.id,
                summary="Ringkasan.",
                evidence_ids=[evidence.id],
                requested_by_id=requester_id,
            )
        )
    with app.app_context(), pytest.raises(PublishError):
        approve_publication(
            case=db.session.get(Case, made.id), actor=db.session.get(User, reviewer_id)
        )


def test_the_report_form_warns_that_screenshots_may_be_covered(client):
    indonesian = client.get("/lapor").text
    assert "petugas dapat memotongnya atau menutup sebagian isinya" in indonesian
    client.post("/bahasa", data={"lang": "en"})
    english = client.get("/lapor").text
    assert "officers may crop it or cover parts of it, such as your own name" in english


def test_the_sweep_keeps_redacted_copies_and_verify_files_checks_them(app, shot, make_user):
    from datetime import timedelta

    from portal.evidence.operations import sweep

    made, evidence_id = shot
    _version, sha256, key = _redact(app, made.id, evidence_id, make_user().id, [Box(1, 1, 5, 5)])
    stored = _files(app)
    with app.app_context():
        sweep(older_than=timedelta(0))
    assert _files(app) == stored and hashlib.sha256(stored[key]).hexdigest() == sha256
    runner = app.test_cli_runner()
    assert "0 problems" in runner.invoke(args=["evidence", "verify-files"]).output
    (Path(app.config["UPLOAD_FOLDER"]) / key).write_bytes(b"changed")
    result = runner.invoke(args=["evidence", "verify-files"])
    assert f"redaction 1: {key} does not match its SHA-256" in result.output
    assert result.exit_code == 1
