"""The chunked upload endpoints the report form's script uses: announce a file, send it in
pieces at the offset the server holds, resume after a dropped connection; every refusal is a
clear JSON error that leaves nothing behind."""

import os
import re

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.conftest import csrf_token_from
from tests.fixtures.images import jpeg
from tests.fixtures.intake import code_on, post_report

KEY_RE = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')
CHUNK = 4096


@pytest.fixture
def small_chunks(make_app):
    """The app with 4 KiB pieces (so a test image takes several) and reference data."""

    def build(**overrides):
        from portal.reference.operations import load_reference_data

        app = make_app(UPLOAD_CHUNK_BYTES=CHUNK, **overrides)
        with app.app_context():
            load_reference_data()
            db.session.commit()
        return app

    return build


class Form:
    """A browser that opened the report form: its session, the form key and CSRF token."""

    def __init__(self, client):
        page = client.get("/lapor").text
        self.client, self.key = client, KEY_RE.search(page).group(1)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        self.csrf = match.group(1) if match else None

    def headers(self, **extra) -> dict:
        headers = {"X-Form-Key": self.key, **extra}
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        return headers

    def create(self, name: str, size: int):
        return self.client.post(
            "/lapor/unggah", json={"filename": name, "size": size}, headers=self.headers()
        )

    def piece(self, url: str, offset: int, data: bytes):
        return self.client.patch(
            url,
            data=data,
            headers=self.headers(**{"Upload-Offset": str(offset)}),
            content_type="application/offset+octet-stream",
        )

    def status(self, url: str):
        return self.client.get(url, headers=self.headers())


def stored_files(app) -> set[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _dirs, names in os.walk(folder)
        for name in names
    }


def held_count(app) -> int:
    from portal.intake.models import HeldUpload

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(HeldUpload))


def test_an_upload_cut_off_half_way_resumes_from_the_servers_offset(small_chunks, report_form):
    app = small_chunks()
    form = Form(app.test_client())
    photo = jpeg(400, 300, seed=3)
    assert len(photo) > 3 * CHUNK
    created = form.create("foto.jpg", len(photo))
    assert created.status_code == 201
    url, offset = created.json["url"], 0
    for _ in range(2):  # two pieces arrive, then the connection drops
        answer = form.piece(url, offset, photo[offset : offset + CHUNK])
        assert answer.status_code == 200
        offset = answer.json["offset"]
    resumed = form.status(url).json  # the page asks where to go on
    assert resumed == {**resumed, "offset": 2 * CHUNK, "complete": False}
    offset = resumed["offset"]
    while offset < len(photo):
        answer = form.piece(url, offset, photo[offset : offset + CHUNK])
        assert answer.status_code == 200, answer.json
        offset = answer.json["offset"]
    assert answer.json["complete"] is True
    assert not any(key.startswith("held/") for key in stored_files(app))  # pieces are gone

    data = report_form(files=[], idempotency_key=form.key)
    data.pop("screenshots")
    data["held_upload"] = [created.json["id"]]
    receipt = post_report(form.client, data, follow=True)
    assert code_on(receipt.text)
    assert held_count(app) == 0


def test_a_piece_at_the_wrong_offset_is_refused_with_the_right_one(small_chunks):
    app = small_chunks()
    form = Form(app.test_client())
    photo = jpeg(400, 300, seed=4)
    url = form.create("foto.jpg", len(photo)).json["url"]
    assert form.piece(url, 0, photo[:CHUNK]).status_code == 200
    before = stored_files(app)
    again = form.piece(url, 0, photo[:CHUNK])  # a retry of a piece that had arrived
    assert again.status_code == 409
    assert again.json["error"] == "offset" and again.json["offset"] == CHUNK
    skipped = form.piece(url, 3 * CHUNK, photo[3 * CHUNK : 4 * CHUNK])
    assert skipped.status_code == 409 and skipped.json["offset"] == CHUNK
    assert stored_files(app) == before  # the refused pieces were not kept


def test_sizes_are_capped_per_file_and_per_piece(small_chunks):
    app = small_chunks(MAX_FILE_BYTES=2 * 1024 * 1024)
    form = Form(app.test_client())
    too_big = form.create("besar.png", 2 * 1024 * 1024 + 1)
    assert too_big.status_code == 413 and "paling besar" in too_big.json["message"]
    photo = jpeg(400, 300, seed=5)
    url = form.create("foto.jpg", len(photo)).json["url"]
    piece = form.piece(url, 0, photo[: CHUNK + 1])
    assert piece.status_code == 413 and piece.json["error"] == "chunk_too_large"
    short = form.create("kecil.jpg", 100).json["url"]
    past_the_end = form.piece(short, 0, photo[:200])
    assert past_the_end.status_code == 413
    assert not any(key.startswith("held/") for key in stored_files(app))


def test_a_file_that_is_not_an_image_is_refused_at_the_end_and_leaves_nothing(small_chunks):
    app = small_chunks()
    form = Form(app.test_client())
    body = b"<!doctype html><script>alert(1)</script>" * 200
    url = form.create("layar.png", len(body)).json["url"]
    offset, answer = 0, None
    while offset < len(body):
        answer = form.piece(url, offset, body[offset : offset + CHUNK])
        offset += CHUNK
    assert answer.status_code == 415
    assert answer.json["error"] == "unsupported_type" and "layar.png" in answer.json["message"]
    assert held_count(app) == 0 and stored_files(app) == set()
    assert form.status(url).status_code == 404


def test_the_endpoints_need_the_forms_csrf_token(small_chunks):
    app = small_chunks(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    form = Form(client)
    assert form.csrf
    refused = client.post(
        "/lapor/unggah", json={"filename": "a.jpg", "size": 10}, headers={"X-Form-Key": form.key}
    )
    assert refused.status_code == 400
    assert refused.json["error"] == "csrf"
    assert held_count(app) == 0
    assert form.create("a.jpg", 10).status_code == 201


def test_another_session_cannot_see_or_send_to_an_upload(small_chunks):
    app = small_chunks()
    owner = Form(app.test_client())
    photo = jpeg(400, 300, seed=6)
    url = owner.create("foto.jpg", len(photo)).json["url"]
    stranger = Form(app.test_client())
    stranger.key = owner.key  # even with the form's key
    assert stranger.status(url).status_code == 404
    assert stranger.piece(url, 0, photo[:CHUNK]).status_code == 404
    assert stranger.client.delete(url, headers=stranger.headers()).status_code == 204
    assert owner.status(url).json["offset"] == 0  # still there for its owner
    assert stored_files(app) == set()


def test_no_more_than_the_file_limit_may_be_announced(small_chunks):
    app = small_chunks(MAX_FILES=2)
    form = Form(app.test_client())
    assert form.create("a.jpg", 10).status_code == 201
    assert form.create("b.jpg", 10).status_code == 201
    third = form.create("c.jpg", 10)
    assert third.status_code == 409 and third.json["error"] == "too_many"


def test_a_removed_upload_leaves_no_piece(small_chunks):
    app = small_chunks()
    form = Form(app.test_client())
    photo = jpeg(400, 300, seed=7)
    url = form.create("foto.jpg", len(photo)).json["url"]
    form.piece(url, 0, photo[:CHUNK])
    assert stored_files(app)
    assert form.client.delete(url, headers=form.headers()).status_code == 204
    assert stored_files(app) == set() and held_count(app) == 0


def test_the_form_page_carries_what_the_script_needs(small_chunks):
    app = small_chunks(WTF_CSRF_ENABLED=True)
    page = app.test_client().get("/lapor").text
    assert 'data-create="/lapor/unggah"' in page
    assert csrf_token_from(page)


def test_an_upload_abandoned_half_way_is_swept_and_expired_without_a_trace(small_chunks):
    from datetime import timedelta

    from portal.db import utcnow
    from portal.evidence.operations import sweep
    from portal.evidence.storage import get_storage
    from portal.intake.models import HeldUpload
    from portal.intake.uploads.operations import remove_expired_holds

    app = small_chunks()
    form = Form(app.test_client())
    photo = jpeg(400, 300, seed=8)
    url = form.create("foto.jpg", len(photo)).json["url"]
    form.piece(url, 0, photo[:CHUNK])
    with app.app_context():
        get_storage().put("held/no-such-upload/abc", b"left by a crash", "text/plain")
        result = sweep(older_than=timedelta(0))
    assert result.deleted == 1  # the stray piece; the arriving upload's piece is kept
    assert len(stored_files(app)) == 1
    with app.app_context():
        db.session.execute(sa.update(HeldUpload).values(expires_at=utcnow()))
        db.session.commit()
        remove_expired_holds()
    assert held_count(app) == 0 and stored_files(app) == set()
