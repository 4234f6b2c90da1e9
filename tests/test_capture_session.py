"""Officer-supplied platform sessions: the admin page refuses bad storage states, stores a
good one sealed (never in clear, never shown again), and the capture worker sends its cookies,
and only its cookies, to that platform's addresses, marking such captures."""

import io
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import session
from flask_babel import format_datetime
from markupsafe import escape
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.capture.models import Capture, CaptureSession, Job, JobKind
from portal.capture.sessions import cookie_header, save_session, session_key, unseal
from portal.db import db, utcnow
from tests.fixtures.images import png as small_png
from tests.test_capture_loginwall import INSTAGRAM_POST, capture_of, case_section, work

pytest_plugins = ("tests.fixtures.capture", "tests.test_capture_loginwall")

KEY = "a-test-key-that-is-long-enough-0123456789"
SECRET = "SECRET-VALUE-1234"
PAGE = "/petugas/admin/sesi-platform"
HOSTS = {"instagram": ["127.0.0.1"]}


def cookie(name: str = "sessionid", value: str = SECRET, **extra) -> dict:
    return {
        "name": name,
        "value": value,
        "domain": "127.0.0.1",
        "path": "/",
        "expires": -1,
        "httpOnly": True,
        "secure": False,
        "sameSite": "Lax",
        **extra,
    }


def state(*cookies: dict, origins: list | None = None) -> bytes:
    return json.dumps({"cookies": list(cookies), "origins": origins or []}).encode()


def upload(client, data: bytes, *, platform: str = "instagram", name: str = "state.json"):
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that it never closes.
    upload = FileStorage(io.BytesIO(data), filename=name, content_type="application/json")
    boundary, body = encode_multipart({"platform": platform, "file": upload})
    return client.post(PAGE, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def admin(make_user, login_as):
    """admin(app): a test client of the app, logged in as an admin, in English."""

    def make(app):
        client = app.test_client()
        login_as(client, make_user(role="admin", team=None))
        client.post("/bahasa", data={"lang": "en", "next": "/"})
        return client

    return make


def stored(app) -> list[CaptureSession]:
    with app.app_context():
        rows = db.session.scalars(sa.select(CaptureSession)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_without_a_key_the_page_says_the_feature_is_off_and_stores_nothing(capture_app, admin):
    app = capture_app()
    client = admin(app)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "This feature is off: no key is configured" in page.text
    assert 'id="upload"' not in page.text
    refused = upload(client, state(cookie()))
    assert refused.status_code == 400
    assert "Sessions are switched off: nothing was stored." in refused.text
    assert stored(app) == []
    short = admin(capture_app(CAPTURE_SESSION_KEY="too-short"))
    assert "shorter than 32 characters" in short.get(PAGE).text


def test_only_admins_reach_the_sessions_page(capture_app, make_user, login_as):
    app = capture_app(CAPTURE_SESSION_KEY=KEY)
    officer = app.test_client()
    login_as(officer, make_user(role="supervisor"))
    assert officer.get(PAGE).status_code == 403
    assert upload(officer, state(cookie())).status_code == 403
    assert app.test_client().get(PAGE).status_code in (302, 303)  # to the login page


ALL_EXPIRED = state(cookie(expires=time.time() - 60), cookie("csrftoken", expires=1000.0))


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"sessionid=SECRET-VALUE-1234", "state.json", "The file is not JSON."),
        (b"\xff\xfe{}", "state.json", "The file is not JSON."),
        (b'{"cookies": [' + b" " * (1024 * 1024) + b"]}", "state.json",
         "The file is larger than 1024 KiB"),
        (b'{"cookies": []}', "state.json", 'it needs "cookies" and "origins"'),
        (b'[{"name": "sessionid"}]', "state.json", 'it needs "cookies" and "origins"'),
        (state(), "state.json", "The session has no cookies"),
        (state(cookie(), cookie("NID", domain=".google.com")), "state.json",
         "Cookie “NID” is for google.com, not for instagram. Nothing was stored"),
        (state(cookie(domain=".instagram.com.evil.example")), "state.json",
         "is for instagram.com.evil.example, not for instagram"),
        (state(cookie(), origins=[{"origin": "https://accounts.google.com", "localStorage": []}]),
         "state.json", "The stored data for https://accounts.google.com is not for instagram."),
        (state({"name": "sessionid", "value": 1234}), "state.json",
         "Cookie 1 is not in Playwright"),
        (state(cookie(value="a\r\nSet-Cookie: x=y")), "state.json",
         "Cookie 1 has characters no cookie may carry."),
        (ALL_EXPIRED, "state.json", "Every cookie of this session has expired"),
        (state(cookie()), "state.txt", "Only .json files are accepted."),
    ],
)  # fmt: skip
def test_each_bad_storage_state_is_refused_with_a_clear_error_and_nothing_stored(
    capture_app, admin, data, name, message
):
    app = capture_app(CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS)
    response = upload(admin(app), data, name=name)
    assert response.status_code == 400
    assert str(escape(message)) in response.text, response.text
    assert stored(app) == []


def test_a_good_session_is_stored_sealed_shown_by_its_expiry_only_and_removable(
    capture_app, admin, tmp_path
):
    app = capture_app(CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS)
    client = admin(app)
    soon, later = time.time() + 3600, time.time() + 7200
    local = [{"origin": "http://127.0.0.1:8000", "localStorage": [{"name": "t", "value": "L0CAL"}]}]
    good = state(cookie(), cookie("csrftoken", "csrf-value", expires=later), cookie(
        "ds_user_id", "42", domain=".127.0.0.1", expires=soon), origins=local)  # fmt: skip
    response = upload(client, good)
    assert response.status_code == 303
    page = client.get(PAGE)
    assert "The instagram session is stored, sealed." in page.text
    assert "3 cookies for 127.0.0.1" in page.text
    (row,) = stored(app)
    assert row.expires_at == datetime.fromtimestamp(soon, UTC)  # the earliest cookie's
    with app.test_request_context("/"):
        session["lang"] = "en"
        shown_expiry = format_datetime(row.expires_at, "short")
    assert shown_expiry in page.text
    assert SECRET not in page.text and "csrf-value" not in page.text
    # sealed: neither the row nor the database file holds the value in clear ...
    assert SECRET.encode() not in row.sealed and b"csrf-value" not in row.sealed
    with app.app_context():
        on_sqlite = db.engine.dialect.name == "sqlite"
        db.engine.dispose()
    if on_sqlite:  # the database file itself (on PostgreSQL the row check above stands)
        files = [p for p in Path(tmp_path).glob("portal.sqlite3*") if p.is_file()]
        assert files and not any(SECRET.encode() in p.read_bytes() for p in files)
    # ... but the worker's key opens it
    with app.app_context():
        opened = unseal(row.sealed, key=session_key(app.config), platform="instagram")
    assert [c["value"] for c in opened["cookies"]] == [SECRET, "csrf-value", "42"]
    assert opened["origins"] == []  # local storage is never read (JavaScript is off): not kept
    # a sealed state does not open as another platform's
    assert unseal(row.sealed, key=session_key(app.config), platform="facebook") is None
    # a new upload replaces it; removing it leaves the platform without one
    assert upload(client, state(cookie(value="other-value"))).status_code == 303
    assert len(stored(app)) == 1
    assert client.post(f"{PAGE}/instagram/hapus").status_code == 303
    assert stored(app) == []
    assert "None: links are fetched as a visitor who is not logged in." in client.get(PAGE).text


def save(app, make_user, data: bytes, platform: str = "instagram") -> None:
    user = make_user(role="admin", team=None)
    with app.app_context():
        save_session(platform=platform, data=data, user=user, config=app.config)
        db.session.commit()


def test_a_capture_for_a_platform_with_a_session_sends_its_cookie_and_says_so(
    capture_app, make_user, link_report, make_case, page_server
):
    app = capture_app(CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS)
    save(app, make_user, state(cookie(), cookie("csrftoken", "csrf-value", path="/p")))
    page_server.play("/p/1", INSTAGRAM_POST)
    page_server.play("/p/2", INSTAGRAM_POST)
    made = make_case()
    on_platform = page_server.url("/p/1")
    elsewhere = f"http://localhost:{page_server.port}/p/2"  # same server, not the platform
    link_report(app, made.report_ids[0], on_platform)
    link_report(app, made.report_ids[0], elsewhere)
    assert work(app).captured == 2
    assert page_server.cookies_for("/p/1") == [f"csrftoken=csrf-value; sessionid={SECRET}"]
    assert page_server.cookies_for("/p/2") == [None]
    capture = capture_of(app, on_platform)
    assert (capture.state, capture.session_platform) == ("captured", "instagram")
    assert capture.manifest_fields["captured_with_officer_session"] is True
    assert capture_of(app, elsewhere).session_platform is None
    assert "Captured with an officer-supplied session (instagram)." in case_section(
        app, made.id, "en"
    )
    assert "Ditangkap dengan sesi yang disediakan petugas (instagram)." in case_section(
        app, made.id
    )
    # liveness re-checks of that platform's links go with the session too
    with app.app_context():
        job = db.session.scalar(
            sa.select(Job).where(Job.kind == JobKind.LIVENESS, Job.target == str(capture.id))
        )
        job.run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert work(app).checked == 1
    assert page_server.cookies_for("/p/1")[-1] == f"csrftoken=csrf-value; sessionid={SECRET}"


def test_a_session_that_does_not_open_is_not_used_and_the_page_says_so(
    capture_app, make_user, link_report, make_case, page_server, admin
):
    first = capture_app(CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS)
    save(first, make_user, state(cookie()))
    app = capture_app(CAPTURE_SESSION_KEY="another-key-also-long-enough-0123456789",
                      CAPTURE_PLATFORM_HOSTS=HOSTS)  # fmt: skip
    page_server.play("/p/1", INSTAGRAM_POST)
    made = make_case()
    link_report(app, made.report_ids[0], page_server.url("/p/1"))
    work(app)
    assert page_server.cookies_for("/p/1") == [None]
    assert capture_of(app, page_server.url("/p/1")).session_platform is None
    assert "Sealed with another key: the worker cannot open it." in admin(app).get(PAGE).text


def test_an_expired_session_cookie_is_not_sent_and_the_capture_is_not_marked(
    capture_app, make_user, link_report, make_case, page_server, admin
):
    app = capture_app(CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS)
    # accepted while one cookie is valid; by capture time only the expired one would match
    save(app, make_user, state(cookie(expires=time.time() + 3600, path="/other"),
                               cookie("old", "x", expires=time.time() - 10)))  # fmt: skip
    assert "expired" in admin(app).get(PAGE).text
    page_server.play("/p/1", INSTAGRAM_POST)
    made = make_case()
    link_report(app, made.report_ids[0], page_server.url("/p/1"))
    work(app)
    assert page_server.cookies_for("/p/1") == [None]
    assert capture_of(app, page_server.url("/p/1")).session_platform is None


def test_cookie_header_follows_host_path_scheme_and_expiry():
    now = 1_000_000.0
    jar = [
        {"name": "a", "value": "1", "domain": ".instagram.com", "path": "/"},
        {"name": "b", "value": "2", "domain": "www.instagram.com", "path": "/p"},
        {"name": "c", "value": "3", "domain": "instagram.com", "path": "/", "secure": True},
        {"name": "d", "value": "4", "domain": ".instagram.com", "path": "/", "expires": now - 1},
        {"name": "e", "value": "5", "domain": ".instagram.com", "path": "/", "expires": now + 9},
    ]
    assert cookie_header(jar, "https://www.instagram.com/p/x/", now) == "b=2; a=1; e=5"
    assert cookie_header(jar, "https://www.instagram.com/px", now) == "a=1; e=5"  # not /p's
    assert cookie_header(jar, "https://instagram.com/", now) == "a=1; c=3; e=5"
    assert cookie_header(jar, "http://instagram.com/", now) == "a=1; e=5"  # secure: https only
    assert cookie_header(jar, "https://cdninstagram.com/x.jpg", now) is None
    assert cookie_header(jar, "https://instagram.com.evil.example/", now) is None


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="Chromium is not installed")
def test_the_screenshot_is_rendered_with_the_session(
    capture_app, make_user, link_report, make_case, page_server
):
    app = capture_app(
        CAPTURE_SESSION_KEY=KEY, CAPTURE_PLATFORM_HOSTS=HOSTS, CAPTURE_SCREENSHOT=True
    )
    save(app, make_user, state(cookie()))
    page_server.play(
        "/p/1", INSTAGRAM_POST.replace(b"</article>", b"<img src='/foto.png'></article>")
    )
    page_server.play(
        "/foto.png", small_png(width=200, height=120, color=(20, 120, 200)), ctype="image/png"
    )
    made = make_case()
    link_report(app, made.report_ids[0], page_server.url("/p/1"))
    work(app)
    # the page's own image was fetched for Chromium with the session's cookie
    assert page_server.cookies_for("/foto.png") == [f"sessionid={SECRET}"]
    with app.app_context():
        capture = db.session.scalar(sa.select(Capture))
        assert capture.screenshot_key and capture.screenshot_note is None
        assert capture.session_platform == "instagram"
