"""The official-account registry in a real Chromium on a phone: import with errors, then a
valid file; no sideways scrolling, nothing blocked by the CSP."""

import pytest

pytestmark = pytest.mark.e2e
pytest_plugins = ("tests.fixtures.capture",)


@pytest.fixture
def app(app):
    """The usual app, with the capture blueprint registered if the factory does not yet."""
    from tests.fixtures.capture import install_capture

    install_capture(app)
    return app


def test_admin_imports_official_accounts_on_a_phone(page, live_server, make_user, tmp_path):
    admin = make_user(role="admin", team=None)
    page.set_viewport_size({"width": 375, "height": 740})
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(live_server + "/petugas/admin/akun-resmi")
    page.fill("#email", admin.email)
    page.fill("#password", "correct horse battery")
    page.click("button.primary")
    assert page.url.endswith("/petugas/admin/akun-resmi")

    bad = tmp_path / "salah.csv"
    bad.write_text("platform,handle,agency,region\nmyspace,dinas,Dinas X,\n")
    page.set_input_files("#file", str(bad))
    page.click("#import button[type=submit]")
    errors = page.text_content(".capture-import-errors")
    assert "Baris 2:" in errors and "myspace" in errors

    good = tmp_path / "akun.csv"
    good.write_text(
        "platform,handle,agency,region\n"
        "instagram,@diskominfo.lubuklinggau,Diskominfo Kota Lubuk Linggau,16.74\n"
    )
    page.set_input_files("#file", str(good))
    page.click("#import button[type=submit]")
    assert "1 ditambahkan" in page.text_content("body")
    assert "@diskominfo.lubuklinggau" in page.text_content("#accounts")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("#accounts button[type=submit]")
    assert "Belum ada akun resmi." in page.text_content("#accounts")
    assert blocked == []
