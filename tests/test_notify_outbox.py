"""The outbox: mail is written with the change, sent after commit, retried, never lost."""

import errno
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.notify.operations import send_pending

REFUSED = f"ConnectionRefusedError: [Errno {errno.ECONNREFUSED}] Connection refused"


def _bodies(msg):
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def test_news_email_arrives_in_indonesian_with_text_and_html(mail_app, queue_news):
    with mail_app.app_context():
        queue_news(to="siti@example.test", language="id", reference="ADU-2026-000123")
        assert mail_app.inbox.messages() == []  # queued, not sent
        stats = send_pending()
    assert (stats.sent, stats.failed, stats.given_up) == (1, 0, 0)
    [envelope] = mail_app.inbox.envelopes
    assert envelope.rcpt_tos == ["siti@example.test"]
    assert envelope.mail_from == "portal@example.test"
    [msg] = mail_app.inbox.messages()
    assert msg["To"] == "siti@example.test"
    assert msg["From"] == "Portal <portal@example.test>"
    assert msg["Subject"] == "Ada kabar baru tentang laporan Anda"
    text, html = _bodies(msg)
    assert "Ada kabar baru tentang laporan Anda (perkara ADU-2026-000123)." in text
    assert "Ada kabar baru tentang laporan Anda" in html
    assert 'lang="id"' in html
    assert "http://" in text and "http://" in html


def test_news_email_arrives_in_english(mail_app, queue_news):
    with mail_app.app_context():
        queue_news(to="jane@example.test", language="en")
        send_pending()
    [msg] = mail_app.inbox.messages()
    assert msg["Subject"] == "There is news on your report"
    text, html = _bodies(msg)
    assert "There is news on your report." in text
    assert "tracking code" in text
    assert 'lang="en"' in html


def test_mail_goes_once_only(mail_app, queue_news):
    with mail_app.app_context():
        queue_news()
        assert send_pending().sent == 1
        assert send_pending().sent == 0
    assert len(mail_app.inbox.envelopes) == 1


def test_rolled_back_change_leaves_no_mail(mail_app, queue_news):
    from portal.notify.operations import queue_email

    with mail_app.app_context():
        queue_email(
            to="a@example.test",
            subject="x",
            template="notify/news",
            language="id",
            context={},
            kind="news",
        )
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        assert send_pending().sent == 0
    assert mail_app.inbox.envelopes == []


def _message(message_id: int) -> OutboxMessage:
    return db.session.get(OutboxMessage, message_id)


def test_mail_waits_while_smtp_is_down_and_arrives_once_when_it_is_back(
    make_app, dead_port, start_smtp, queue_news
):
    from tests.conftest import Inbox

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        message_id = queue_news(language="en")
        stats = send_pending()
        assert (stats.sent, stats.failed) == (0, 1)
        db.session.expire_all()
        message = _message(message_id)
        assert message.attempts == 1
        assert message.last_error == REFUSED
        assert message.sent_at is None and message.failed_at is None
        retry_at = message.next_attempt_at
        assert retry_at > utcnow()

        inbox = Inbox()
        start_smtp(dead_port, inbox)
        assert send_pending().sent == 0  # not due yet: the backoff is respected
        assert inbox.envelopes == []

        later = retry_at + timedelta(seconds=1)
        assert send_pending(now=later).sent == 1
        assert send_pending(now=later + timedelta(hours=2)).sent == 0
        db.session.expire_all()
        assert _message(message_id).sent_at is not None
        assert _message(message_id).attempts == 2
    assert len(inbox.envelopes) == 1
    assert inbox.messages()[0]["Subject"] == "There is news on your report"


def test_backoff_grows_and_mail_is_given_up_after_max_attempts(make_app, dead_port, queue_news):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=dead_port,
        MAIL_SUPPRESS_SEND=False,
        OUTBOX_MAX_ATTEMPTS=4,
    )
    with app.app_context():
        message_id = queue_news()
        now, pauses = utcnow(), []
        for _ in range(3):
            assert send_pending(now=now).failed == 1
            db.session.expire_all()
            pauses.append(_message(message_id).next_attempt_at - now)
            now = _message(message_id).next_attempt_at
        assert pauses == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
        assert send_pending(now=now).given_up == 1
        db.session.expire_all()
        message = _message(message_id)
        assert message.failed_at is not None and message.attempts == 4
        assert send_pending(now=now + timedelta(days=1)).failed == 0  # no longer tried


def test_refused_recipient_is_given_up_at_once_and_others_still_go(
    make_app, start_smtp, queue_news
):
    from tests.conftest import Inbox, free_port

    class Picky(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address.startswith("nobody@"):
                return "550 5.1.1 <nobody@example.test>: no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    port, inbox = free_port(), Picky()
    start_smtp(port, inbox)
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        bad = queue_news(to="nobody@example.test")
        queue_news(to="somebody@example.test")
        stats = send_pending()
        assert (stats.sent, stats.given_up) == (1, 1)
        db.session.expire_all()
        error = _message(bad).last_error
    assert "550" in error
    assert "nobody@example.test" not in error  # the admin page masks addresses; so does this
    assert [e.rcpt_tos for e in inbox.envelopes] == [["somebody@example.test"]]


def test_link_points_at_the_public_site_even_from_a_cli_command(make_app, queue_news):
    app = make_app(PUBLIC_URL="https://aduan.example.go.id")
    with app.app_context():  # no request, as in `flask cases escalate`
        message = _message(queue_news())
        with app.test_request_context():
            track = url_for("intake.track") if "intake.track" in app.view_functions else "/"
    assert f"https://aduan.example.go.id{track}\n" in message.body_text
    assert f'href="https://aduan.example.go.id{track}"' in message.body_html


def test_link_uses_the_request_root_without_public_url_and_page_language_is_kept(app):
    from flask_babel import get_locale

    from portal.notify.operations import queue_email

    with app.test_request_context("/", base_url="http://portal.test:8080"):
        message = queue_email(
            to="a@example.test",
            subject="x",
            template="notify/news",
            language="en",
            context={},
            kind="news",
        )
        assert str(get_locale()) == "id"  # the visitor's page stays Indonesian
    assert "http://portal.test:8080/" in message.body_text
    assert message.body_text.startswith("Hello,")


def test_addresses_that_could_inject_headers_are_refused(app_ctx):
    import pytest

    from portal.notify.operations import InvalidRecipient, queue_email

    for bad in ("", "no-at-sign", "a@b.test\r\nBcc: x@evil.test", "a@b.test, c@d.test"):
        with pytest.raises(InvalidRecipient):
            queue_email(
                to=bad, subject="x", template="notify/news", language="id", context={}, kind="news"
            )
    message = queue_email(
        to="a@b.test",
        subject="line one\r\nBcc: x@evil.test",
        template="notify/news",
        language="id",
        context={},
        kind="news",
    )
    assert "\n" not in message.subject and "\r" not in message.subject


def test_mail_claimed_by_a_sender_that_died_is_sent_after_its_lease(mail_app, queue_news):
    from portal.notify.operations import _claim_next

    with mail_app.app_context():
        queue_news()
        now = utcnow()
        assert _claim_next(now) is not None  # claimed, then the sender "crashed"
        assert send_pending(now=now).sent == 0  # others keep their hands off
        lease = timedelta(seconds=mail_app.config["OUTBOX_LEASE_SECONDS"])
        assert send_pending(now=now + lease).sent == 1
    assert len(mail_app.inbox.envelopes) == 1
