"""A resident reads the transparency page in a real Chromium, without JavaScript."""

import pytest

from portal.db import db

pytestmark = pytest.mark.e2e


def test_transparency_page_in_both_languages_without_javascript(
    app, live_server, browser, make_case, case_pair
):
    for _ in range(5):
        make_case(category="asn-medsos-posting", region="16.74")
    from portal.public.stats import refresh_stats

    with app.app_context():
        refresh_stats()
        db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server}/transparansi")
    assert page.locator("h1").inner_text() == "Transparansi"
    assert page.locator("table.figures").first.is_visible()
    assert page.locator("svg.bars").first.is_visible()
    assert "Kota Lubuk Linggau" in page.content()
    page.select_option("#f-wilayah", "16.74")
    page.click("form.filters button[type=submit]")
    assert "wilayah=16.74" in page.url
    assert page.locator(".totals .big").inner_text() == "6"
    page.click("button[lang=en]")
    assert page.locator("h1").inner_text() == "Transparency"
    assert "wilayah=16.74" in page.url  # the filter survives the language switch
    page.goto(f"{live_server}/kasus/{case_pair.published}")
    assert page.locator("h1").inner_text() == case_pair.published
    assert page.locator(".thumbs img").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
