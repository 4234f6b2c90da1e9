"""Staff sessions really end: logout, password change, deactivation, idle and absolute timeouts."""

import pytest

from portal.accounts.models import User
from portal.db import db


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A new browser that presents an old cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/petugas/")


@pytest.fixture
def logged_in(client, make_user, log_in):
    user = make_user()
    assert log_in(client, user.email).status_code == 303
    assert client.get("/petugas/").status_code == 200
    return user


def test_cookie_is_useless_after_logout(app, client, logged_in):
    old = session_cookie(client)
    assert replay(app, old).status_code == 200  # a copy works while the session lasts
    response = client.post("/petugas/keluar")
    assert response.status_code == 303
    assert client.get("/petugas/").status_code == 302
    refused = replay(app, old)
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/petugas/masuk")


def test_logout_needs_a_post(client, logged_in):
    assert client.get("/petugas/keluar").status_code == 405
    assert client.get("/petugas/").status_code == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, logged_in):
    old = session_cookie(client)
    response = client.post(
        "/petugas/akun/sandi",
        data={
            "current_password": "correct horse battery",
            "new_password": "a much longer secret 42",
            "confirm": "a much longer secret 42",
        },
    )
    assert response.status_code == 303
    assert client.get("/petugas/").status_code == 200
    assert replay(app, old).status_code == 302
    fresh = app.test_client()
    data = {"email": logged_in.email}
    assert (
        fresh.post("/petugas/masuk", data={**data, "password": "correct horse battery"}).status_code
        == 200
    )
    assert (
        fresh.post(
            "/petugas/masuk", data={**data, "password": "a much longer secret 42"}
        ).status_code
        == 303
    )


def test_password_change_refuses_wrong_current_and_weak_new(client, logged_in):
    client.post("/bahasa", data={"lang": "en"})
    wrong = client.post(
        "/petugas/akun/sandi",
        data={
            "current_password": "not my password",
            "new_password": "a much longer secret 42",
            "confirm": "a much longer secret 42",
        },
    )
    assert "current password is not correct" in wrong.text
    weak = client.post(
        "/petugas/akun/sandi",
        data={
            "current_password": "correct horse battery",
            "new_password": "short1",
            "confirm": "short1",
        },
    )
    assert "at least 12 characters" in weak.text
    differ = client.post(
        "/petugas/akun/sandi",
        data={
            "current_password": "correct horse battery",
            "new_password": "a much longer secret 42",
            "confirm": "a much longer secret 43",
        },
    )
    assert "The two passwords differ." in differ.text


def test_deactivation_ends_open_sessions(app, client, logged_in, make_user, login_as):
    admin = app.test_client()
    login_as(admin, make_user(role="admin", team=None))
    edit = admin.get(f"/petugas/admin/pengguna/{logged_in.id}")
    version = edit.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = admin.post(
        f"/petugas/admin/pengguna/{logged_in.id}",
        data={
            "email": logged_in.email,
            "name": logged_in.name,
            "role": "officer",
            "team_id": logged_in.team_id,
            "version": version,
        },
    )  # is_active unchecked
    assert response.status_code == 303
    assert client.get("/petugas/").status_code == 302


def test_deactivated_user_cookie_stays_refused_after_reactivation(app, client, logged_in):
    from portal.accounts import operations

    old = session_cookie(client)
    with app.app_context():
        user = db.session.get(User, logged_in.id)
        operations.deactivate_user(user)
        user.is_active = True
        db.session.commit()
    assert replay(app, old).status_code == 302


def test_idle_session_ends(app, client, logged_in):
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["STAFF_IDLE_MINUTES"] * 60 - 60
    assert client.get("/petugas/").status_code == 200  # 29 minutes idle: still fine
    client.post("/bahasa", data={"lang": "en"})
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 1
    response = client.get("/petugas/", follow_redirects=True)
    assert response.request.path == "/petugas/masuk"
    assert "Your session has ended" in response.text
    assert client.get("/petugas/").status_code == 302


def test_activity_keeps_the_session_alive(app, client, logged_in):
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["STAFF_IDLE_MINUTES"] * 60 - 60
    client.get("/petugas/")
    with client.session_transaction() as session:
        session["seen_at"] -= 120  # would be 31 minutes without the request in between
    assert client.get("/petugas/").status_code == 200


def test_activity_is_noted_to_the_minute(app, client, logged_in):
    """Pages within a minute of the noted activity leave the signed cookie as it is."""
    client.get("/petugas/")
    assert "Set-Cookie" not in client.get("/petugas/").headers
    with client.session_transaction() as session:
        session["seen_at"] -= 61
        before = session["seen_at"]
    assert "Set-Cookie" in client.get("/petugas/").headers
    with client.session_transaction() as session:
        assert session["seen_at"] >= before + 61


def test_session_ends_after_the_absolute_limit_even_when_active(app, client, logged_in):
    with client.session_transaction() as session:
        session["login_at"] -= app.config["STAFF_MAX_HOURS"] * 3600 + 1
    assert client.get("/petugas/").status_code == 302


def test_timeouts_follow_the_settings(make_app, make_user, login_as):
    strict = make_app(STAFF_IDLE_MINUTES=1)
    client = strict.test_client()
    login_as(client, make_user())
    with client.session_transaction() as session:
        session["seen_at"] -= 61
    assert client.get("/petugas/").status_code == 302


def test_session_without_timestamps_is_refused(client, make_user, login_as):
    login_as(client, make_user())
    with client.session_transaction() as session:
        del session["login_at"]
    assert client.get("/petugas/").status_code == 302


def test_login_as_fixture_still_works_for_other_areas(client, make_user, login_as):
    login_as(client, make_user(role="supervisor"))
    assert client.get("/petugas/").status_code == 200


def test_staff_pages_are_not_cached(client, logged_in):
    assert client.get("/petugas/").headers["Cache-Control"] == "no-store"
    client.post("/petugas/keluar")
    assert client.get("/petugas/masuk").headers["Cache-Control"] == "no-store"
