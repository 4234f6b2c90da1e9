"""The legal window on the report form follows the category and the date known as a resident
picks them, in a real Chromium (the server computes it; the page's script only asks)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ELECTION = "Netralitas ASN: posting kampanye di media sosial"
SERVICE = "Pengaduan pelayanan publik"


def choose_category(page, label: str) -> None:
    """A select or radio cards: whichever the form uses."""
    field = page.locator('#report-form [name="category"]').first
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(label=label)
    else:
        page.get_by_role("radio", name=label).check()  # the card's name, then its description


def test_the_window_updates_as_the_date_known_is_typed(app, live_server, page):
    from portal.clock import local_today

    with app.app_context():
        today = local_today()
    page.goto(live_server + "/lapor")
    box = page.locator("#legal-window")
    choose_category(page, ELECTION)
    page.locator("#learned_on").fill((today - timedelta(days=2)).isoformat())
    expect(box).to_contain_text("(tersisa 5 hari)")
    page.locator("#learned_on").fill((today - timedelta(days=6)).isoformat())
    expect(box).to_contain_text("Tinggal 1 hari")
    page.locator("#learned_on").fill((today - timedelta(days=10)).isoformat())
    expect(box).to_contain_text("informasi awal")
    expect(box).to_have_class("legal-window legal-window-closed")
    choose_category(page, SERVICE)
    expect(box).to_contain_text("tidak memiliki batas waktu pelaporan")
