"""The foundation: headers, languages, error pages, CSRF, SQLite settings, migrations."""

import os
import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal.db import db


def test_security_headers_on_every_page(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_error_page_in_indonesian_by_default_and_english_when_chosen(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert 'lang="id"' in response.text
    assert "Halaman tidak ditemukan" in response.text

    client.post("/bahasa", data={"lang": "en", "next": "/does-not-exist"})
    response = client.get("/does-not-exist")
    assert 'lang="en"' in response.text
    assert "Page not found" in response.text


def test_language_switch_returns_to_page_and_refuses_offsite_next(client):
    response = client.post("/bahasa", data={"lang": "en", "next": "/healthz?x=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/healthz?x=1"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.post("/bahasa", data={"lang": "en", "next": evil})
        assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    client.post("/bahasa", data={"lang": "fr"})
    assert 'lang="id"' in client.get("/nope").text


def test_post_without_csrf_token_is_refused_with_a_clear_message(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/lacak/lupakan")
    assert response.status_code == 400
    assert 'lang="id"' in response.text
    assert (
        '<p class="error-message">Formulir kedaluwarsa atau tidak dikirim dari situs ini. '
        "Silakan isi kembali.</p>"
    ) in response.text


def test_sqlite_runs_in_wal_mode_with_busy_timeout(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_production_start_without_secret_key_is_refused(tmp_path):
    from portal import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def _migration_url(tmp_path) -> str:
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        return pg.rsplit("/", 1)[0] + "/portal_test_migrations"
    return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"


def _migration_app(tmp_path):
    """An app on the migrations' own database (emptied first: `_drop_everything`)."""
    from portal import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": _migration_url(tmp_path),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )


def test_upgrade_head_yields_the_models_schema(tmp_path):
    """Migrations and models never drift apart (on SQLite and on PostgreSQL)."""
    from portal import create_app
    from portal.cases.models import is_modelled

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": _migration_url(tmp_path)}
    )
    with app.app_context():
        _drop_everything()
        upgrade()
        with db.engine.connect() as conn, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes: it says so, and the check below looks
            warnings.filterwarnings("ignore", "Skipped unsupported reflection")
            warnings.filterwarnings("ignore", "autogenerate skipping")
            context = MigrationContext.configure(conn, opts={"include_name": is_modelled})
            diff = compare_metadata(context, db.metadata)
            if conn.dialect.name == "sqlite":
                indexes = set(
                    conn.execute(
                        sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")
                    ).scalars()
                )
            else:
                indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("report")}
            trigger = None
            if conn.dialect.name == "postgresql":
                trigger = conn.execute(
                    sa.text("SELECT tgname FROM pg_trigger WHERE tgname = 'case_event_append_only'")
                ).scalar()
        dialect = db.engine.dialect.name
        _drop_everything()
        db.engine.dispose()
    assert diff == []
    # what autogenerate cannot compare: the expression index and the append-only trigger
    assert "ix_report_account_norm" in indexes
    assert trigger == ("case_event_append_only" if dialect == "postgresql" else None)


def _drop_everything() -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()


def test_nul_characters_are_refused_everywhere_with_a_clear_message(client, report_form, stored):
    """PostgreSQL cannot store NUL in text: one check refuses it before any view runs."""
    from tests.fixtures.intake import post_report

    before = stored()
    form = report_form(description="Akun resmi\x00 mengunggah materi kampanye calon kepala daerah.")
    response = post_report(client, form)
    assert response.status_code == 400
    assert "karakter kontrol" in response.text
    assert stored() == before
    assert client.post("/lacak", data={"code": "AB\x00CD"}).status_code == 400
    assert client.get("/kasus?q=%00").status_code == 400
    api = client.get("/open311/v2/requests.json?status=open%00")
    assert api.status_code == 400 and "NUL" in api.json[0]["description"]
