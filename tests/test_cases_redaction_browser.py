"""An officer redacts a screenshot with the mouse and publishes it, in a real Chromium on a
phone-sized screen; the public page then serves the redacted copy."""

from io import BytesIO
from pathlib import Path

import pytest
from axe_playwright_python import sync_playwright as axe_module
from PIL import Image

from portal.db import db, unit_of_work
from tests.fixtures.images import png

pytestmark = pytest.mark.e2e
BLUE = (30, 90, 160)
AXE_SCRIPT = (Path(axe_module.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _login(page, live_server, user):
    page.goto(live_server + "/petugas/masuk")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("main form button.primary")


def _box(page, row: int) -> dict[str, int]:
    return {
        part: int(page.input_value(f"#boxes-{row}-{part}"))
        for part in ("x", "y", "width", "height")
    }


def _screenshot(app, make_case):
    from portal.evidence.operations import store_evidence
    from portal.intake.models import Report

    made = make_case()
    with app.app_context(), unit_of_work():
        report = db.session.get(Report, made.report_ids[0])
        evidence_id = store_evidence(
            report=report, data=png(width=720, height=1600, color=BLUE), filename="a.png"
        ).id
    return made, evidence_id


def test_officer_draws_a_box_saves_and_publishes_the_redacted_copy(
    page, browser, live_server, app, make_case, make_user
):
    made, evidence_id = _screenshot(app, make_case)
    officer = make_user()
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.set_viewport_size({"width": 360, "height": 740})
    _login(page, live_server, officer)

    page.goto(f"{live_server}/petugas/kasus/{made.id}")
    page.click("#publikasi summary")  # the panel folds; its form shows when chosen
    page.click(f"#publikasi a[href$='/bukti/{evidence_id}/samarkan']")
    assert "720 × 1600 piksel" in page.text_content("#image-size")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    image = page.locator(".redact-stage img")
    image.scroll_into_view_if_needed()
    shown = image.bounding_box()
    assert shown["width"] < 720  # scaled down to the phone: the script converts to pixels
    page.mouse.move(shown["x"] + shown["width"] * 0.2, shown["y"] + shown["height"] * 0.1)
    page.mouse.down()
    page.mouse.move(shown["x"] + shown["width"] * 0.6, shown["y"] + shown["height"] * 0.2, steps=5)
    page.mouse.up()
    drawn = _box(page, 0)
    assert 130 <= drawn["x"] <= 160 and 150 <= drawn["y"] <= 170
    assert 270 <= drawn["width"] <= 310 and 150 <= drawn["height"] <= 170
    assert page.locator(".redact-box").count() == 1
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []

    page.locator(".redact-box").focus()  # by keyboard: arrows move, Shift+arrows resize
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    box = _box(page, 0)
    assert (box["x"], box["height"]) == (drawn["x"] + 1, drawn["height"] + 1)

    page.click("input[name=save]")
    assert "Salinan tersamar disimpan (versi 1)." in page.text_content(".flash")

    page.goto(f"{live_server}/petugas/kasus/{made.id}")
    page.click("#publikasi summary")
    page.check(f"input[name=evidence][value='{evidence_id}']")
    page.fill("#publication-summary", "Akun dinas memuat materi kampanye.")
    page.click("#publikasi form[action$='/publikasi'] button[type=submit]")
    assert "Kasus kini telah dipublikasikan." in page.text_content(".flash")
    assert blocked == []

    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(f"{live_server}/kasus/{made.reference}")
    source = public.locator(".evidence-gallery img").get_attribute("src")
    assert source == f"/bukti/{evidence_id}/publik/gambar"
    served = Image.open(BytesIO(visitor.request.get(live_server + source).body())).convert("RGB")
    middle = (box["x"] + box["width"] // 2, box["y"] + box["height"] // 2)
    assert served.getpixel(middle) == (0, 0, 0)
    assert served.getpixel((box["x"], box["y"])) == (0, 0, 0)
    assert served.getpixel((box["x"] - 1, box["y"])) == BLUE  # just outside the box
    assert served.getpixel((5, 5)) == BLUE
    visitor.close()


def test_without_javascript_the_typed_numbers_redact(
    browser, live_server, app, make_case, make_user
):
    made, evidence_id = _screenshot(app, make_case)
    officer = make_user()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _login(page, live_server, officer)
    page.goto(f"{live_server}/petugas/kasus/{made.id}/bukti/{evidence_id}/samarkan")
    assert page.locator(".redact-box").count() == 0  # nothing to draw with: the rows remain
    page.fill("#boxes-0-x", "700")
    page.fill("#boxes-0-y", "0")
    page.fill("#boxes-0-width", "50")
    page.fill("#boxes-0-height", "10")
    page.click("input[name=save]")
    error = page.text_content("#boxes-0-width + .error")
    assert error == "Kotak melewati tepi kanan: di sini lebarnya paling banyak 20 piksel."
    assert page.input_value("#boxes-0-x") == "700"  # the refused numbers are kept
    page.fill("#boxes-0-width", "20")
    page.click("input[name=more]")
    assert page.locator(".box-row").count() >= 4
    page.fill("#boxes-1-x", "0")
    page.fill("#boxes-1-y", "100")
    page.fill("#boxes-1-width", "720")
    page.fill("#boxes-1-height", "30")
    page.click("input[name=save]")
    assert "Salinan tersamar disimpan (versi 1)." in page.text_content(".flash")
    data = context.request.get(f"{live_server}/bukti/{evidence_id}/publik/gambar").body()
    served = Image.open(BytesIO(data)).convert("RGB")
    assert served.getpixel((710, 5)) == served.getpixel((360, 115)) == (0, 0, 0)
    assert served.getpixel((699, 5)) == served.getpixel((360, 99)) == BLUE
    context.close()
