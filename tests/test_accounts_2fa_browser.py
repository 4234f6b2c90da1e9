"""Two-step sign-in in a real Chromium on a 360 px wide phone screen, without any page script:
set it up from the key on the page, then log in with a code."""

import time

import pyotp
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    return page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_officer_sets_up_two_step_sign_in_and_logs_in_with_a_code(phone, live_server, make_user):
    user = make_user(name="Rina Petugas", role="officer")
    blocked = []  # the CSP forbids inline script and style: the QR code must not trip it
    phone.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    phone.goto(live_server + "/petugas/masuk")
    phone.fill("#email", user.email)
    phone.fill("#password", "correct horse battery")
    phone.click("button.primary")
    phone.goto(live_server + "/petugas/akun")
    phone.click("text=Siapkan verifikasi dua langkah")
    phone.click("main button.primary")  # set up: a key is made

    qr = phone.locator("svg.qr-code")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert fits(phone), "the set-up page scrolls sideways on a phone"
    secret = phone.text_content("#totp-secret")  # what someone types into the app
    assert len(secret) == 32
    phone.fill("#code", pyotp.TOTP(secret).now())
    phone.click("main form button.primary")
    assert "Kode pemulihan Anda" in phone.text_content("h1")
    codes = phone.locator(".recovery-codes code").all_text_contents()
    assert len(codes) == 10
    assert fits(phone)

    phone.click("text=Sudah saya simpan")
    phone.click("main form button[type=submit]")  # log out from the staff home page
    assert "/petugas/masuk" in phone.url

    phone.fill("#email", user.email)
    phone.fill("#password", "correct horse battery")
    phone.click("button.primary")
    assert phone.url.endswith("/petugas/masuk/kode")
    assert "Verifikasi dua langkah" in phone.text_content("h1")
    assert phone.get_attribute("#code", "autocomplete") == "one-time-code"
    assert phone.get_attribute("#code", "inputmode") == "numeric"
    assert fits(phone)
    phone.goto(live_server + "/petugas/")  # the password alone opened nothing
    assert "/petugas/masuk" in phone.url and "/kode" not in phone.url
    phone.goto(live_server + "/petugas/masuk/kode")

    phone.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # the next code in the app
    phone.click("main form button.primary")
    assert phone.url.endswith("/petugas/")
    assert "Halo, Rina Petugas" in phone.text_content("h1")
    assert blocked == []
