"""A supervisor and an officer work a case in a real Chromium, on a phone-sized screen."""

import pytest

from portal.cases.models import CannedReply, Case
from portal.db import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 375, "height": 740})
    return page


def _login(page, live_server, user):
    page.goto(live_server + "/petugas/masuk")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("main form button.primary")


def test_case_from_queue_to_decision(phone, live_server, app, make_case, make_user):
    made = make_case(reports=3, emails=["satu@example.com", None, None])
    with app.app_context():
        db.session.add(
            CannedReply(
                title="Minta jam unggah",
                body_en="When did you see it?",
                body_id="Jam berapa unggahan itu Anda lihat?",
            )
        )
        db.session.commit()
    supervisor = make_user(role="supervisor", name="Sari Supervisor")
    officer = make_user(name="Putra Petugas")
    blocked = []
    phone.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    _login(phone, live_server, supervisor)
    phone.goto(live_server + "/petugas/kasus/")
    row = phone.locator(f'[data-case="{made.reference}"]')
    assert "3 laporan" in row.text_content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    row.locator("a").first.click()
    assert phone.text_content("h1").startswith(made.reference)
    phone.click("#assignment summary")  # the panel folds; its form shows when chosen
    phone.select_option("#assignee", str(officer.id))
    phone.click("#assignment form.inline-form input[type=submit]")
    assert "Kasus telah ditugaskan." in phone.text_content(".flash")
    assert "Putra Petugas" in phone.text_content("#assignment")

    phone.context.clear_cookies()
    _login(phone, live_server, officer)
    phone.goto(live_server + f"/petugas/kasus/{made.id}")
    phone.click("form.move-investigating button")
    phone.click("#messages summary")
    phone.select_option("#canned", label="Minta jam unggah")  # the script fills the message
    assert phone.input_value("#message-body") == "Jam berapa unggahan itu Anda lihat?"
    phone.click(".move-choice-resolved summary")
    phone.select_option("#resolve-outcome", "substantiated")
    phone.fill("#resolve-summary", "Terbukti: akun resmi dipakai untuk kampanye.")
    phone.click("form.move-resolved button")
    assert "Status telah diubah." in phone.text_content(".flash")
    assert phone.text_content("h1 .status") == "Selesai"
    assert "Terbukti: akun resmi dipakai" in phone.text_content("section#summary")
    assert blocked == []
    with app.app_context():
        case = db.session.get(Case, made.id)
        assert (case.status, case.outcome) == ("resolved", "substantiated")
