"""`flask users ...`: the first admin and account care from the command line."""

import sqlalchemy as sa

from portal.accounts.models import User
from portal.db import db


def run(app, *args, input=None):  # noqa: A002
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def get_user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_create_first_admin_then_log_in(app, log_in):
    result = run(
        app,
        "create",
        "Admin@Example.test",
        "--name",
        "Admin Portal",
        "--role",
        "admin",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin admin@example.test" in result.output
    client = app.test_client()
    assert log_in(client, "admin@example.test").status_code == 303
    assert client.get("/petugas/admin/").status_code == 200


def test_create_prompts_twice_for_the_password(app):
    result = run(
        app,
        "create",
        "o@example.test",
        "--name",
        "Officer",
        "--team",
        "bawaslu-sumsel",
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = get_user(app, "o@example.test")
    assert (user.role, user.is_active) == ("officer", True)
    mismatch = run(
        app,
        "create",
        "p@example.test",
        "--name",
        "P",
        "--team",
        "bawaslu-sumsel",
        input="correct horse battery\ncorrect horse batterY\n"
        "correct horse battery\ncorrect horse battery\n",
    )
    assert "do not match" in mismatch.output
    assert mismatch.exit_code == 0


def test_create_refuses_weak_password_unknown_team_and_duplicates(app):
    weak = run(
        app,
        "create",
        "w@example.test",
        "--name",
        "W",
        "--role",
        "admin",
        "--password-stdin",
        input="short\n",
    )
    assert weak.exit_code != 0
    assert "at least 12 characters" in weak.output
    assert get_user(app, "w@example.test") is None
    team = run(
        app,
        "create",
        "t@example.test",
        "--name",
        "T",
        "--team",
        "no-such-team",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert team.exit_code != 0 and "No team" in team.output
    teamless = run(
        app,
        "create",
        "t@example.test",
        "--name",
        "T",
        "--role",
        "officer",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert teamless.exit_code != 0 and "need a team" in teamless.output
    run(
        app,
        "create",
        "d@example.test",
        "--name",
        "D",
        "--role",
        "admin",
        "--password-stdin",
        input="correct horse battery\n",
    )
    dup = run(
        app,
        "create",
        "D@example.test",
        "--name",
        "D",
        "--role",
        "admin",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_set_password_deactivate_and_unlock(app, make_user, log_in):
    user = make_user()
    client = app.test_client()
    log_in(client, user.email)
    assert client.get("/petugas/").status_code == 200

    result = run(
        app, "set-password", user.email, "--password-stdin", input="another long password\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/petugas/").status_code == 302  # that session ended
    assert log_in(client, user.email, "another long password").status_code == 303

    with app.app_context():
        db.session.get(User, user.id).failed_logins = 9
        db.session.commit()
    assert run(app, "unlock", user.email).exit_code == 0
    assert get_user(app, user.email).failed_logins == 0

    assert run(app, "deactivate", user.email).exit_code == 0
    assert client.get("/petugas/").status_code == 302
    assert log_in(client, user.email, "another long password").status_code == 200
    assert "inactive" in run(app, "list").output


def test_unknown_email_is_a_clear_error(app):
    result = run(app, "unlock", "ghost@example.test")
    assert result.exit_code != 0
    assert "No user with the email address ghost@example.test" in result.output
