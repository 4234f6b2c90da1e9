"""Issue 13's scenario in a real Chromium: a colleague in Diskominfo reports confidentially and
says she fears retaliation; the officer sees her only by her label, asks for her identity to
register the laporan; two custodians approve (the case is at risk); the officer sees it on the
recorded page; the resident reads on her status page who saw it, when and why."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from axe_playwright_python import sync_playwright as axe_module

from tests.fixtures.images import screenshot
from tests.fixtures.intake import IG_LINK

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NAME = "Dewi Kominfo-Rahasia"
EMAIL = "dewi.rahasia@contoh.example"
PHONE_NUMBER = "081299990001"
REASON = "Untuk meregistrasi laporan formal: identitas pelapor wajib tercantum."
AXE_SCRIPT = (Path(axe_module.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def accessible(page, name: str) -> None:
    """No WCAG 2.2 AA violation that axe-core finds on the page as it stands."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{name}: axe-core found {problems}"


def log_in(browser, live_server, user):
    """A fresh browser (its own cookies) with the user logged in through the form."""
    page = browser.new_context(locale="id-ID").new_page()
    page.goto(live_server + "/petugas/masuk")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Kata sandi").fill("correct horse battery")
    page.locator("main form").get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/petugas/**")
    return page


def resident_reports(page, live_server, tmp_path) -> tuple[str, str]:
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/lapor")
    form = page.locator("#report-form")
    form.get_by_role("radio", name="Netralitas ASN: posting kampanye di media sosial").check()
    block = page.locator("#questions-asn-medsos-posting")
    block.locator("select").select_option("instagram")
    block.locator("input[type=text]").fill("@diskominfo.lubuklinggau")
    form.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
    form.locator("#region").select_option(label="Kota Lubuk Linggau")
    yesterday = date.today() - timedelta(days=1)
    form.locator("#incident_at").fill(f"{yesterday.isoformat()}T09:30")
    form.locator("#learned_on").fill(yesterday.isoformat())
    form.locator("#description").fill(
        "Saya pegawai Diskominfo. Akun resmi kantor kami mengunggah poster kampanye calon "
        "kepala daerah atas perintah atasan, lalu menghapusnya."
    )
    shot = tmp_path / "layar-1.png"
    screenshot(1).save(shot, "PNG")
    form.locator("#screenshots").set_input_files(str(shot))
    page.locator("#held-files img").first.wait_for()
    form.locator("#links").fill(IG_LINK)
    form.locator("input[name=visibility][value=confidential]").check()
    form.locator("#contact_name").fill(NAME)
    form.locator("#contact_email").fill(EMAIL)
    form.locator("#contact_phone").fill(PHONE_NUMBER)
    form.get_by_label("Saya khawatir akan pembalasan karena laporan ini").check()
    accessible(page, "report form")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/laporan/tanda-terima")
    return (
        page.locator("#tracking-code").inner_text().strip(),
        page.locator("#case-reference").inner_text().strip(),
    )


def officer_asks(page, live_server, reference: str) -> None:
    page.goto(live_server + "/petugas/kasus/?tab=new")
    row = page.locator(f'tr[data-case="{reference}"]')
    assert "Pelapor berisiko" in row.inner_text()
    row.get_by_role("link", name=reference).click()
    identity = page.locator("#identity")
    accessible(page, "case page")
    assert "LPSK" in identity.inner_text() and "UU 31/2014" in identity.inner_text()
    assert "2 kustodian" in identity.inner_text()
    body = page.locator("main").inner_text()
    assert NAME not in body and EMAIL not in body and PHONE_NUMBER not in body
    label = page.locator("#reports article.report h3").first.inner_text()
    assert label.startswith("Pelapor A") and "rahasia" in label and "email ✓" in label
    identity.get_by_role("link", name="Minta melihat identitas").click()
    page.get_by_role("button", name="Minta kepada kustodian").click()  # no reason yet
    field = page.locator("#identity-reason")
    assert field.evaluate("e => e.validity.valueMissing")  # the browser asks for it first
    assert "/minta" in page.url
    accessible(page, "identity request")
    field.fill(REASON)
    page.get_by_role("button", name="Minta kepada kustodian").click()
    page.wait_for_url("**/petugas/kasus/*#identity")
    assert "Permintaan menunggu kustodian" in page.locator("#identity").inner_text()


def custodian_approves(page, live_server, reference: str) -> None:
    page.goto(live_server + "/petugas/identitas")
    request = page.locator("article.identity-request").filter(has_text=reference)
    assert REASON in request.inner_text() and "Berisiko" in request.inner_text()
    accessible(page, "custodians' inbox")
    assert EMAIL not in page.locator("main").inner_text()
    request.get_by_role("button", name="Setujui").click()
    page.wait_for_url("**/petugas/identitas")
    assert "Keputusan Anda dicatat." in page.locator(".flash").first.inner_text()


def test_colleague_reports_at_risk_and_two_custodians_let_the_officer_see_her(
    app, live_server, browser, page, tmp_path, make_user, make_custodian
):
    code, reference = resident_reports(page, live_server, tmp_path)

    officer = log_in(browser, live_server, make_user(name="Petugas Registrasi"))
    officer_asks(officer, live_server, reference)

    first = log_in(browser, live_server, make_custodian(name="Kustodian Pertama"))
    custodian_approves(first, live_server, reference)
    officer.reload()
    assert "Permintaan menunggu kustodian" in officer.locator("#identity").inner_text()
    second = log_in(browser, live_server, make_custodian(name="Kustodian Kedua"))
    custodian_approves(second, live_server, reference)

    officer.reload()
    officer.get_by_role("button", name="Tampilkan identitas (dicatat)").click()
    shown = officer.locator(".identity-shown").inner_text()
    assert NAME in shown and EMAIL in shown and PHONE_NUMBER in shown
    accessible(officer, "identity shown")

    page.goto(live_server + "/lacak")
    page.locator("#code").fill(code)
    page.get_by_role("button", name="Tampilkan laporan saya").click()
    page.wait_for_url("**/lacak/status")
    seen = page.locator(".identity-access").inner_text()
    accessible(page, "status page")
    assert "Seorang petugas diizinkan melihat identitas Anda pada" in seen
    assert REASON in seen
    assert "Seorang petugas melihat identitas Anda pada" in seen
    assert "UTC" not in seen and not re.search(r"\d{4}-\d{2}-\d{2}T", seen)
