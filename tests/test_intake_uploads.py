"""Held uploads: a refused report form keeps the images that passed the checks, for that form
and that browser session only, until they expire; the next post files them without choosing
them again, and an expired hold leaves no row and no file."""

import os
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import db, utcnow
from tests.fixtures.images import png
from tests.fixtures.intake import code_on, post_report

HELD_RE = re.compile(r'name="held_upload" value="([^"]+)"')
SHORT = "Terlalu pendek"  # refused: under 20 characters


def held_rows(app) -> list:
    from portal.intake.models import HeldUpload

    with app.app_context():
        return db.session.scalars(sa.select(HeldUpload).order_by(HeldUpload.created_at)).all()


def files_on_disk(app) -> set[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _dirs, names in os.walk(folder)
        for name in names
    }


def evidence_keys(app) -> set[str]:
    from portal.evidence.models import Evidence

    with app.app_context():
        rows = db.session.scalars(sa.select(Evidence)).all()
        return {k for e in rows for k in (e.original_key, e.clean_key, e.thumb_key)}


def refuse_with_files(client, report_form, files=None) -> tuple[dict, list[str], str]:
    """Post a form that is refused (description too short); its data, the held ids, the page."""
    data = report_form(files=files, description=SHORT)
    response = post_report(client, data)
    assert response.status_code == 400
    return data, HELD_RE.findall(response.text), response.text


def resend(data: dict, ids: list[str], **changes) -> dict:
    """The same form again as the browser sends it: no file chosen, the held ids named."""
    again = {k: v for k, v in data.items() if k != "screenshots"}
    again.update(held_upload=ids, **changes)
    return again


def test_refused_form_lists_kept_files_and_the_next_post_files_them(app, client, report_form):
    data, ids, page = refuse_with_files(client, report_form)
    assert len(ids) == 2
    assert "layar-1.png" in page and "layar-2.png" in page
    assert page.count('name="remove_upload"') == 2
    assert "lampirkan kembali" not in page  # nothing to choose again

    fixed = resend(data, ids, description=report_form()["description"])
    response = post_report(client, fixed, follow=True)
    assert response.status_code == 200 and code_on(response.text)
    assert held_rows(app) == []
    # the held files became the evidence: no copy, nothing else left
    assert len(evidence_keys(app)) == 6
    assert files_on_disk(app) == evidence_keys(app)


def test_a_file_ticked_remove_is_left_out_and_deleted(app, client, report_form):
    data, ids, _page = refuse_with_files(client, report_form)
    removed = {r.id: r for r in held_rows(app)}[ids[0]]
    fixed = resend(data, ids, description=report_form()["description"], remove_upload=[ids[0]])
    assert post_report(client, fixed).status_code == 303
    assert len(evidence_keys(app)) == 3
    assert removed.original_key not in files_on_disk(app)
    assert files_on_disk(app) == evidence_keys(app)


def test_removing_every_kept_file_asks_for_a_screenshot(app, client, report_form):
    data, ids, _page = refuse_with_files(client, report_form)
    fixed = resend(data, ids, description=report_form()["description"], remove_upload=ids)
    response = post_report(client, fixed)
    assert response.status_code == 400
    assert "Lampirkan paling sedikit satu tangkapan layar" in response.text
    assert held_rows(app) == [] and files_on_disk(app) == set()


def test_a_new_file_joins_the_kept_ones(app, client, report_form):
    data, ids, _page = refuse_with_files(client, report_form, files=[(png(), "pertama.png")])
    fixed = resend(data, ids, description=report_form()["description"])
    fixed["screenshots"] = [(png(color=(9, 9, 9)), "kedua.png")]
    assert post_report(client, fixed).status_code == 303
    from portal.evidence.models import Evidence

    with app.app_context():
        names = db.session.scalars(sa.select(Evidence.original_filename).order_by(Evidence.id))
        assert list(names) == ["pertama.png", "kedua.png"]


def test_another_session_can_neither_claim_nor_see_the_kept_files(app, client, report_form):
    data, ids, _page = refuse_with_files(client, report_form)
    stranger = app.test_client()
    fixed = resend(data, ids, description=report_form()["description"])
    response = post_report(stranger, fixed)  # the same key and ids, from another browser
    assert response.status_code == 400
    assert "Lampirkan paling sedikit satu tangkapan layar" in response.text
    assert "layar-1.png" not in response.text
    assert len(held_rows(app)) == 2 and evidence_keys(app) == set()
    stranger.get("/lapor")
    answer = stranger.get(
        f"/lapor/unggah/{ids[0]}", headers={"X-Form-Key": data["idempotency_key"]}
    )
    assert answer.status_code == 404


def test_a_forged_form_key_claims_nothing(app, client, report_form):
    data, ids, _page = refuse_with_files(client, report_form)
    forged = resend(data, ids, description=report_form()["description"])
    forged["idempotency_key"] = os.urandom(16).hex()  # same session, another form
    response = post_report(client, forged)
    assert response.status_code == 400
    assert "Lampirkan paling sedikit satu tangkapan layar" in response.text
    assert len(held_rows(app)) == 2


def test_a_double_click_after_the_files_were_claimed_gets_the_first_receipt(
    app, client, report_form
):
    data, ids, _page = refuse_with_files(client, report_form)
    fixed = resend(data, ids, description=report_form()["description"])
    first = post_report(client, fixed, follow=True)
    second = post_report(client, fixed, follow=True)
    assert code_on(first.text) == code_on(second.text)
    assert len(evidence_keys(app)) == 6


def expire_all(app) -> None:
    from portal.intake.models import HeldUpload

    with app.app_context():
        db.session.execute(sa.update(HeldUpload).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()


def test_an_expired_hold_is_not_claimed_and_the_worker_leaves_nothing(app, client, report_form):
    from portal.worker.loop import run_pass

    data, ids, _page = refuse_with_files(client, report_form)
    expire_all(app)
    fixed = resend(data, ids, description=report_form()["description"])
    response = post_report(client, fixed)
    assert response.status_code == 400
    assert "Lampirkan paling sedikit satu tangkapan layar" in response.text
    with app.app_context():
        stats = run_pass(owner="test")
    assert not stats.failed_step("uploads"), stats.errors
    assert held_rows(app) == []
    assert files_on_disk(app) == set()


def test_expiry_keeps_a_file_a_report_also_uses(app, client, report_form):
    from portal.intake.uploads.operations import remove_expired_holds

    data = report_form()
    assert post_report(client, data).status_code == 303  # filed: layar-1.png is evidence
    _data, ids, _page = refuse_with_files(client, report_form)  # the same images, held again
    expire_all(app)
    with app.app_context():
        remove_expired_holds()
    assert held_rows(app) == []
    assert files_on_disk(app) == evidence_keys(app) != set()


def test_the_sweep_keeps_held_files(app, client, report_form):
    from portal.evidence.operations import sweep

    refuse_with_files(client, report_form)
    before = files_on_disk(app)
    with app.app_context():
        result = sweep(older_than=timedelta(0))
    assert result.deleted == 0 and files_on_disk(app) == before


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_kept_files_are_explained_in_the_chosen_language(client, report_form, language):
    if language == "en":
        client.post("/bahasa", data={"lang": "en", "next": "/lapor"})
    _data, _ids, page = refuse_with_files(client, report_form)
    words = {"id": "Sudah diterima", "en": "Already received"}[language]
    assert words in page
    assert {"id": "Hapus", "en": "Remove"}[language] in page
