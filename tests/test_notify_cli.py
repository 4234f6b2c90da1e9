"""`flask outbox send / list / retry`, and the sender loop that `make run` starts."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.notify.operations import send_pending

ROOT = Path(__file__).resolve().parent.parent


def test_send_once_prints_counts_and_delivers(mail_app, queue_news):
    with mail_app.app_context():
        queue_news()
        queue_news(to="budi@example.test")
    result = mail_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0, given up 0" in result.output
    assert len(mail_app.inbox.envelopes) == 2


def test_purge_deletes_old_sent_mail_and_keeps_the_rest(mail_app, queue_news):
    with mail_app.app_context():
        old = queue_news()
        send_pending()
        db.session.get(OutboxMessage, old).sent_at = utcnow() - timedelta(days=40)
        db.session.commit()
        recent = queue_news()
        send_pending()
        waiting = queue_news()
    runner = mail_app.test_cli_runner()
    assert (
        runner.invoke(args=["outbox", "purge", "--days", "30"]).output.strip()
        == "1 sent emails deleted."
    )
    with mail_app.app_context():
        assert db.session.get(OutboxMessage, old) is None
        assert db.session.get(OutboxMessage, recent) is not None
        assert db.session.get(OutboxMessage, waiting) is not None


def test_list_shows_failed_mail_masked_and_retry_makes_it_due(make_app, dead_port, queue_news):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=dead_port,
        MAIL_SUPPRESS_SEND=False,
        OUTBOX_MAX_ATTEMPTS=1,
    )
    with app.app_context():
        message_id = queue_news(to="rahmat@example.test")
        assert send_pending().given_up == 1
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["outbox", "list", "--failed"]).output
    assert f"{message_id}" in listed and "r***@example.test" in listed
    assert "rahmat" not in listed
    assert "attempts 1" in listed
    assert (
        runner.invoke(args=["outbox", "retry", "--all-failed"]).output.strip()
        == "1 emails due now."
    )
    assert "No failed emails." in runner.invoke(args=["outbox", "list", "--failed"]).output
    with app.app_context():
        assert send_pending(now=utcnow() + timedelta(seconds=1)).given_up == 1  # still down


def test_sender_loop_delivers_and_stops_cleanly_on_sigterm(mail_app, queue_news):
    env = {
        **os.environ,
        "DATABASE_URL": mail_app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_SECRET_KEY": "loop-test",
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(mail_app.config["MAIL_PORT"]),
        "PORTAL_MAIL_DEFAULT_SENDER": "portal@example.test",
    }
    sender = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "outbox",
            "send",
            "--loop",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with mail_app.app_context():
            queue_news(language="en")
        deadline = time.monotonic() + 30
        while not mail_app.inbox.envelopes and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(mail_app.inbox.envelopes) == 1
        sender.send_signal(signal.SIGTERM)
        out, err = sender.communicate(timeout=30)
    finally:
        if sender.poll() is None:
            sender.kill()
    assert sender.returncode == 0, err
    assert "sent 1" in out
    assert "Outbox sender stopped." in out
