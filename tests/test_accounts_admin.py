"""Admin pages: users, teams, categories; who may see them, mass assignment, stale edits."""

import json
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Team, User
from portal.db import db
from portal.reference.models import Category
from tests.fixtures.accounts import user_row

ADMIN_PAGES = [
    "/petugas/admin/",
    "/petugas/admin/pengguna/baru",
    "/petugas/admin/tim",
    "/petugas/admin/tim/baru",
    "/petugas/admin/kategori",
]


def version_in(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]+)"', html).group(1)


def team_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Team.id).where(Team.slug == slug))


@pytest.fixture
def admin(app, make_user, login_as):
    client = app.test_client()
    client.post("/bahasa", data={"lang": "en"})
    login_as(client, make_user(role="admin", team=None, name="Admin Satu"))
    return client


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_admin_pages_are_forbidden_to_officers_and_supervisors(client, make_user, login_as, role):
    login_as(client, make_user(role=role))
    for url in ADMIN_PAGES + ["/petugas/admin/pengguna/1", "/petugas/admin/kategori/1"]:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            "/petugas/admin/tim/baru", data={"name": "Sneaky", "slug": "sneaky"}
        ).status_code
        == 403
    )
    with client.application.app_context():
        assert db.session.scalar(sa.select(Team).where(Team.slug == "sneaky")) is None


def test_officer_cannot_list_users(client, make_user, login_as):
    login_as(client, make_user(role="officer"))
    assert client.get("/petugas/admin/pengguna").status_code == 403


def test_supervisor_sees_only_their_own_team(client, make_user, login_as):
    make_user(name="Rekan Bawaslu", team="bawaslu-sumsel")
    make_user(name="Orang Inspektorat", team="inspektorat-sumsel")
    login_as(client, make_user(role="supervisor", team="bawaslu-sumsel"))
    page = client.get("/petugas/admin/pengguna")
    assert page.status_code == 200
    assert "Rekan Bawaslu" in page.text
    assert "Orang Inspektorat" not in page.text
    assert "/petugas/admin/pengguna/" not in page.text  # no edit links


def test_admin_creates_a_user_who_can_then_log_in(app, admin, log_in):
    response = admin.post(
        "/petugas/admin/pengguna/baru",
        data={
            "email": "Baru@Example.org",
            "name": "Petugas Baru",
            "role": "officer",
            "team_id": team_id(app, "inspektorat-sumsel"),
            "password": "twelve chars long",
        },
    )
    assert response.status_code == 303
    assert "Petugas Baru" in admin.get("/petugas/admin/pengguna").text
    assert log_in(app.test_client(), "baru@example.org", "twelve chars long").status_code == 303


def test_create_user_refuses_weak_password_duplicate_email_and_officer_without_team(
    app, admin, make_user
):
    existing = make_user(email="taken@example.org")
    base = {
        "name": "X",
        "role": "officer",
        "team_id": team_id(app, "bawaslu-sumsel"),
        "password": "twelve chars long",
    }
    weak = admin.post(
        "/petugas/admin/pengguna/baru", data={**base, "email": "a@example.org", "password": "short"}
    )
    assert "at least 12 characters" in weak.text
    dup = admin.post("/petugas/admin/pengguna/baru", data={**base, "email": existing.email})
    assert "already exists" in dup.text
    teamless = admin.post(
        "/petugas/admin/pengguna/baru", data={**base, "email": "b@example.org", "team_id": 0}
    )
    assert "need a team" in teamless.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_admin_changes_role_and_team(app, admin, make_user):
    user = make_user()
    version = version_in(admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    response = admin.post(
        f"/petugas/admin/pengguna/{user.id}",
        data={
            "email": "Renamed@Example.org",
            "name": "Renamed",
            "role": "supervisor",
            "team_id": team_id(app, "inspektorat-sumsel"),
            "is_active": "y",
            "version": version,
        },
    )
    assert response.status_code == 303
    row = user_row(app, user.id)
    assert (row.email, row.name, row.role, row.team_id) == (
        "renamed@example.org",
        "Renamed",
        "supervisor",
        team_id(app, "inspektorat-sumsel"),
    )


def test_stale_user_edit_is_refused(app, admin, make_user, login_as):
    user = make_user()
    other_admin = app.test_client()
    login_as(other_admin, make_user(role="admin", team=None))
    mine = version_in(admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    theirs = version_in(other_admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    data = {"email": user.email, "role": "officer", "team_id": user.team_id, "is_active": "y"}
    assert (
        other_admin.post(
            f"/petugas/admin/pengguna/{user.id}",
            data={**data, "name": "Their name", "version": theirs},
        ).status_code
        == 303
    )
    stale = admin.post(
        f"/petugas/admin/pengguna/{user.id}", data={**data, "name": "My name", "version": mine}
    )
    assert stale.status_code == 200
    assert "Someone else changed this while you were editing it" in stale.text
    assert user_row(app, user.id).name == "Their name"


def test_last_admin_cannot_demote_themselves(app, admin):
    with app.app_context():
        me = db.session.scalar(sa.select(User).where(User.role == "admin"))
        my_id, my_email = me.id, me.email
    version = version_in(admin.get(f"/petugas/admin/pengguna/{my_id}").text)
    response = admin.post(
        f"/petugas/admin/pengguna/{my_id}",
        data={
            "email": my_email,
            "name": "Admin Satu",
            "role": "officer",
            "team_id": team_id(app, "bawaslu-sumsel"),
            "is_active": "y",
            "version": version,
        },
    )
    assert "last active admin" in response.text
    assert user_row(app, my_id).role == "admin"


def test_admin_sets_a_new_password(app, admin, make_user, log_in):
    user = make_user()
    response = admin.post(
        f"/petugas/admin/pengguna/{user.id}/sandi", data={"password": "brand new secret words"}
    )
    assert response.status_code == 303
    browser = app.test_client()
    assert log_in(browser, user.email, "correct horse battery").status_code == 200
    assert log_in(browser, user.email, "brand new secret words").status_code == 303


def test_profile_form_ignores_extra_fields(app, client, make_user, login_as):
    user = make_user(role="officer", team="bawaslu-sumsel")
    login_as(client, user)
    response = client.post(
        "/petugas/akun",
        data={
            "name": "Nama Baru",
            "role": "admin",
            "team_id": team_id(app, "inspektorat-sumsel"),
            "is_active": "y",
            "email": "boss@example.test",
            "session_version": "99",
            "failed_logins": "0",
            "password_hash": "x",
        },
    )
    assert response.status_code == 303
    row = user_row(app, user.id)
    assert row.name == "Nama Baru"
    assert (row.role, row.team_id, row.email) == ("officer", user.team_id, user.email)
    assert row.password_hash == user.password_hash
    assert client.get("/petugas/admin/").status_code == 403


def test_password_form_ignores_extra_fields(app, client, make_user, login_as):
    user = make_user(role="officer")
    login_as(client, user)
    client.post(
        "/petugas/akun/sandi",
        data={
            "current_password": "correct horse battery",
            "new_password": "a much longer secret 42",
            "confirm": "a much longer secret 42",
            "role": "admin",
            "team_id": "2",
            "email": "boss@example.test",
        },
    )
    row = user_row(app, user.id)
    assert (row.role, row.team_id, row.email) == ("officer", user.team_id, user.email)


def test_admin_user_form_ignores_extra_fields(app, admin, make_user):
    user = make_user()
    version = version_in(admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    admin.post(
        f"/petugas/admin/pengguna/{user.id}",
        data={
            "email": user.email,
            "name": user.name,
            "role": "officer",
            "team_id": user.team_id,
            "is_active": "y",
            "version": version,
            "password_hash": "x",
            "session_version": "7",
            "failed_logins": "0",
            "id": "999",
            "created_at": "2000-01-01",
        },
    )
    row = user_row(app, user.id)
    assert (row.id, row.password_hash, row.session_version, row.created_at) == (
        user.id,
        user.password_hash,
        user.session_version,
        user.created_at,
    )


def test_teams_can_be_created_and_edited(app, admin):
    response = admin.post(
        "/petugas/admin/tim/baru",
        data={
            "name": "Bawaslu Kota Lubuk Linggau",
            "slug": "bawaslu-lubuklinggau",
            "email": "bawaslu@example.org",
            "is_active": "y",
        },
    )
    assert response.status_code == 303
    assert "Bawaslu Kota Lubuk Linggau" in admin.get("/petugas/admin/tim").text
    new_id = team_id(app, "bawaslu-lubuklinggau")
    version = version_in(admin.get(f"/petugas/admin/tim/{new_id}").text)
    admin.post(
        f"/petugas/admin/tim/{new_id}",
        data={
            "name": "Bawaslu Lubuk Linggau",
            "slug": "bawaslu-llg",
            "email": "",
            "version": version,
        },
    )
    with app.app_context():
        team = db.session.get(Team, new_id)
        assert (team.name, team.slug, team.email, team.is_active) == (
            "Bawaslu Lubuk Linggau",
            "bawaslu-llg",
            None,
            False,
        )


def test_team_slug_must_be_unique_and_well_formed(admin):
    dup = admin.post("/petugas/admin/tim/baru", data={"name": "X", "slug": "bawaslu-sumsel"})
    assert "already exists" in dup.text
    bad = admin.post("/petugas/admin/tim/baru", data={"name": "X", "slug": "Bad Slug!"})
    assert "Use a-z, 0-9 and -" in bad.text


def _category(app) -> Category:
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.code == "pungli"))
        db.session.expunge(category)
        return category


def _category_form(admin, category_id: int, **changes) -> dict:
    page = admin.get(f"/petugas/admin/kategori/{category_id}").text
    data = {
        "name_id": "Pungutan liar",
        "name_en": "Illegal fees",
        "description_id": "d",
        "description_en": "d",
        "group": "service",
        "deadline_days": "10",
        "deadline_working_days": "y",
        "regime_id": "0",
        "default_team_id": "0",
        "is_active": "y",
        "questions": "[]",
        "version": version_in(page),
    }
    data.update(changes)
    return data


def test_category_edit_saves_names_deadline_team_and_questions(app, admin):
    category = _category(app)
    questions = [
        {
            "code": "office",
            "type": "select",
            "label_id": "Kantor",
            "label_en": "Office",
            "required": True,
            "choices": [{"value": "a", "label_id": "A", "label_en": "A"}],
        }
    ]
    data = _category_form(
        admin,
        category.id,
        questions=json.dumps(questions),
        default_team_id=str(team_id(app, "bawaslu-sumsel")),
    )
    assert admin.post(f"/petugas/admin/kategori/{category.id}", data=data).status_code == 303
    saved = _category(app)
    assert (saved.name_id, saved.deadline_days, saved.deadline_working_days) == (
        "Pungutan liar",
        10,
        True,
    )
    assert saved.regime_id is None
    assert saved.default_team_id == team_id(app, "bawaslu-sumsel")
    assert saved.questions == questions


@pytest.mark.parametrize(
    "text, message",
    [
        ("[{", "Not valid JSON"),
        ('{"code": "x"}', "must be a JSON list"),
        (
            '[{"code": "Bad Code", "type": "text", "label_id": "a", "label_en": "a", '
            '"required": true}]',
            "Question 1: code must be",
        ),
        (
            '[{"code": "x", "type": "radio", "label_id": "a", "label_en": "a", "required": true}]',
            "type must be",
        ),
        (
            '[{"code": "x", "type": "select", "label_id": "a", "label_en": "a", "required": true}]',
            "needs a non-empty list of choices",
        ),
        (
            '[{"code": "x", "type": "text", "label_id": "", "label_en": "a", "required": "yes"}]',
            "required must be true or false",
        ),
        (
            '[{"code": "x", "type": "text", "label_id": "a", "label_en": "a", "required": true},'
            ' {"code": "x", "type": "text", "label_id": "a", "label_en": "a", "required": true}]',
            "Question 2: code x is used twice",
        ),
    ],
)
def test_bad_questions_are_refused_with_a_clear_message(app, admin, text, message):
    category = _category(app)
    before = category.questions
    response = admin.post(
        f"/petugas/admin/kategori/{category.id}",
        data=_category_form(admin, category.id, questions=text),
    )
    assert response.status_code == 200
    assert message in response.text
    assert _category(app).questions == before


def test_stale_category_edit_is_refused(app, admin):
    category = _category(app)
    mine = _category_form(admin, category.id, name_en="Mine")
    theirs = _category_form(admin, category.id, name_en="Theirs")
    assert admin.post(f"/petugas/admin/kategori/{category.id}", data=theirs).status_code == 303
    stale = admin.post(f"/petugas/admin/kategori/{category.id}", data=mine)
    assert "Someone else changed this" in stale.text
    assert _category(app).name_en == "Theirs"


def test_admin_home_links_everything(admin):
    page = admin.get("/petugas/").text
    for link in (
        "/petugas/admin/",
        "/petugas/kasus/",
        "/petugas/admin/outbox",
        "/petugas/akun/sandi",
    ):
        assert link in page
    assert 'action="/petugas/keluar"' in page


def test_officer_home_has_no_admin_links(client, make_user, login_as):
    login_as(client, make_user(role="officer"))
    page = client.get("/petugas/").text
    assert "/petugas/kasus/" in page
    assert "/petugas/admin/" not in page


def test_account_history_shows_who_changed_what(app, admin, make_user, log_in):
    user = make_user(role="officer")
    version = version_in(admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    admin.post(
        f"/petugas/admin/pengguna/{user.id}",
        data={
            "email": user.email,
            "name": user.name,
            "role": "supervisor",
            "team_id": user.team_id,
            "is_active": "y",
            "version": version,
        },
    )
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(app.test_client(), user.email, "wrong password guess")
    admin.post(f"/petugas/admin/pengguna/{user.id}/buka-kunci")
    app.test_cli_runner().invoke(
        args=["users", "set-password", user.email, "--password-stdin"],
        input="fresh long password\n",
    )

    history = admin.get(f"/petugas/admin/pengguna/{user.id}").text
    history = history[history.index("account-history") :]
    assert "role: officer → supervisor" in history
    assert "Locked after failed logins" in history and "for 1 min." in history
    assert history.count("Admin Satu") == 2  # the change and the unlock
    assert "Password set by an admin" in history and "command line" in history
    order = [history.index(k) for k in ("Password set", "Unlocked", "Locked after", "Changed")]
    assert order == sorted(order)  # newest first


def test_email_change_refuses_a_taken_address(app, admin, make_user):
    user = make_user()
    make_user(email="taken@example.org")
    version = version_in(admin.get(f"/petugas/admin/pengguna/{user.id}").text)
    response = admin.post(
        f"/petugas/admin/pengguna/{user.id}",
        data={
            "email": "TAKEN@example.org",
            "name": user.name,
            "role": "officer",
            "team_id": user.team_id,
            "is_active": "y",
            "version": version,
        },
    )
    assert "already exists" in response.text
    assert user_row(app, user.id).email == user.email
