"""A real `flask worker` process lives through outages and then sends every mail exactly once:
the SQLite file locked under it, the SMTP server down, PostgreSQL's connections killed."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.worker.models import WorkerHeartbeat
from tests.conftest import PG_URL, Inbox, free_port
from tests.fixtures.intake import post_report

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 3  # a message whose delivery went unrecorded would be sent again after this
LOCK_SECONDS = 8
sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="locks the SQLite file")
postgresql_only = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


def start_worker(app, log: Path, smtp_port: int, **env: str) -> subprocess.Popen:
    """`flask worker` in a process of its own, as `make run` starts it, logging to `log`."""
    environ = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL",)}
    environ.update(
        {
            "PORTAL_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PORTAL_SECRET_KEY": "test-secret",
            "PORTAL_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "PORTAL_MAIL_SERVER": "127.0.0.1",
            "PORTAL_MAIL_PORT": str(smtp_port),
            "PORTAL_MAIL_DEFAULT_SENDER": "portal@example.test",
            "PORTAL_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "PORTAL_CAPTURE_SCREENSHOT": "false",
            "PORTAL_LOG_LEVEL": "INFO",
            **env,
        }
    )
    flask = Path(sys.executable).with_name("flask")
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(flask), "--app", "app", "worker", "--interval", "0.2"],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(check, what: str, log: Path, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()}")


def stop(worker: subprocess.Popen) -> int:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise


def outbox(app) -> list[tuple[str, bool]]:
    """Every message: (recipient, is it recorded as sent)."""
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.sent_at))
        return [(recipient, sent_at is not None) for recipient, sent_at in rows]


def delivered(inbox: Inbox) -> Counter:
    return Counter(rcpt for envelope in list(inbox.envelopes) for rcpt in envelope.rcpt_tos)


def heartbeat(app) -> WorkerHeartbeat | None:
    with app.app_context():
        row = db.session.scalar(
            sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc())
        )
        if row is not None:
            db.session.expunge(row)
        return row


def drained_and_settled(app, inbox: Inbox, log: Path, worker: subprocess.Popen) -> None:
    """Wait until every message is recorded as sent and delivered, then until the worker has
    gone on for longer than a lease: a delivery it failed to record would have come back."""
    wait_for(lambda: all(sent for _, sent in outbox(app)), "every message recorded", log, 120)
    wait_for(lambda: sum(delivered(inbox).values()) >= len(outbox(app)), "the deliveries", log)
    settled = utcnow() + timedelta(seconds=LEASE_SECONDS + 1)
    wait_for(lambda: seen_since(app, settled), "passes after a lease", log)
    assert worker.poll() is None, log.read_text()


def seen_since(app, moment) -> bool:
    beat = heartbeat(app)
    return beat is not None and beat.last_seen_at > moment


class LockingInbox(Inbox):
    """A real SMTP server that, when the `at`-th message arrives and before accepting it, has
    another connection take the SQLite write lock (BEGIN EXCLUSIVE) for `seconds`: the worker
    has handed the message over and cannot record that it did. Inside that transaction a few
    more receipts are queued (`late`), as a slow request would; they appear on release."""

    def __init__(self, path: str, *, at: int, seconds: float, late: int) -> None:
        super().__init__()
        self.path, self.at, self.seconds, self.late = path, at, seconds, late
        self.locked, self.released = threading.Event(), threading.Event()
        self.timer: threading.Timer | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.envelopes) == self.at:
            self._lock()
        return reply

    def _lock(self) -> None:
        conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        conn.isolation_level = None
        conn.execute("BEGIN EXCLUSIVE")
        for n in range(self.late):
            conn.execute(
                "INSERT INTO outbox_message (kind, recipient, subject, body_text, body_html,"
                " created_at, attempts, next_attempt_at) SELECT kind, ?, subject, body_text,"
                " body_html, created_at, 0, next_attempt_at FROM outbox_message WHERE id = 1",
                (f"susulan{n}@example.com",),
            )
        self.locked.set()

        def release() -> None:
            conn.execute("COMMIT")
            conn.close()
            self.released.set()

        self.timer = threading.Timer(self.seconds, release)
        self.timer.start()


@sqlite_only
def test_a_locked_database_neither_ends_the_worker_nor_duplicates_mail(
    app, client, report_form, make_user, login_as, tmp_path
):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    inbox = LockingInbox(path, at=3, seconds=LOCK_SECONDS, late=5)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    for n in range(20):  # residents file reports with an email address: 20 receipts wait
        data = report_form(links="", contact_email=f"warga{n}@example.com")
        assert post_report(client, data).status_code == 303
    log = tmp_path / "worker.log"
    worker = start_worker(app, log, controller.port, PORTAL_SQLITE_BUSY_TIMEOUT_MS="1000")
    try:
        assert inbox.locked.wait(60), log.read_text()
        wait_for(lambda: "database is locked" in log.read_text(), "the worker to hit it", log)
        assert inbox.released.wait(LOCK_SECONDS + 30)
        assert worker.poll() is None, log.read_text()  # it lived through the lock
        drained_and_settled(app, inbox, log, worker)
        login_as(client, make_user(role="admin", team=None))
        page = client.get("/petugas/admin/pekerja").text
    finally:
        code = stop(worker)
        if inbox.timer:
            inbox.timer.join()
        controller.stop()
    assert code == 0, log.read_text()  # only SIGTERM ended it, cleanly
    queued = Counter(recipient for recipient, _ in outbox(app))
    assert len(queued) == 25 and set(queued.values()) == {1}
    assert delivered(inbox) == queued  # every mail once: none lost, none twice
    assert "1 pekerja latar sedang berjalan." in page
    assert "database is locked" in page


def test_a_dead_smtp_server_delays_mail_and_loses_none(
    app, queue_news, dead_port, start_smtp, tmp_path
):
    with app.app_context():
        for n in range(10):
            queue_news(to=f"warga{n}@example.test")
    log = tmp_path / "worker.log"
    worker = start_worker(
        app,
        log,
        dead_port,
        PORTAL_OUTBOX_BACKOFF_SECONDS="1",
        PORTAL_OUTBOX_BACKOFF_MAX_SECONDS="2",
        PORTAL_OUTBOX_MAX_ATTEMPTS="1000",
    )
    inbox = Inbox()
    try:
        wait_for(lambda: failed_sends(app) >= 3, "failed sends", log)
        assert worker.poll() is None, log.read_text()
        start_smtp(dead_port, inbox)  # the mail server comes back
        drained_and_settled(app, inbox, log, worker)
    finally:
        code = stop(worker)
    assert code == 0, log.read_text()
    assert delivered(inbox) == Counter(f"warga{n}@example.test" for n in range(10))


def failed_sends(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.last_error.is_not(None))
        )


@postgresql_only
def test_postgresql_connections_killed_under_the_worker_are_survived(
    app, queue_news, smtp_server, tmp_path
):
    """pg_terminate_backend on every connection of the worker, again and again while mail is
    queued and sent (as a PostgreSQL restart does): it reconnects and drains, once each."""
    controller, inbox = smtp_server
    tag = f"portal-worker-outage-{os.getpid()}"
    with app.app_context():
        for n in range(10):
            queue_news(to=f"warga{n}@example.test")
    log = tmp_path / "worker.log"
    options = {"pool_pre_ping": True, "connect_args": {"application_name": tag}}
    worker = start_worker(
        app, log, controller.port, PORTAL_SQLALCHEMY_ENGINE_OPTIONS=json.dumps(options)
    )
    kill = sa.text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE application_name = :tag AND pid <> pg_backend_pid()"
    )
    killed = 0
    try:
        wait_for(lambda: heartbeat(app) is not None, "the worker's first heartbeat", log)
        for n in range(20):
            with app.app_context():
                queue_news(to=f"susulan{n}@example.test")
                killed += db.session.scalar(kill, {"tag": tag})
                db.session.commit()
            time.sleep(0.25)
        assert worker.poll() is None, log.read_text()
        drained_and_settled(app, inbox, log, worker)
    finally:
        code = stop(worker)
    assert killed > 0
    assert code == 0, log.read_text()
    queued = Counter(recipient for recipient, _ in outbox(app))
    assert len(queued) == 30 and delivered(inbox) == queued
    # With pool_pre_ping most killed connections are replaced before use, so the worker may
    # not even see an error: what counts is that it lived and sent each mail once.
