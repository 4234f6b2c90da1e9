"""The screenshot: real Chromium renders the fetched HTML, and cannot reach refused addresses."""

import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.capture.fetch import FetchPolicy
from portal.capture.models import Capture
from portal.capture.screenshot import NOT_INSTALLED, render_screenshot
from portal.db import db

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

pytest_plugins = ("tests.fixtures.capture",)
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium"
)


@pytest.fixture
def bystander():
    """A second local server that the captured page tries to reach; records what it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, hits
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@needs_chromium
def test_chromium_renders_the_post_with_its_image_through_the_fetcher(post_server, bystander):
    port, hits = bystander
    html = post_server.html.replace(
        b"</body>",
        f"<img src='http://127.0.0.1:{port}/secret'><iframe src='http://localhost:"
        f"{port}/frame'></iframe></body>".encode(),
    ).replace(b"<head>", b"<head><meta http-equiv='refresh' content='0;url=/refreshed'>")
    policy = FetchPolicy(
        allow_hosts=(f"127.0.0.1:{post_server.port}",),
        ports=(80, 443, post_server.port, port),
        timeout=5,
    )
    shot = render_screenshot(
        html, base_url=post_server.url, chromium_path=CHROMIUM, policy=policy, timeout=20
    )
    assert shot.note is None
    image = Image.open(io.BytesIO(shot.png))
    assert image.format == "PNG" and image.width == 1280
    assert "/gambar.png" in post_server.requests  # the post's own image, via the fetcher
    assert hits == []  # the page's requests to another local address were refused
    assert "/refreshed" not in post_server.requests  # nor may it navigate away
    # the blue 200x120 image of the post is on the screenshot
    colours = image.convert("RGB").getcolors(1280 * 2000)
    assert any(rgb == (20, 120, 200) and count > 1000 for count, rgb in colours)


def test_without_chromium_the_capture_keeps_everything_but_the_screenshot(
    capture_app, link_report, make_case, post_server
):
    app = capture_app(CAPTURE_SCREENSHOT=True, CHROMIUM_PATH="/nonexistent/chromium")
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    from portal.worker.loop import run_pass

    with app.app_context():
        assert run_pass(owner="t").captured == 1
        capture = db.session.scalar(sa.select(Capture))
        assert capture.screenshot_note == NOT_INSTALLED
        assert (capture.screenshot_key, capture.status_code) == (None, 200)
        assert capture.html_sha256 and capture.headers_sha256


@needs_chromium
def test_the_worker_stores_a_real_screenshot_with_its_hash(
    capture_app, link_report, make_case, post_server
):
    import hashlib

    app = capture_app(CAPTURE_SCREENSHOT=True)
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    from portal.evidence.storage import get_storage
    from portal.worker.loop import run_pass

    with app.app_context():
        run_pass(owner="t")
        capture = db.session.scalar(sa.select(Capture))
        png = get_storage().get(capture.screenshot_key)
        assert png.startswith(b"\x89PNG")
        assert hashlib.sha256(png).hexdigest() == capture.screenshot_sha256
        assert capture.screenshot_size == len(png)
