"""Staff login in a real Chromium on a phone-sized screen, without any page script."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 375, "height": 740})
    return page


def test_officer_logs_in_sees_home_and_logs_out(phone, live_server, make_user):
    user = make_user(name="Rina Petugas", role="officer")
    blocked = []  # the CSP forbids inline script and style: nothing of ours may trip it
    phone.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    phone.goto(live_server + "/petugas/akun")
    assert "/petugas/masuk" in phone.url
    assert "Silakan masuk untuk melihat halaman ini." in phone.text_content("main")
    phone.fill("#email", user.email)
    phone.fill("#password", "correct horse battery")
    phone.click("button.primary")
    assert phone.url.endswith("/petugas/akun")
    assert phone.input_value("#name") == "Rina Petugas"

    phone.goto(live_server + "/petugas/")
    assert "Halo, Rina Petugas" in phone.text_content("h1")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the staff home page scrolls sideways on a phone"
    phone.click("main form button[type=submit]")
    assert "/petugas/masuk" in phone.url
    assert "Anda telah keluar." in phone.text_content("main")
    phone.goto(live_server + "/petugas/")
    assert "/petugas/masuk" in phone.url
    assert blocked == []


def test_wrong_password_shows_one_message_in_the_browser(phone, live_server, make_user):
    user = make_user()
    phone.goto(live_server + "/petugas/masuk")
    phone.fill("#email", user.email)
    phone.fill("#password", "not the right one")
    phone.click("button.primary")
    assert "Alamat email atau kata sandi tidak benar" in phone.text_content(".error-summary")
    assert phone.input_value("#email") == user.email
    assert phone.input_value("#password") == ""
