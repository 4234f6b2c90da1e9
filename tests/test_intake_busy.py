"""A busy database: the resident gets a 503 with Retry-After, their answers back and nothing
half-stored; the write lock is taken only by the unit of work, after the files are stored."""

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.db import db, unit_of_work
from portal.evidence.storage import EXTENSION_KEY, LocalStorage
from portal.intake.models import Report
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

BUSY_MS = 200  # a short busy timeout keeps these tests quick; the real one is 5 s


def database_path(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another connection (another process, as far as SQLite knows) holds the write lock."""
    other = sqlite3.connect(database_path(app), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def can_take_write_lock(path: str) -> bool:
    """Whether another connection could take the write lock right now (without waiting)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def busy_app(make_app):
    from portal.reference.operations import load_reference_data

    app = make_app(SQLITE_BUSY_TIMEOUT_MS=BUSY_MS)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") is False:
        pytest.skip("the write lock is SQLite's")
    with app.app_context():
        load_reference_data()
        db.session.commit()
    return app


def test_a_report_while_the_database_is_busy_is_a_503_that_keeps_the_answers(
    busy_app, report_form, stored
):
    client = busy_app.test_client()
    data = report_form()
    with write_lock_held(busy_app):
        response = post_report(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Portal sedang sibuk dan kiriman Anda belum tersimpan" in page  # Indonesian first
    assert "Diskominfo Kota Lubuk Linggau" in page  # the answers are back on the form
    assert 'id="files-lost"' in page  # and it says the files must be chosen again
    assert stored() == {"reports": 0, "evidence": 0, "links": 0, "files": []}

    again = post_report(client, report_form(idempotency_key=data["idempotency_key"]))
    assert again.status_code == 303  # once the lock is released, the same form goes through
    assert stored()["reports"] == 1 and stored()["evidence"] == 2


def test_the_busy_message_is_in_english_for_an_english_visitor(busy_app, report_form):
    client = busy_app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "en"
    data = report_form()
    with write_lock_held(busy_app):
        response = post_report(client, data)
    assert response.status_code == 503
    assert "The portal is busy right now" in response.get_data(as_text=True)


def test_a_reply_while_busy_is_a_503_and_leaves_no_message_and_no_file(
    busy_app, report_form, stored
):
    client = busy_app.test_client()
    receipt = post_report(client, report_form(), follow=True)
    assert client.post("/lacak", data={"code": code_on(receipt.get_data(as_text=True))})
    before = stored()
    with write_lock_held(busy_app):
        response = client.post(
            "/lacak/balas",
            data={
                "body": "Ini tangkapan layar tambahan dari saya.",
                "screenshots": [(io.BytesIO(png(color=(1, 2, 3))), "tambahan.png")],
            },
            content_type="multipart/form-data",
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "Portal sedang sibuk" in page
    assert "Ini tangkapan layar tambahan dari saya." in page  # the reply text is kept
    assert "silakan lampirkan tangkapan layar lagi" in page
    assert stored() == before
    with busy_app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM message")) == 0


def test_an_open311_post_while_busy_is_a_503_in_its_format_with_retry_after(busy_app, api_key):
    from tests.test_open311 import FORM

    client = busy_app.test_client()
    with write_lock_held(busy_app):
        response = client.post("/open311/v2/requests.json", data={**FORM, "api_key": api_key})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()[0]["code"] == 503
    assert (
        "busy" in response.get_json()[0]["description"]
        or "sibuk" in (response.get_json()[0]["description"])
    )
    with busy_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_any_other_page_that_writes_answers_503_with_retry_after(busy_app, make_user, log_in):
    user = make_user()
    client = busy_app.test_client()
    with write_lock_held(busy_app):
        response = log_in(client, user.email)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "Portal sedang sibuk" in response.get_data(as_text=True)
    assert log_in(client, user.email).status_code == 303  # and it works once the lock is gone


class LockProbe(LocalStorage):
    """Local storage that, at every write, checks whether another writer could get in."""

    def __init__(self, root: str, database: str) -> None:
        super().__init__(root)
        self.database = database
        self.lock_free_at_put: list[bool] = []

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.lock_free_at_put.append(can_take_write_lock(self.database))
        super().put(key, data, content_type)


def test_the_write_lock_is_free_while_screenshots_are_processed_and_stored(
    busy_app, report_form, stored
):
    probe = LockProbe(busy_app.config["UPLOAD_FOLDER"], database_path(busy_app))
    busy_app.extensions[EXTENSION_KEY] = probe
    response = post_report(busy_app.test_client(), report_form())
    assert response.status_code == 303
    assert probe.lock_free_at_put == [True] * 6  # 2 screenshots x (sealed, clean, thumbnail)
    assert stored()["evidence"] == 2


def test_a_report_takes_the_write_lock_at_its_first_write(busy_app, report_form):
    """Hashing the form's marks and reading back what the request had read before the unit of
    work come after the lock is taken only if they must: the lock's first statement writes."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(" ".join(statement.split()[:2]).upper())

    client = busy_app.test_client()
    assert post_report(client, report_form()).status_code == 303  # warm: reference data read
    with busy_app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert post_report(client, report_form()).status_code == 303
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    locked = statements[statements.index("BEGIN IMMEDIATE") + 1 :]
    assert locked[0].split()[0] in ("UPDATE", "INSERT"), statements


def test_a_unit_of_work_holds_the_write_lock_and_a_request_read_does_not(busy_app):
    path = database_path(busy_app)
    with busy_app.test_request_context("/lapor", method="POST"):
        db.session.execute(sa.text("SELECT count(*) FROM report")).scalar()
        assert can_take_write_lock(path)  # the request's read began plain
        with unit_of_work():
            db.session.execute(sa.text("SELECT count(*) FROM report")).scalar()
            assert not can_take_write_lock(path)  # the unit began IMMEDIATE
        assert can_take_write_lock(path)


def test_outside_a_request_cli_and_worker_transactions_still_take_the_write_lock(busy_app):
    path = database_path(busy_app)
    with busy_app.app_context():
        db.session.execute(sa.text("SELECT 1")).scalar()
        assert not can_take_write_lock(path)
        db.session.rollback()
        with unit_of_work():
            db.session.execute(sa.text("SELECT 1")).scalar()
            assert not can_take_write_lock(path)
