"""Sending captured links to a public web archive (a Save Page Now 2 endpoint), played here by a
local server: off by default, the archive's copy kept on the capture, a refusal kept as such."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.test_capture_loginwall import capture_of, case_section, work

pytest_plugins = ("tests.fixtures.capture",)
TIMESTAMP = "20261202013000"


class ArchiveServer:
    """What the archive answers: `mode` is success, refuse, busy or pending."""

    def __init__(self) -> None:
        self.mode = "success"
        self.submitted: list[tuple[str, str | None]] = []  # (url, Authorization)
        self.polls = 0
        self.endpoint = ""


def _handler(state: ArchiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _json(self, status: int, answer: dict) -> None:
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            url = form["url"][0]
            state.submitted.append((url, self.headers.get("Authorization")))
            if state.mode == "refuse":
                return self._json(
                    200, {"status": "error", "status_ext": "error:blocked-url", "message": "?"}
                )
            if state.mode == "busy":
                return self._json(
                    429, {"status": "error", "status_ext": "error:too-many-daily-captures"}
                )
            return self._json(200, {"url": url, "job_id": "spn2-9c17e047"})

        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/save/status/spn2-9c17e047":
                return self._json(404, {})
            state.polls += 1
            if state.mode == "pending" or state.polls == 1:
                return self._json(200, {"status": "pending", "job_id": "spn2-9c17e047"})
            original = state.submitted[-1][0]
            return self._json(
                200,
                {"status": "success", "timestamp": TIMESTAMP, "original_url": original},
            )

    return Handler


@pytest.fixture
def archive_server():
    state = ArchiveServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.endpoint = f"http://127.0.0.1:{server.server_port}/save"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def archiving_app(capture_app, archive_server, **overrides):
    return capture_app(
        CAPTURE_ARCHIVE_ENDPOINT=archive_server.endpoint,
        CAPTURE_ARCHIVE_AUTH="myaccesskey:mysecret",
        CAPTURE_ARCHIVE_POLL_SECONDS=0.05,
        **overrides,
    )


def test_nothing_is_sent_to_an_archive_by_default(
    capture_app, link_report, make_case, post_server, archive_server
):
    app = capture_app()
    link_report(app, make_case().report_ids[0], post_server.url)
    assert work(app).captured == 1
    assert archive_server.submitted == []
    capture = capture_of(app, post_server.url)
    assert (capture.archive_url, capture.archive_error) == (None, None)


def test_the_archives_copy_is_kept_on_the_capture_and_shown(
    capture_app, link_report, make_case, post_server, archive_server
):
    app = archiving_app(capture_app, archive_server)
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    assert work(app).captured == 1
    assert archive_server.submitted == [(post_server.url, "LOW myaccesskey:mysecret")]
    assert archive_server.polls == 2  # pending, then success
    capture = capture_of(app, post_server.url)
    copy = f"{archive_server.endpoint.removesuffix('/save')}/web/{TIMESTAMP}/{post_server.url}"
    assert (capture.archive_url, capture.archive_error) == (copy, None)
    assert capture.archived_at is not None and capture.state == "captured"
    assert capture.manifest_fields["archive_url"] == copy
    section = case_section(app, made.id, "en")
    assert f'href="{copy}"' in section and "Web archive" in section
    assert "Arsip web" in case_section(app, made.id)


@pytest.mark.parametrize(
    ("mode", "error"),
    [("refuse", "error:blocked-url"), ("busy", "error:too-many-daily-captures")],
)
def test_an_archive_refusal_is_kept_and_the_capture_stands(
    capture_app, link_report, make_case, post_server, archive_server, mode, error
):
    archive_server.mode = mode
    app = archiving_app(capture_app, archive_server)
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    assert work(app).captured == 1
    capture = capture_of(app, post_server.url)
    assert (capture.state, capture.archive_url, capture.archive_error) == ("captured", None, error)
    assert f"Not saved: {error}" in case_section(app, made.id, "en")
    assert f"Tidak tersimpan: {error}" in case_section(app, made.id)


def test_an_archive_still_pending_at_the_time_limit_is_recorded_as_such(
    capture_app, link_report, make_case, post_server, archive_server
):
    archive_server.mode = "pending"
    app = archiving_app(capture_app, archive_server, CAPTURE_ARCHIVE_TIMEOUT=0.5)
    link_report(app, make_case().report_ids[0], post_server.url)
    work(app)
    capture = capture_of(app, post_server.url)
    assert capture.archive_error == "still pending at the time limit"
    assert archive_server.polls >= 1


def test_an_address_the_fetcher_refused_is_not_sent_to_the_archive(
    capture_app, link_report, make_case, post_server, archive_server
):
    app = archiving_app(capture_app, archive_server, CAPTURE_ALLOW_PRIVATE=False)
    app.config["CAPTURE_ALLOWED_PORTS"] = (80, 443, post_server.port)  # only the address fails
    link_report(app, make_case().report_ids[0], post_server.url)  # a loopback address
    work(app)
    assert capture_of(app, post_server.url).error == "blocked_address"
    assert archive_server.submitted == []
