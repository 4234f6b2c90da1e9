"""Login walls: each platform's markers and the generic ones, on pages written here, and the
worker recording such a capture as a login wall (never as the post) against a real local server.
"""

import contextlib
import io
import threading
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from flask import render_template_string, session

from portal.capture.models import Capture, Job, JobKind, LivenessCheck
from portal.capture.views import capture_section
from portal.capture.walls import detect_wall, platform_of_url, read_page
from portal.cases.models import Case
from portal.db import db, utcnow
from portal.evidence.storage import get_storage
from portal.worker.loop import run_pass

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

pytest_plugins = ("tests.fixtures.capture",)

POST_META = (
    '<meta property="og:title" content="Diskominfo on Instagram">'
    '<meta property="og:description" content="Dukung pasangan calon nomor 2!">'
    '<meta property="og:image" content="https://cdn.example/p.jpg">'
)
LOGIN_FORM = (
    '<form id="loginForm" method="post"><input name="username">'
    '<input name="password" type="password"><button>Log in</button></form>'
)
INSTAGRAM_LOGIN = (
    f"<html><head><title>Login • Instagram</title></head><body>{LOGIN_FORM}</body></html>"
).encode()
INSTAGRAM_POST = (
    f"<html><head><title>Diskominfo on Instagram</title>{POST_META}</head>"
    f"<body><header>{LOGIN_FORM}</header><article>Dukung pasangan calon nomor 2!</article>"
    "</body></html>"
).encode()
INSTAGRAM_CONSENT = (
    b"<html><head><title>Instagram</title></head><body><div role=dialog>"
    b"<h2>Allow the use of cookies from Instagram by this browser?</h2>"
    b"<button>Allow all cookies</button></div></body></html>"
)
FACEBOOK_MUST_LOG_IN = (
    b"<html><head><title>Facebook</title></head><body><div>"
    b"<h2>You must log in to continue.</h2><form id=login_form><input name=email>"
    b"<input type=password name=pass></form></div></body></html>"
)
FACEBOOK_LOGIN_TITLE = (
    b"<html><head><title>Log into Facebook | Facebook</title></head><body>"
    b"<form id=login_form><input name=email><input type=password name=pass></form></body></html>"
)
FACEBOOK_CONSENT = (
    b"<html><head><title>Facebook</title></head><body>"
    b"<h1>Allow the use of cookies from Facebook on this browser?</h1></body></html>"
)
FACEBOOK_LOGIN_BUTTON = (
    b"<html><head><title>Facebook</title></head><body>"
    b"<button id=loginbutton>Log in</button></body></html>"
)
FACEBOOK_POST = (
    f"<html><head><title>Diskominfo | Facebook</title>{POST_META}</head><body>"
    '<form id="login_form"><input type="password"></form><div>Dukung nomor 2</div></body></html>'
).encode()
X_NO_JS = (
    b'<html><head><title>X</title></head><body><div class="errorContainer">'
    b"<h1>JavaScript is not available.</h1><p>We\xe2\x80\x99ve detected that JavaScript is "
    b"disabled in this browser. Please enable JavaScript or switch to a supported browser to "
    b"continue using x.com.</p></div></body></html>"
)
X_POST = (
    f"<html><head><title>Diskominfo on X</title>{POST_META}</head>"
    "<body><noscript>JavaScript is not available.</noscript></body></html>"
).encode()
TIKTOK_LOGIN_DATA = (
    b"<html><head><title>TikTok</title></head><body>"
    b'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
    b'{"__DEFAULT_SCOPE__":{"webapp.video-detail":{"statusCode":10222,"statusMsg":""}}}'
    b"</script></body></html>"
)
TIKTOK_VIDEO = (
    f"<html><head><title>Dukung nomor 2 | TikTok</title>{POST_META}</head><body>"
    '<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">'
    '{"__DEFAULT_SCOPE__":{"webapp.video-detail":{"statusCode":0,"itemInfo":{}}}}'
    "</script></body></html>"
).encode()
TIKTOK_PLACEHOLDER = (
    b"<html><head><title>TikTok - Make Your Day</title></head><body><div id=app></div>"
    b"</body></html>"
)
GENERIC_LOGIN = f"<html><head><title>Masuk</title></head><body>{LOGIN_FORM}</body></html>".encode()
GENERIC_PHRASE = (
    b"<html><head><title>Portal</title></head><body><p>Please log in to continue reading."
    b"</p></body></html>"
)
ARTICLE_WITH_LOGIN_BOX = (
    f"<html><head><title>Berita</title>{POST_META}</head><body>{LOGIN_FORM}"
    "<article>Isi berita</article></body></html>"
).encode()

POST = "https://www.instagram.com/p/C0ffee/"


def wall(url: str, body: bytes, *, final: str | None = None, status: int = 200):
    page = read_page(url=url, final_url=final or url, status=status, body=body)
    return detect_wall(page, platform_of_url(url, {}))


@pytest.mark.parametrize(
    ("url", "final", "body", "expected"),
    [
        (POST, "https://www.instagram.com/accounts/login/?next=/p/C0ffee/", INSTAGRAM_LOGIN,
         ("instagram", "login_redirect")),
        (POST, None, INSTAGRAM_LOGIN, ("instagram", "login_title")),
        (POST, None, INSTAGRAM_CONSENT, ("instagram", "consent")),
        (POST, None, INSTAGRAM_LOGIN.replace(b"Login \xe2\x80\xa2 Instagram", b"Instagram"),
         ("instagram", "login_form")),
        ("https://www.facebook.com/diskominfo/posts/123/", None, FACEBOOK_MUST_LOG_IN,
         ("facebook", "login_text")),
        ("https://m.facebook.com/story.php?story_fbid=1&id=2",
         "https://m.facebook.com/login/?next=https%3A%2F%2Fm.facebook.com%2Fstory.php",
         FACEBOOK_LOGIN_TITLE, ("facebook", "login_redirect")),
        ("https://www.facebook.com/diskominfo/posts/123/", None, FACEBOOK_LOGIN_TITLE,
         ("facebook", "login_title")),
        ("https://www.facebook.com/diskominfo/posts/123/", None, FACEBOOK_CONSENT,
         ("facebook", "consent")),
        ("https://www.facebook.com/diskominfo/posts/123/", None, FACEBOOK_LOGIN_BUTTON,
         ("facebook", "login_form")),
        ("https://x.com/diskominfo/status/1", "https://x.com/i/flow/login?redirect_after_login="
         "%2Fdiskominfo%2Fstatus%2F1", b"<html></html>", ("x", "login_redirect")),
        ("https://twitter.com/diskominfo/status/1", None, X_NO_JS, ("x", "js_required")),
        ("https://www.tiktok.com/@diskominfo/video/7", "https://www.tiktok.com/login?"
         "redirect_url=https%3A%2F%2Fwww.tiktok.com%2F%40diskominfo%2Fvideo%2F7", b"<html></html>",
         ("tiktok", "login_redirect")),
        ("https://www.tiktok.com/@diskominfo/video/7", None, TIKTOK_LOGIN_DATA,
         ("tiktok", "login_data")),
        ("https://www.tiktok.com/@diskominfo/video/7", None, TIKTOK_PLACEHOLDER,
         ("tiktok", "placeholder")),
        ("https://portal.example.go.id/berita/1", None, GENERIC_LOGIN, ("generic", "login_form")),
        ("https://portal.example.go.id/berita/1", "https://portal.example.go.id/signin?next=%2Fb",
         b"<html><body>Masuk</body></html>", ("generic", "login_redirect")),
        ("https://portal.example.go.id/berita/1", None, GENERIC_PHRASE, ("generic", "login_text")),
        # on a platform's address, the generic markers still apply after its own
        ("https://www.youtube.com/watch?v=abcdefghijk", None, GENERIC_LOGIN,
         ("generic", "login_form")),
    ],
)  # fmt: skip
def test_each_platforms_wall_is_recognised_by_its_markers(url, final, body, expected):
    found = wall(url, body, final=final)
    assert found is not None, f"no wall found on {url}"
    assert (found.platform, found.reason) == expected
    assert found.detail


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (POST, INSTAGRAM_POST),  # a login bar above the post is not a wall
        ("https://www.facebook.com/diskominfo/posts/123/", FACEBOOK_POST),
        ("https://x.com/diskominfo/status/1", X_POST),
        ("https://www.tiktok.com/@diskominfo/video/7", TIKTOK_VIDEO),
        ("https://portal.example.go.id/berita/1", ARTICLE_WITH_LOGIN_BOX),
        ("https://portal.example.go.id/berita/1", b"<html><body><p>Isi berita</p></body></html>"),
    ],
)
def test_a_post_is_not_a_wall_even_with_a_login_box_on_the_page(url, body):
    assert wall(url, body) is None


def test_a_status_that_says_what_happened_is_never_read_as_a_wall():
    assert wall(POST, INSTAGRAM_LOGIN, status=404) is None  # removed, whatever the page shows
    assert wall(POST, INSTAGRAM_LOGIN, status=500) is None
    assert wall(POST, INSTAGRAM_LOGIN, status=401).reason == "login_title"


def test_wall_kinds_say_what_stood_in_front_of_the_post():
    assert wall(POST, INSTAGRAM_LOGIN).kind == "login"
    assert wall(POST, INSTAGRAM_CONSENT).kind == "consent"
    assert wall("https://x.com/a/status/1", X_NO_JS).kind == "interstitial"


def test_platform_of_an_address():
    extra = {"tiktok": ["127.0.0.1"]}
    assert platform_of_url("https://instagram.com/p/x/", extra) == "instagram"
    assert platform_of_url("https://web.facebook.com/x", extra) == "facebook"
    assert platform_of_url("https://mobile.twitter.com/x/status/1", extra) == "x"
    assert platform_of_url("https://vm.tiktok.com/ZS123/", extra) == "tiktok"
    assert platform_of_url("http://127.0.0.1:8000/p/1", extra) == "tiktok"
    assert platform_of_url("https://notinstagram.com/p/x/", extra) is None
    assert platform_of_url("https://instagram.com.evil.example/p/x/", extra) is None


# A real server on loopback that plays a platform: each path answers as told, and every
# request is recorded with the Cookie header it carried.


class PageServer:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.seen: list[tuple[str, str | None]] = []
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def play(self, path: str, body: bytes = b"", status: int = 200, **headers: str) -> None:
        self.pages[path] = (status, body, headers)

    def cookies_for(self, path: str) -> list[str | None]:
        return [cookie for seen, cookie in self.seen if seen == path]


def _handler(state: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            state.seen.append((self.path, self.headers.get("Cookie")))
            found = state.pages.get(self.path) or state.pages.get(self.path.split("?")[0])
            status, body, played = found or (404, b"<h1>Tidak ditemukan</h1>", {})
            headers = dict(played)
            self.send_response(status)
            self.send_header("Content-Type", headers.pop("ctype", "text/html; charset=utf-8"))
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

    return Handler


@pytest.fixture
def page_server():
    """A threaded HTTP server on 127.0.0.1 that plays the pages it is given."""
    state = PageServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = server.server_port
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def work(app) -> object:
    with app.app_context():
        return run_pass(owner="test-worker")


def capture_of(app, url: str) -> Capture:
    with app.app_context():
        capture = db.session.scalar(sa.select(Capture).where(Capture.url_canonical == url))
        db.session.expunge(capture)
        return capture


def case_section(app, case_id: int, lang: str | None = None) -> str:
    with app.test_request_context("/"):
        if lang:
            session["lang"] = lang
        case = db.session.get(Case, case_id)
        section = capture_section(case, None)  # what the case page's view passes
        return render_template_string(
            '{% include "capture/_case_section.html" %}', case=case, section=section
        )


PLAYS = {
    "instagram": (
        [("/p/1", b"", 302, {"Location": "/accounts/login/?next=/p/1"}),
         ("/accounts/login/", INSTAGRAM_LOGIN, 200, {})],
        "login_redirect",
    ),
    "facebook": ([("/p/1", FACEBOOK_MUST_LOG_IN, 200, {})], "login_text"),
    "x": (
        [("/p/1", b"", 302, {"Location": "/i/flow/login?redirect_after_login=%2Fp%2F1"}),
         ("/i/flow/login", X_NO_JS, 200, {})],
        "login_redirect",
    ),
    "tiktok": ([("/p/1", TIKTOK_LOGIN_DATA, 200, {})], "login_data"),
    "generic": ([("/p/1", GENERIC_LOGIN, 200, {})], "login_form"),
}  # fmt: skip


@pytest.mark.parametrize("platform", sorted(PLAYS))
def test_the_worker_records_a_login_wall_and_keeps_it_as_evidence(
    platform, capture_app, link_report, make_case, page_server
):
    pages, reason = PLAYS[platform]
    for path, body, status, headers in pages:
        page_server.play(path, body, status, **headers)
    hosts = {} if platform == "generic" else {platform: ["127.0.0.1"]}
    app = capture_app(CAPTURE_PLATFORM_HOSTS=hosts)
    made = make_case()
    url = page_server.url("/p/1")
    link_report(app, made.report_ids[0], url)
    assert work(app).captured == 1
    capture = capture_of(app, url)
    assert (capture.state, capture.wall_reason) == ("login_wall", reason)
    assert capture.wall_detail.startswith(platform + ":")
    assert (capture.liveness, capture.is_ok, capture.error) == ("login_wall", False, None)
    with app.app_context():  # what was fetched is kept: the wall is the evidence
        assert get_storage().get(capture.html_key) == pages[-1][1]
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.LIVENESS))
        assert job is not None  # checked again later (a session may show the post then)
    assert capture.manifest_fields["login_wall"]["reason"] == reason
    section = case_section(app, made.id, "en")
    assert "Login wall: the platform showed a login page instead of the post." in section
    assert "Screenshot of the captured post" not in section


def test_a_normal_post_on_a_platform_address_is_still_captured(
    capture_app, link_report, make_case, post_server
):
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"instagram": ["127.0.0.1"]})
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    capture = capture_of(app, post_server.url)
    assert (capture.state, capture.wall_reason, capture.liveness) == ("captured", None, "live")
    assert capture.is_ok and capture.manifest_fields["login_wall"] is None
    assert "Login wall" not in case_section(app, made.id, "en")


def test_the_case_page_says_login_wall_in_indonesian_and_english(
    capture_app, link_report, make_case, page_server
):
    page_server.play("/p/1", b"", 302, Location="/accounts/login/?next=/p/1")
    page_server.play("/accounts/login/", INSTAGRAM_LOGIN)
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"instagram": ["127.0.0.1"]})
    made = make_case()
    link_report(app, made.report_ids[0], page_server.url("/p/1"))
    work(app)
    english = case_section(app, made.id, "en")
    assert "Login wall: the platform showed a login page instead of the post." in english
    assert "The link was redirected to the login page." in english
    assert "Unknown: the platform showed a login page" in english  # the post's state
    indonesian = case_section(app, made.id)  # the default language
    assert "Dinding login: platform menampilkan halaman login, bukan postingannya." in indonesian, (
        indonesian
    )
    assert "Tautan dialihkan ke halaman login." in indonesian
    assert "instagram: sent to /accounts/login/ with next=" in indonesian


def make_due(app, capture_id: int) -> None:
    with app.app_context():
        job = db.session.scalar(
            sa.select(Job).where(Job.kind == JobKind.LIVENESS, Job.target == str(capture_id))
        )
        job.run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_liveness_never_reads_a_login_wall_as_removed_or_live(
    capture_app, link_report, make_case, page_server
):
    page_server.play("/p/1", INSTAGRAM_POST)
    page_server.play("/accounts/login/", INSTAGRAM_LOGIN)
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"instagram": ["127.0.0.1"]})
    made = make_case()
    url = page_server.url("/p/1")
    link_report(app, made.report_ids[0], url)
    work(app)
    capture = capture_of(app, url)
    assert (capture.state, capture.liveness) == ("captured", "live")
    # the platform now shows a login page at the post's own address (200, same URL)
    page_server.play("/p/1", INSTAGRAM_LOGIN)
    make_due(app, capture.id)
    assert work(app).checked == 1
    assert capture_of(app, url).liveness == "live"  # unchanged: the wall says nothing
    # ... then sends visitors to the login page
    page_server.play("/p/1", b"", 302, Location="/accounts/login/?next=/p/1")
    make_due(app, capture.id)
    work(app)
    with app.app_context():
        checks = db.session.scalars(sa.select(LivenessCheck).order_by(LivenessCheck.id)).all()
        assert [(c.state, c.is_change) for c in checks] == [
            ("login_wall", False),
            ("login_wall", False),
        ]
        assert db.session.get(Capture, capture.id).removed_at is None
    assert "Unknown: the platform showed a login page" in case_section(app, made.id, "en")


def test_a_wall_capture_becomes_live_when_a_check_sees_the_post(
    capture_app, link_report, make_case, page_server
):
    page_server.play("/p/1", b"", 302, Location="/accounts/login/?next=/p/1")
    page_server.play("/accounts/login/", INSTAGRAM_LOGIN)
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"instagram": ["127.0.0.1"]})
    made = make_case()
    url = page_server.url("/p/1")
    link_report(app, made.report_ids[0], url)
    work(app)
    capture = capture_of(app, url)
    assert capture.content_sha256 is None  # a wall is no baseline for the post
    page_server.play("/p/1", INSTAGRAM_POST)
    make_due(app, capture.id)
    work(app)
    assert page_server.seen[-1][0] == "/p/1"  # the post's address, not the login page's
    seen = capture_of(app, url)
    assert (seen.state, seen.liveness) == ("login_wall", "live")  # the capture stays a wall
    assert seen.content_sha256 is not None  # first sight of the post is the baseline now
    page_server.play("/p/1", b"<h1>Sorry, this page isn't available.</h1>", 404)
    make_due(app, capture.id)
    work(app)
    assert capture_of(app, url).liveness == "removed"


def test_judge_walls_marks_the_walls_among_captures_made_before_they_were_recognised(
    capture_app, link_report, make_case, page_server
):
    page_server.play("/p/1", b"", 302, Location="/accounts/login/?next=/p/1")
    page_server.play("/accounts/login/", INSTAGRAM_LOGIN)
    page_server.play("/p/2", INSTAGRAM_POST)
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"instagram": ["127.0.0.1"]})
    made = make_case()
    wall_url, post_url = page_server.url("/p/1"), page_server.url("/p/2")
    link_report(app, made.report_ids[0], wall_url)
    link_report(app, made.report_ids[0], post_url)
    work(app)
    with app.app_context():  # as the migration left a capture made before this feature
        old = db.session.scalar(sa.select(Capture).where(Capture.url_canonical == wall_url))
        old.state, old.wall_reason, old.wall_detail = "captured", None, None
        old.liveness, old.content_sha256 = "live", old.html_sha256
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["capture", "judge-walls"])
    assert "Looked at 2 captures: 1 were login walls." in result.output, result.output
    judged = capture_of(app, wall_url)
    assert (judged.state, judged.wall_reason, judged.liveness) == (
        "login_wall",
        "login_redirect",
        "login_wall",
    )
    assert judged.content_sha256 is None
    assert capture_of(app, post_url).state == "captured"
    again = app.test_cli_runner().invoke(args=["capture", "judge-walls"])
    assert "Looked at 1 captures: 0 were login walls." in again.output


def test_the_bundle_summary_says_the_capture_is_a_login_wall(
    capture_app, link_report, make_case, page_server, make_user, login_as
):
    page_server.play("/p/1", FACEBOOK_MUST_LOG_IN)
    app = capture_app(CAPTURE_PLATFORM_HOSTS={"facebook": ["127.0.0.1"]})
    made = make_case()
    link_report(app, made.report_ids[0], page_server.url("/p/1"))
    work(app)
    officer = app.test_client()
    login_as(officer, make_user(role="officer"))
    response = officer.get(f"/petugas/kasus/{made.id}/bundel.zip")
    assert response.status_code == 200
    summary = zipfile.ZipFile(io.BytesIO(response.data)).read("ringkasan.html").decode()
    assert "Dinding login: platform menampilkan halaman login, bukan postingannya." in summary
    assert "Halaman meminta pengunjung untuk login." in summary
