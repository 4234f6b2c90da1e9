"""Storage faults (disk full, read-only, no permission, object store unreachable or refusing):
the resident gets a 503 in their language with their answers back, nothing is stored, and the
operators get one log line naming the fault, without personal data.

Real mechanisms where the machine allows: a full tmpfs and a read-only mount (tests run as
root, so permissions cannot fail a write: EACCES comes from a backend whose write raises the
real OSError), S3 on a closed port and behind a server that answers 500 or 403."""

import errno
import io
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask

from portal.db import db
from portal.evidence.storage import EXTENSION_KEY, LocalStorage
from tests.conftest import free_port
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

MESSAGE_ID = "Tangkapan layar Anda tidak dapat disimpan saat ini"
PERSONAL = ("warga@example.com", "Diskominfo Kota Lubuk Linggau", "layar-1.png")


def loaded(app: Flask) -> Flask:
    from portal.reference.operations import load_reference_data

    with app.app_context():
        load_reference_data()
        db.session.commit()
    return app


@pytest.fixture
def mount(tmp_path: Path) -> Iterator:
    """mount(options) -> a fresh tmpfs folder mounted with those options (skips if not root)."""
    mounted: list[Path] = []

    def do(options: str) -> Path:
        folder = tmp_path / f"mnt{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        return folder

    yield do
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Write until the file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as err:
        assert err.errno == errno.ENOSPC
    finally:
        os.close(fd)


def files_under(folder: str | Path) -> list[str]:
    return sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def assert_refused_and_told(app: Flask, report_form, caplog, fault: str) -> None:
    """A report is refused with a 503 that says so and keeps the answers; no row, no file;
    one log line naming `fault`, and no personal data logged."""
    folder = app.config["UPLOAD_FOLDER"]
    before = files_under(folder) if Path(folder).exists() else []
    with caplog.at_level(logging.INFO):
        response = post_report(app.test_client(), report_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert MESSAGE_ID in page
    assert "Diskominfo Kota Lubuk Linggau" in page and 'id="files-lost"' in page
    with app.app_context():
        for table in ("report", "evidence", "case", "outbox_message"):
            count = db.session.execute(db.text(f'SELECT count(*) FROM "{table}"')).scalar()
            assert count == 0, table
    if Path(folder).exists():
        assert files_under(folder) == before
    lines = warnings_logged(caplog)
    assert len(lines) == 1 and fault in lines[0], lines
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(value in logged for value in PERSONAL)


def test_a_full_disk_is_a_503_and_stores_nothing(make_app, mount, report_form, caplog):
    folder = mount("size=64k")
    fill(folder)
    app = loaded(make_app(UPLOAD_FOLDER=str(folder)))
    assert_refused_and_told(app, report_form, caplog, "ENOSPC")


def test_a_read_only_folder_is_a_503(make_app, mount, report_form, caplog):
    folder = mount("ro,size=1m")
    app = loaded(make_app(UPLOAD_FOLDER=str(folder)))
    assert_refused_and_told(app, report_form, caplog, "EROFS")


class NoPermission(LocalStorage):
    """A folder the portal may not write to (root ignores permission bits, so the write
    itself raises what the kernel would)."""

    def _write(self, path: Path, data: bytes) -> None:
        raise OSError(errno.EACCES, "Permission denied", str(path))


def test_no_permission_to_write_is_a_503(app, report_form, caplog):
    app.extensions[EXTENSION_KEY] = NoPermission(app.config["UPLOAD_FOLDER"])
    assert_refused_and_told(app, report_form, caplog, "EACCES")


def test_a_storage_fault_on_a_reply_keeps_the_text_and_stores_nothing(app, report_form, caplog):
    client = app.test_client()
    receipt = post_report(client, report_form(), follow=True)
    client.post("/lacak", data={"code": code_on(receipt.get_data(as_text=True))})
    before = files_under(app.config["UPLOAD_FOLDER"])
    app.extensions[EXTENSION_KEY] = NoPermission(app.config["UPLOAD_FOLDER"])
    response = client.post(
        "/lacak/balas",
        data={
            "body": "Bukti tambahan dari saya.",
            "screenshots": [(io.BytesIO(png(color=(9, 9, 9))), "lagi.png")],
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert MESSAGE_ID in page and "Bukti tambahan dari saya." in page
    assert files_under(app.config["UPLOAD_FOLDER"]) == before
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM message")).scalar() == 0


# S3 -------------------------------------------------------------------------------------------


def s3_app(make_app, endpoint: str) -> Flask:
    return loaded(
        make_app(
            STORAGE_BACKEND="s3",
            S3_ENDPOINT_URL=endpoint,
            S3_BUCKET="portal-test",
            S3_ACCESS_KEY="portal",
            S3_SECRET_KEY="portal-secret",
        )
    )


def test_an_unreachable_object_store_is_a_503(make_app, report_form, caplog):
    app = s3_app(make_app, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert_refused_and_told(app, report_form, caplog, "unreachable")
    app.extensions[EXTENSION_KEY].client.close()


class Refusing(BaseHTTPRequestHandler):
    status = 500

    def do_PUT(self) -> None:  # noqa: N802 (http.server's API)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = (
            f"<?xml version='1.0'?><Error><Code>{self.code_name}</Code>"
            "<Message>refused</Message></Error>"
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT

    @property
    def code_name(self) -> str:
        return {500: "InternalError", 403: "AccessDenied"}[self.status]

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "fault"), [(500, "HTTP 500"), (403, "HTTP 403")])
def test_an_object_store_that_refuses_is_a_503(make_app, report_form, caplog, status, fault):
    handler = type("Handler", (Refusing,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        app = s3_app(make_app, f"http://127.0.0.1:{server.server_port}")
        assert_refused_and_told(app, report_form, caplog, fault)
        app.extensions[EXTENSION_KEY].client.close()  # its pooled connection to the server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
