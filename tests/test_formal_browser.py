"""The formal laporan on a 360 px phone in Chromium, in Indonesian and in English: the resident
opens the formal questions (her answers kept), is refused a wrong NIK by its field, files with
her ID card, sees the checklist on her receipt; the officer asks for a witness; she completes it
on her status page; the officer registers it and she sees the number and her form to sign. On
every page: no sideways scrolling and no WCAG 2.2 AA violation that axe-core finds."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.fixtures.images import png
from tests.fixtures.intake import IG_LINK
from tests.test_phone_journey import AXE_SCRIPT, AXE_TAGS, PHONE

pytestmark = pytest.mark.e2e
DESCRIPTION = "Akun Instagram resmi Diskominfo mengunggah poster kampanye salah satu calon."
WORDS = {
    "id": {
        "category": "Netralitas ASN: posting kampanye di media sosial",
        "open": "Jadikan laporan resmi",
        "first": "syarat formil: 3 kurang (identitas, KTP, terlapor)",
        "identity": "syarat formil: 1 kurang (identitas)",
        "witness": "syarat materiil: 1 kurang (saksi)",
        "send": "Kirim laporan",
        "nik": "16 digit",
        "show": "Tampilkan laporan saya",
        "asked": "Petugas meminta Anda melengkapi laporan",
        "complete": "Kirim kekurangannya",
        "done": "syarat materiil: lengkap",
    },
    "en": {
        "category": "Civil-servant neutrality: posting campaign material on social media",
        "open": "Make it a formal laporan",
        "first": "formal requirements: 3 missing (identity, ID card, reported party)",
        "identity": "formal requirements: 1 missing (identity)",
        "witness": "material requirements: 1 missing (witnesses)",
        "send": "Send report",
        "nik": "16 digits",
        "show": "Show my report",
        "asked": "Officers ask you to complete your laporan",
        "complete": "Send what was missing",
        "done": "material requirements: complete",
    },
}


def check(page, name: str, weights: list) -> None:
    page.wait_for_load_state("load")
    wide, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert wide <= inner, f"{name}: the page scrolls sideways ({wide} > {inner} px)"
    weights.append((name, page.evaluate("() => document.documentElement.outerHTML.length")))
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{name}: axe-core found {problems}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_formal_laporan_on_a_phone(
    app, live_server, browser, tmp_path, make_user, login_as, language
):
    words = WORDS[language]
    shot, card = tmp_path / "layar.png", tmp_path / "ktp.png"
    shot.write_bytes(png())
    card.write_bytes(png(color=(10, 120, 200)))
    weights: list = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/lapor")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]", state="attached")
    page.get_by_role("radio", name=words["category"]).check()
    block = page.locator("#questions-asn-medsos-posting")
    block.locator("select").select_option("instagram")
    block.locator("input[type=text]").fill("@diskominfo.kota")
    page.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
    page.locator("#region").select_option(label="Kota Lubuk Linggau")
    page.locator("#incident_at").fill((date.today() - timedelta(days=1)).isoformat() + "T19:00")
    page.locator("#learned_on").fill(date.today().isoformat())
    page.locator("#description").fill(DESCRIPTION)
    page.locator("#screenshots").set_input_files(str(shot))
    page.locator("#held-files .held-name").wait_for()
    page.locator("#links").fill(IG_LINK)
    page.locator("input[value=confidential]").check()
    page.get_by_role("button", name=words["open"]).click()
    page.locator("#formal-full_name").wait_for()
    assert page.locator("#description").input_value() == DESCRIPTION  # every answer kept
    assert page.locator("#formal-is_formal").is_checked()
    summary = page.locator("#formal-summary")
    assert words["first"] in summary.inner_text()
    check(page, "form-formal", weights)

    page.locator("#formal-full_name").fill("Siti Rahmawati")
    page.locator("#formal-nik").fill("12345")
    page.locator("#formal-birth_place").fill("Lubuk Linggau")
    page.locator("#formal-birth_date").fill("1990-05-17")
    page.locator("#formal-sex").select_option("P")
    page.locator("#formal-occupation").fill("Guru")
    page.locator("#formal-address").fill("Jl. Yos Sudarso No. 12, Lubuk Linggau")
    page.locator("#formal-email").fill("siti@example.com")
    page.locator("#formal-party_name").fill("Diskominfo Kota Lubuk Linggau")
    page.locator("#formal-party_address").fill("Jl. Garuda No. 1, Lubuk Linggau")
    page.locator("#formal-event_place").fill("Instagram @diskominfo.kota")
    page.locator("#formal-id_card").set_input_files(str(card))
    summary = page.locator("#formal-summary")  # the live checklist follows the answers
    expect(summary).to_contain_text(words["identity"])
    expect(summary).to_contain_text(words["witness"])
    page.get_by_role("button", name=words["send"]).click()
    page.locator(".error-summary a[href='#formal-nik']").wait_for()
    assert words["nik"] in page.locator("#formal-nik ~ .error").inner_text()
    assert page.locator("#formal-full_name").input_value() == "Siti Rahmawati"
    assert "ktp.png" in page.locator("#id-card-held").inner_text()  # kept: not chosen again
    check(page, "form-refused", weights)

    page.locator("#formal-nik").fill("1673 0123 4567 8901")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/laporan/tanda-terima")
    assert words["witness"] in page.locator("#formal-summary").inner_text()
    code = page.locator("#tracking-code").inner_text().strip()
    check(page, "receipt", weights)

    from sqlalchemy import select

    from portal.db import db
    from portal.intake.formal.models import FormalLaporan

    with app.app_context():
        laporan = db.session.scalar(select(FormalLaporan))
        base = f"/petugas/kasus/{laporan.report.case_id}/laporan/{laporan.id}"
    officer = app.test_client()
    login_as(officer, make_user(role="officer"))
    assert officer.post(f"{base}/lengkapi", data={"missing": ["witnesses"]}).status_code == 303

    page.goto(live_server + "/lacak")
    page.locator("#code").fill(code)
    page.get_by_role("button", name=words["show"]).click()
    page.wait_for_url("**/lacak/status")
    assert words["asked"] in page.locator("#completion-request").inner_text()
    check(page, "status-asked", weights)
    page.locator("#formal-witnesses-0-name").fill("Budi Santoso")
    page.get_by_role("button", name=words["complete"]).click()
    page.wait_for_url("**/lacak/status#laporan")
    assert words["done"] in page.locator("#formal-summary").inner_text()

    assert officer.post(f"{base}/registrasi", data={}).status_code == 303
    page.reload()
    registered = page.locator("#laporan-registered").inner_text()
    assert "/Reg/LP/PW/" in registered
    with page.expect_download() as download:
        page.locator("#laporan-form-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    check(page, "status-registered", weights)
    print("\nformal laporan pages: " + ", ".join(f"{n} {w / 1024:.1f} KB" for n, w in weights))
    context.close()
