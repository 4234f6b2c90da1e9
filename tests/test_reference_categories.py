"""Category groups, descriptions and examples: what admins edit, what `flask reference load`
fills in, and what the migration does to an install that had the old groups."""

import re

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal.db import db
from portal.reference import data
from portal.reference.models import Category

OLD_POSTING_ID = "ASN atau akun resmi instansi mengunggah materi kampanye calon."


def category(app, code: str) -> Category:
    with app.app_context():
        row = db.session.scalar(sa.select(Category).where(Category.code == code))
        db.session.expunge(row)
        return row


def test_every_shipped_category_has_a_group_a_description_and_an_example_in_both_languages():
    for spec in data.CATEGORIES:
        assert spec["group"] in data.GROUPS, spec["code"]
        for field in ("description_id", "description_en", "example_id", "example_en"):
            assert 20 <= len(spec[field]) <= 140, (spec["code"], field)  # one plain line
    assert {s["group"] for s in data.CATEGORIES} == set(data.GROUPS)


def test_admin_moves_a_category_to_another_group_and_writes_its_example(
    app, client, make_user, login_as
):
    admin = app.test_client()
    login_as(admin, make_user(role="admin", team=None))
    row = category(app, "pungli")
    page = admin.get(f"/petugas/admin/kategori/{row.id}").text
    assert re.search(r'<option selected value="service">Pelayanan publik</option>', page)
    form = {
        "name_id": row.name_id,
        "name_en": row.name_en,
        "description_id": row.description_id,
        "description_en": row.description_en,
        "example_id": "Diminta Rp50.000 untuk surat keterangan domisili di kelurahan.",
        "example_en": row.example_en,
        "group": "election",
        "deadline_days": "14",
        "deadline_working_days": "y",
        "regime_id": "0",
        "default_team_id": "0",
        "is_active": "y",
        "questions": "[]",
        "version": re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1),
    }
    assert admin.post(f"/petugas/admin/kategori/{row.id}", data=form).status_code == 303
    assert (category(app, "pungli").group, category(app, "pungli").example_id) == (
        "election",
        form["example_id"],
    )
    listing = admin.get("/petugas/admin/kategori").text
    assert "Pemilihan dan kampanye" in listing
    report_page = client.get("/lapor").text
    election = report_page[report_page.index("<legend>Pemilihan dan kampanye</legend>") :]
    election = election[: election.index("</fieldset>")]
    assert "Pungutan liar dalam pelayanan publik" in election
    assert "Contoh: Diminta Rp50.000 untuk surat keterangan domisili" in election

    refused = admin.post(
        f"/petugas/admin/kategori/{row.id}", data=form | {"group": "money_politics"}
    )
    assert refused.status_code == 200 and category(app, "pungli").group == "election"


def test_reference_load_fills_in_blank_examples_and_keeps_what_admins_wrote(app):
    with app.app_context():
        db.session.execute(
            sa.update(Category)
            .where(Category.code == "pungli")
            .values(example_id="", example_en="", description_id="Tulisan admin")
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    row = category(app, "pungli")
    shipped = next(s for s in data.CATEGORIES if s["code"] == "pungli")
    assert (row.example_id, row.example_en) == (shipped["example_id"], shipped["example_en"])
    assert row.description_id == "Tulisan admin"


def test_migration_regroups_old_categories_and_tells_the_social_media_pair_apart(tmp_path):
    from portal import create_app

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    insert = sa.text(
        'INSERT INTO category (code, "group", name_id, name_en, description_id, description_en,'
        " deadline_days, deadline_working_days, questions, sort_order, is_active)"
        " VALUES (:code, :group, 'n', 'n', :description, 'd', 7, 0, '[]', 0, 1)"
    )
    rows = [
        ("asn-medsos-posting", "neutrality", OLD_POSTING_ID),
        ("asn-hadir-kampanye", "neutrality", "d"),
        ("fasilitas-negara", "neutrality", "d"),
        ("politik-uang", "money_politics", "d"),
        ("pungli", "service", "d"),
        ("edited-by-admin", "neutrality", "Admin's own words"),
    ]
    with app.app_context():
        upgrade(revision="96ae6743d3f0")
        with db.engine.begin() as conn:
            for code, group, description in rows:
                conn.execute(insert, {"code": code, "group": group, "description": description})
        upgrade(revision="c4a7d2e9b1f3")
        with db.engine.connect() as conn:
            after = dict(conn.execute(sa.text('SELECT code, "group" FROM category')).all())
            posting = conn.execute(
                sa.text("SELECT description_id, example_id FROM category WHERE code = :c"),
                {"c": "asn-medsos-posting"},
            ).one()
        downgrade(revision="96ae6743d3f0")
        with db.engine.connect() as conn:
            before = dict(conn.execute(sa.text('SELECT code, "group" FROM category')).all())
            columns = [c["name"] for c in sa.inspect(conn).get_columns("category")]
        db.engine.dispose()
    assert after == {
        "asn-medsos-posting": "neutrality",
        "asn-hadir-kampanye": "neutrality",
        "fasilitas-negara": "election",
        "politik-uang": "election",
        "pungli": "service",
        "edited-by-admin": "neutrality",
    }
    assert posting == (
        next(s for s in data.CATEGORIES if s["code"] == "asn-medsos-posting")["description_id"],
        "",
    )
    assert before == {code: group for code, group, _ in rows}
    assert "example_id" not in columns
