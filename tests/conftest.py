"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a temporary upload folder, reference data, a real SMTP server, and a live server for Chromium."""

import os
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from portal import create_app
from portal.db import db
from tests.fixtures.database import PostgresReset, SqliteTemplates, load_reference_rows
from tests.fixtures.routing import build_urls_on_first_use

build_urls_on_first_use()

pytest_plugins = [
    f"tests.fixtures.{area}"
    for area in (
        "accounts",
        "intake",
        "evidence",
        "cases",
        "notify",
        "public",
        "proof",
        "identity",
        "formal",
    )
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


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass (TEST_DATABASE_URL set) leaves out the tests marked `nodb` that build
    no app: they ran in the SQLite pass and would meet no database here. A test that asks for
    `make_app` (or `app`, ...) always runs, marked or not."""
    if not PG_URL:
        return
    left_out = [
        item
        for item in items
        if item.get_closest_marker("nodb") and "make_app" not in item.fixturenames
    ]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        kept = set(left_out)
        items[:] = [item for item in items if item not in kept]


def _database_url(tmp_path) -> str:
    return PG_URL or f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def _test_config(tmp_path, **overrides) -> dict:
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
    return config


_postgres = PostgresReset()


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory) -> SqliteTemplates:
    """The session's template database files (tests/fixtures/database.py)."""
    folder = tmp_path_factory.mktemp("templates")
    return SqliteTemplates(folder)


@pytest.fixture
def make_app(tmp_path, _sqlite_templates):
    """Build an app with test settings on a fresh database; keyword arguments override them.

    make_app.with_reference_data(**overrides): the same, with the reference data loaded.
    Only the first app of a test gets the fresh database; later ones share it.
    """
    apps = []

    def build(overrides, *, seeded: bool):
        config = _test_config(tmp_path, **overrides)
        fresh = not apps
        sqlite_file = tmp_path / "portal.sqlite3"
        copied = (
            fresh
            and not PG_URL
            and config["SQLALCHEMY_DATABASE_URI"] == _database_url(tmp_path)
            and not sqlite_file.exists()
        )
        if copied:
            _sqlite_templates.copy_to(
                sqlite_file,
                lambda uri: create_app(
                    _test_config(_sqlite_templates.folder, SQLALCHEMY_DATABASE_URI=uri)
                ),
                seeded=seeded,
            )
        app = create_app(config)
        apps.append(app)
        if fresh and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _postgres.prepare(app, seeded=seeded)
        elif not copied:
            with app.app_context():
                if fresh:
                    db.create_all()
                if seeded:
                    load_reference_rows()
        return app

    def factory(**overrides):
        return build(overrides, seeded=False)

    factory.with_reference_data = lambda **overrides: build(overrides, seeded=True)
    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app with reference data loaded."""
    return make_app.with_reference_data()


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
    app = make_app.with_reference_data(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False
    )
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
