"""Staff login: one message for every failure, throttling that ends by itself, safe redirects."""

import re
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher

from portal.accounts import operations
from portal.accounts.models import User
from portal.db import db, utcnow
from tests.fixtures.accounts import user_row

FAILURE = "email address or password is not correct"


def comparable(html: str, email: str) -> str:
    """The page without what differs between any two renderings (typed email, CSRF token)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html.replace(email, "EMAIL"))


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def english(client):
    client.post("/bahasa", data={"lang": "en"})
    return client


def test_login_lands_on_the_staff_home_page(client, make_user, log_in):
    user = make_user(name="Siti Aminah")
    response = log_in(client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/petugas/"
    page = client.get("/petugas/")
    assert page.status_code == 200
    assert "Siti Aminah" in page.text
    assert user_row(client.application, user.id).last_login_at is not None


def test_email_is_not_case_sensitive(client, make_user, log_in):
    make_user(email="Petugas@Example.test")
    assert log_in(client, "petugas@example.TEST").status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user, log_in):
    user = make_user()
    english(client)
    wrong = log_in(client, user.email, "not the password at all")
    unknown = log_in(client, "nobody@example.test", "not the password at all")
    assert FAILURE in wrong.text
    assert wrong.status_code == unknown.status_code == 200
    assert comparable(wrong.text, user.email) == comparable(unknown.text, "nobody@example.test")
    assert client.get("/petugas/").status_code == 302


def test_failure_message_is_in_indonesian_by_default(client, make_user, log_in):
    response = log_in(client, make_user().email, "not the password at all")
    assert "Alamat email atau kata sandi tidak benar" in response.text


def test_inactive_user_cannot_log_in(app, client, make_user, log_in):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    english(client)
    assert FAILURE in log_in(client, user.email).text


def test_repeated_failures_lock_the_account_then_the_lock_expires(app, client, make_user, log_in):
    user = make_user()
    english(client)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(client, user.email, "wrong password guess")
    locked = user_row(app, user.id)
    assert locked.locked_until is not None and locked.locked_until > utcnow()

    refused = log_in(client, user.email)  # even the right password waits for the lock
    assert FAILURE in refused.text
    assert client.get("/petugas/").status_code == 302

    with app.app_context():  # the lock's time passes
        db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert log_in(client, user.email).status_code == 303
    fresh = user_row(app, user.id)
    assert fresh.failed_logins == 0 and fresh.locked_until is None


def test_a_stranger_cannot_lock_the_user_out_of_their_own_browser(app, make_user, log_in):
    user = make_user()
    own = english(app.test_client())
    assert log_in(own, user.email).status_code == 303  # logged in here before
    own.post("/petugas/keluar")
    stranger = english(app.test_client())
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        log_in(stranger, user.email, "wrong password guess")
    assert user_row(app, user.id).locked_until > utcnow()
    assert FAILURE in log_in(stranger, user.email).text  # locked for everyone else
    assert FAILURE in log_in(english(app.test_client()), user.email).text

    assert log_in(own, user.email).status_code == 303  # but not in the user's own browser
    assert FAILURE in log_in(stranger, user.email, "wrong password guess").text


def test_known_device_cookie_is_bound_to_user_and_password(app, make_user, log_in):
    user, other = make_user(), make_user()
    browser = app.test_client()
    log_in(browser, other.email)  # this browser knows `other`, not `user`
    browser.post("/petugas/keluar")
    with app.app_context():
        db.session.get(User, user.id).locked_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
    assert log_in(browser, user.email).status_code == 200

    browser.set_cookie("staff_device", "forged.value.here", path="/petugas/")
    assert log_in(browser, user.email).status_code == 200

    own = app.test_client()
    with app.app_context():
        db.session.get(User, user.id).locked_until = None
        db.session.commit()
    log_in(own, user.email)
    own.post("/petugas/keluar")
    with app.app_context():
        row = db.session.get(User, user.id)
        operations.set_password(row, password="a brand new password")
        row.locked_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
    assert log_in(own, user.email, "a brand new password").status_code == 200


def test_lock_grows_with_each_further_failure_and_is_capped(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    now = utcnow()
    limit = app_ctx.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        operations.record_failed_login(user, now=now)
    assert user.locked_until is None
    minutes = []
    for _ in range(8):
        operations.record_failed_login(user, now=now)
        minutes.append((user.locked_until - now) / timedelta(minutes=1))
    assert minutes == [1, 2, 4, 8, 15, 15, 15, 15]


def test_attempts_during_a_lock_do_not_extend_it(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    now = utcnow()
    for _ in range(app_ctx.config["LOGIN_MAX_FAILURES"]):
        operations.authenticate(email=user.email, password="bad guess here", now=now)
    until = user.locked_until
    for _ in range(20):
        assert (
            operations.authenticate(
                email=user.email, password="bad guess here", now=now + timedelta(seconds=30)
            )
            is None
        )
    assert user.locked_until == until
    later = until + timedelta(seconds=1)
    assert (
        operations.authenticate(email=user.email, password="correct horse battery", now=later)
        is user
    )


def test_admin_can_unlock_at_once(app, client, make_user, login_as, log_in):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(client, user.email, "wrong password guess")
    admin_client = app.test_client()
    login_as(admin_client, make_user(role="admin", team=None))
    response = admin_client.post(f"/petugas/admin/pengguna/{user.id}/buka-kunci")
    assert response.status_code == 303
    assert log_in(client, user.email).status_code == 303


def test_per_client_limit_answers_429_but_other_clients_still_log_in(make_app, make_user, log_in):
    user = make_user()
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    attacker = client_from(limited, "198.51.100.7")
    codes = [
        log_in(attacker, f"guess{i}@example.test", "wrong password guess").status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert log_in(attacker, user.email).status_code == 429

    colleague = client_from(limited, "203.0.113.9")
    assert log_in(colleague, user.email).status_code == 303


def test_successful_logins_do_not_use_up_the_client_limit(make_app, make_user, log_in):
    user = make_user()
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per 15 minutes")
    for _ in range(4):
        browser = limited.test_client()
        assert log_in(browser, user.email).status_code == 303


def test_password_hash_is_upgraded_on_login_when_parameters_changed(app, client, make_user, log_in):
    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    with app.app_context():
        db.session.get(User, user.id).password_hash = weak
        db.session.commit()
    assert log_in(client, user.email).status_code == 303
    upgraded = user_row(app, user.id).password_hash
    assert upgraded != weak
    assert "m=8," not in upgraded and upgraded.startswith("$argon2id$")


def test_next_stays_on_the_site(client, make_user, log_in):
    user = make_user()
    response = client.get("/petugas/admin/pengguna")
    assert response.headers["Location"].startswith("/petugas/masuk?next=")
    ok = log_in(client, user.email, next="/petugas/akun")
    assert ok.headers["Location"] == "/petugas/akun"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        other = client.application.test_client()
        response = log_in(other, user.email, next=evil)
        assert response.headers["Location"] == "/petugas/", evil


def test_login_page_carries_next_into_the_form(client):
    page = client.get("/petugas/masuk?next=/petugas/akun")
    assert 'value="/petugas/akun"' in page.text


def test_login_starts_a_fresh_session_but_keeps_the_language(client, make_user, log_in):
    user = make_user()
    english(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert session["_user_id"].startswith(f"{user.id}:")


def test_logged_in_staff_skip_the_login_form(client, make_user, login_as):
    login_as(client, make_user())
    response = client.get("/petugas/masuk")
    assert response.status_code == 303 and response.headers["Location"] == "/petugas/"


def test_anonymous_visitor_is_sent_to_login_with_a_message(client):
    english(client)
    response = client.get("/petugas/akun", follow_redirects=True)
    assert "Please log in to see this page." in response.text
    assert response.request.path == "/petugas/masuk"


def test_every_user_row_counts_failures_in_the_database(app_ctx, make_user):
    user = db.session.get(User, make_user().id)
    operations.record_failed_login(user)
    operations.record_failed_login(user)
    db.session.commit()
    count = db.session.scalar(sa.select(User.failed_logins).where(User.id == user.id))
    assert count == 2
