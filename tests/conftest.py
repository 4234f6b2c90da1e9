"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a temporary upload folder, reference data, a real SMTP server, and a live server for Chromium."""

import os
import re
import socket
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from portal import create_app
from portal.db import db

pytest_plugins = [
    f"tests.fixtures.{area}"
    for area in ("accounts", "intake", "evidence", "cases", "notify", "public", "proof")
]

PG_URL = os.environ.get("TEST_DATABASE_URL")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _database_url(tmp_path) -> str:
    return PG_URL or f"sqlite:///{tmp_path / 'portal.sqlite3'}"


_pg_schema_ready = False


def _fresh_schema(app) -> None:
    """SQLite: a new file per test. PostgreSQL: the schema once, emptied before each test."""
    global _pg_schema_ready
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            db.create_all()
            return
        if not _pg_schema_ready:
            db.drop_all()
            db.create_all()
            _pg_schema_ready = True
            return
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def make_app(tmp_path):
    """Build an app with test settings; keyword arguments override them."""
    apps = []

    def factory(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "MAIL_DEFAULT_SENDER": "Portal <portal@example.test>",
            "SERVER_NAME": None,
        }
        config.update(overrides)
        app = create_app(config)
        if not apps:
            _fresh_schema(app)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app with reference data loaded."""
    app = make_app()
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    """Run the test body inside an app context (for calling operations directly)."""
    with app.app_context():
        yield app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the real SMTP server received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        import email
        from email import policy

        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    """A real aiosmtpd server on a free port; yields (controller, inbox)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app whose mail really goes to the aiosmtpd server."""
    controller, inbox = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        from portal.reference.operations import load_reference_data

        load_reference_data()
        db.session.commit()
    app.inbox = inbox
    return app


# Browser tests -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: Debian's chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_server(app):
    """The app served by a real threaded WSGI server on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def csrf_token_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)
