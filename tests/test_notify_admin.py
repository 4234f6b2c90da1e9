"""The admins' outbox page: failed mail stays visible and can be sent again."""

import errno
from datetime import timedelta

import pytest

from portal.db import db, utcnow
from portal.notify.models import OutboxMessage
from portal.notify.operations import send_pending
from tests.conftest import Inbox, csrf_token_from

PAGE = "/petugas/admin/outbox"
REFUSED = f"ConnectionRefusedError: [Errno {errno.ECONNREFUSED}] Connection refused"


@pytest.fixture
def given_up(app, make_app, dead_port, queue_news):
    """An app whose SMTP server is down, and one email it gave up on (id in .message_id)."""
    down = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=dead_port,
        MAIL_SUPPRESS_SEND=False,
        OUTBOX_MAX_ATTEMPTS=2,
    )
    with down.app_context():
        down.message_id = queue_news(to="siti.aminah@example.test")
        assert send_pending().failed == 1
        assert send_pending(now=utcnow() + timedelta(minutes=5)).given_up == 1
    return down


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/petugas/masuk?next=%2Fpetugas%2Fadmin%2Foutbox"


def test_officer_is_refused(client, make_user, login_as):
    login_as(client, make_user(role="officer"))
    assert client.get(PAGE).status_code == 403


def test_given_up_mail_is_listed_for_admins_with_the_address_masked(
    client, make_user, login_as, given_up
):
    login_as(client, make_user(role="admin", team=None))
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.text
    assert "s***@example.test" in page
    assert "siti.aminah" not in page
    assert "Ada kabar baru tentang laporan Anda" in page  # the subject
    assert f'<td data-label="Kesalahan terakhir" class="outbox-error">{REFUSED}</td>' in page
    assert f'action="/petugas/admin/outbox/{given_up.message_id}/retry"' in page


def test_retry_now_sends_the_given_up_mail(
    client, make_user, login_as, given_up, dead_port, start_smtp
):
    login_as(client, make_user(role="admin", team=None))
    inbox = Inbox()
    start_smtp(dead_port, inbox)  # the mail server is back
    with given_up.app_context():
        assert send_pending().sent == 0  # given up: the sender leaves it alone
    response = client.post(f"{PAGE}/{given_up.message_id}/retry")
    assert response.status_code == 303
    with given_up.app_context():
        assert send_pending().sent == 1
    assert [e.rcpt_tos for e in inbox.envelopes] == [["siti.aminah@example.test"]]
    page = client.get(PAGE).text
    assert "<li><strong>1</strong> terkirim</li>" in page
    assert "Tidak ada surel yang gagal." in page
    assert "s***@example.test" not in page


def test_retry_all_failed(client, make_user, login_as, given_up):
    login_as(client, make_user(role="admin", team=None))
    response = client.post(f"{PAGE}/retry-failed", follow_redirects=True)
    assert response.status_code == 200
    assert "1 surel yang gagal akan dikirim ulang dalam beberapa detik." in response.text
    with given_up.app_context():
        message = db.session.get(OutboxMessage, given_up.message_id)
        assert message.failed_at is None
        assert message.next_attempt_at <= utcnow()


def test_retry_needs_the_csrf_token(make_app, make_user, login_as, given_up):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_as(client, make_user(role="admin", team=None))
    url = f"{PAGE}/{given_up.message_id}/retry"
    assert client.post(url).status_code == 400
    token = csrf_token_from(client.get(PAGE).text)
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(OutboxMessage, given_up.message_id).failed_at is None
