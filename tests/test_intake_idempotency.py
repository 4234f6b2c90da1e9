"""A report form sent twice by one browser gets its first receipt, and nothing else does: not
the same form key from another browser, not other content, not after the mark expires. The
database keeps neither the form key nor the session's secret, so a copy of it opens nothing."""

from datetime import timedelta

import sqlalchemy as sa

from portal.db import db, unit_of_work, utcnow
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report


def receipt_code(client, data) -> str:
    return code_on(post_report(client, data, follow=True).text)


def report_rows(app) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT * FROM report ORDER BY id")).mappings()
        return [dict(row) for row in rows]


def expire_every_mark(app) -> None:
    from portal.intake.models import Report

    with app.app_context():
        past = utcnow() - timedelta(minutes=1)
        db.session.execute(
            sa.update(Report)
            .where(Report.idempotency_expires_at.is_not(None))
            .values(idempotency_expires_at=past)
        )
        db.session.commit()


def test_another_browser_with_the_same_form_key_and_content_gets_its_own_report(
    app, client, report_form, stored
):
    data = report_form()
    first = receipt_code(client, data)
    other_browser = app.test_client()
    second = receipt_code(other_browser, report_form(idempotency_key=data["idempotency_key"]))
    assert second != first
    assert stored()["reports"] == 2
    assert code_on(client.get("/laporan/tanda-terima").text) == first  # each keeps its own


def test_the_same_browser_with_other_content_gets_a_new_report(client, report_form, stored):
    data = report_form()
    key = data["idempotency_key"]
    codes = [receipt_code(client, data)]
    changed = [
        report_form(idempotency_key=key, description=data["description"] + " Sudah dihapus."),
        report_form(idempotency_key=key, files=[(png(color=(1, 1, 1)), "layar-1.png")]),
        report_form(idempotency_key=key, links=""),
        report_form(idempotency_key=key, visibility="anonymous"),
    ]
    codes += [receipt_code(client, form) for form in changed]
    assert len(set(codes)) == 5
    assert stored()["reports"] == 5


def test_a_mark_lasts_the_configured_hours_then_opens_nothing(app, client, report_form, stored):
    data = report_form()
    first = receipt_code(client, data)
    [row] = report_rows(app)
    with app.app_context():
        from portal.intake.models import Report

        report = db.session.get(Report, row["id"])
        lasts = report.idempotency_expires_at - report.created_at
    assert timedelta(hours=5, minutes=59) < lasts <= timedelta(hours=6)

    expire_every_mark(app)
    assert client.get("/laporan/tanda-terima").headers["Location"] == "/lacak"
    again = receipt_code(client, report_form(idempotency_key=data["idempotency_key"]))
    assert again != first
    assert stored()["reports"] == 2
    old = report_rows(app)[0]  # cleared by the later submission
    assert (old["idempotency_hash"], old["receipt_seal"], old["idempotency_expires_at"]) == (
        None,
        None,
        None,
    )


def test_any_later_submission_clears_expired_marks(app, client, report_form):
    receipt_code(client, report_form())
    expire_every_mark(app)
    assert report_rows(app)[0]["receipt_seal"] is not None  # ignored, not yet gone
    receipt_code(app.test_client(), report_form(description="Laporan lain dari warga lain."))
    old, new = report_rows(app)
    assert old["idempotency_hash"] is None and old["receipt_seal"] is None
    assert new["idempotency_hash"] and new["receipt_seal"] and new["idempotency_expires_at"]


def test_forgetting_the_report_on_this_device_makes_a_resent_form_new(client, report_form):
    data = report_form()
    first = receipt_code(client, data)
    assert client.post("/lacak/lupakan").status_code == 303
    again = receipt_code(client, report_form(idempotency_key=data["idempotency_key"]))
    assert again != first


def test_the_database_holds_neither_the_form_key_nor_the_session_secret(app, client, report_form):
    data = report_form()
    post_report(client, data, follow=True)
    cookie = client.get_cookie("session").value
    secret = app.session_interface.get_signing_serializer(app).loads(cookie)["intake_form_binding"]
    key = data["idempotency_key"]
    [row] = report_rows(app)
    assert row["idempotency_hash"] and row["receipt_seal"]
    for column, value in row.items():
        assert key not in str(value), column
        assert secret not in str(value), column
    with app.app_context():  # nor any other table
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(sa.select(table)).all():
                assert key not in str(values) and secret not in str(values), table.name


def test_only_the_form_key_and_session_secret_together_unseal_the_code():
    from portal.intake.idempotency import FormHolder
    from portal.intake.tracking import new_code

    code = new_code()
    holder = FormHolder("form-key-1234567890", "session-secret-abc")
    seal = holder.seal(code, hmac_key="k", lookup="l")
    assert code not in seal
    assert holder.unseal(seal, hmac_key="k", lookup="l") == code
    others = [
        FormHolder("form-key-1234567890", "another-session"),
        FormHolder("another-key-1234567", "session-secret-abc"),
    ]
    assert all(other.unseal(seal, hmac_key="k", lookup="l") != code for other in others)
    assert holder.unseal(seal, hmac_key="k", lookup="another report") != code


def test_a_trusted_callers_own_key_is_kept_hashed_opens_nothing_and_stays(app):
    """The demo files with keys of its own ("demo-..."), to see later that it already did."""
    from portal.intake.drafts import ReportDraft
    from portal.intake.operations import submit_report
    from portal.intake.queries import get_report_by_idempotency_key
    from portal.reference.queries import list_categories, list_regions

    with app.app_context():
        draft = ReportDraft(
            category=list_categories()[0],
            region=list_regions()[0],
            reported_party="Dinas Contoh",
            description="Laporan contoh yang dimuat oleh demo portal.",
            language="id",
            idempotency_key="demo-contoh-1",
        )
        with unit_of_work():
            submit_report(draft, source="web")
        found = get_report_by_idempotency_key("demo-contoh-1")
        assert found is not None
        assert get_report_by_idempotency_key("demo-contoh-2") is None
        assert found.idempotency_hash != "demo-contoh-1"
        assert found.receipt_seal is None and found.idempotency_expires_at is None


def test_the_migration_drops_clear_keys_and_seals_but_keeps_demo_markers(tmp_path):
    from flask_migrate import downgrade, upgrade

    from portal.intake.drafts import ReportDraft
    from portal.intake.models import Report
    from portal.intake.operations import submit_report
    from portal.intake.queries import get_report_by_idempotency_key
    from portal.reference.operations import load_reference_data
    from portal.reference.queries import list_categories
    from tests.test_foundation import _drop_everything, _migration_app

    app = _migration_app(tmp_path)
    with app.app_context():
        _drop_everything()
        upgrade()
        load_reference_data()
        db.session.commit()
        for _ in range(2):
            draft = ReportDraft(
                category=list_categories()[0],
                region=None,
                reported_party="Dinas Contoh",
                description="Laporan sebelum pembaruan skema basis data.",
                language="id",
            )
            with unit_of_work():
                submit_report(draft, source="web")
        downgrade(revision="b65adc9e94b0")
        clear = "web-form-key-in-clear-0123456789"
        for report_id, key in ((1, clear), (2, "demo-contoh-1")):
            db.session.execute(
                sa.text(
                    "UPDATE report SET idempotency_key = :k, receipt_seal = 'ab12' WHERE id = :i"
                ),
                {"k": key, "i": report_id},
            )
        db.session.commit()
        upgrade()
        rows = [dict(r) for r in db.session.execute(sa.text("SELECT * FROM report")).mappings()]
        assert all(clear not in str(row) and row["receipt_seal"] is None for row in rows)
        assert "idempotency_key" not in rows[0]
        assert get_report_by_idempotency_key("demo-contoh-1").id == 2
        assert db.session.get(Report, 1).idempotency_hash is None
        db.session.remove()
        _drop_everything()
        db.engine.dispose()
