"""The public side on a cheap phone: a 360 px Chromium, with and without JavaScript, in both
languages, walks home → form (one refusal, files kept) → receipt → status → reply → public case →
transparency. On every page: no sideways scrolling, HTML+CSS+JS under 50 KB, and no WCAG 2.2
AA violation that axe-core finds."""

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from axe_playwright_python import sync_playwright as axe_module
from PIL import Image

from portal.db import db
from tests.fixtures.intake import IG_LINK

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
BUDGET = 50 * 1024
AXE_SCRIPT = (Path(axe_module.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = os.environ.get("PHONE_SHOTS")  # a folder to keep each page's screenshot, to look at
WORDS = {
    "id": {
        "send": "Kirim laporan",
        "show": "Tampilkan laporan saya",
        "reply": "Kirim balasan",
        "sent": "Balasan Anda telah terkirim",
        "category": "Netralitas ASN: posting kampanye di media sosial",
        "continue": "Lanjut",
    },
    "en": {
        "send": "Send report",
        "show": "Show my report",
        "reply": "Send reply",
        "sent": "Your reply was sent",
        "category": "Civil-servant neutrality: posting campaign material on social media",
        "continue": "Continue",
    },
}
DESCRIPTION = (
    "Akun Instagram resmi Diskominfo mengunggah poster kampanye salah satu calon, "
    "lalu menghapusnya beberapa jam kemudian."
)


class Pages:
    """Checks each page the resident sees and keeps its weight for the summary."""

    def __init__(self, page, context, label: str, javascript: bool):
        self.page, self.context, self.label = page, context, label
        self.javascript = javascript
        self.sizes: dict[str, int] = {}
        self.weights: list[tuple[str, int]] = []

    def size_of(self, url: str) -> int:
        if url not in self.sizes:
            self.sizes[url] = len(self.context.request.get(url).body())
        return self.sizes[url]

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{self.label}-{name}.png", full_page=True)
        wide, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
        assert wide <= inner, f"{name}: the page scrolls sideways ({wide} > {inner} px)"
        html = page.evaluate("() => performance.getEntriesByType('navigation')[0].decodedBodySize")
        assets = page.evaluate(
            "() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
            ".map(e => e.href || e.src)"
        )
        weight = html + sum(self.size_of(url) for url in assets)
        self.weights.append((name, weight))
        assert weight < BUDGET, f"{name}: {weight} bytes of HTML, CSS and JS"
        if not self.javascript:
            return  # axe-core runs on timers, which never fire with scripts off; the js run checks
        page.evaluate(AXE_SCRIPT)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert problems == [], f"{name}: axe-core found {problems}"

    def report(self) -> None:
        print(f"\n{self.label}: " + ", ".join(f"{n} {w / 1024:.1f} KB" for n, w in self.weights))


def screenshot_file(path) -> str:
    image = Image.new("RGB", (1080, 2400), (245, 245, 245))
    for row in range(10):
        image.paste((40 + row * 20, 90, 140), (40, 200 + row * 200, 1040, 330 + row * 200))
    image.save(path, "PNG")
    return str(path)


def publish_filed_case(app, publish, reference: str) -> None:
    from portal.cases.models import Case
    from portal.evidence.models import Evidence
    from portal.intake.models import Report
    from portal.public.stats import refresh_stats

    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        evidence_ids = db.session.scalars(
            sa.select(Evidence.id).join(Report).where(Report.case_id == case.id)
        ).all()
        case_id = case.id
    publish(case_id, summary="Akun resmi memuat materi kampanye.", evidence_ids=evidence_ids)
    with app.app_context():
        refresh_stats()
        db.session.commit()


def visible_buttons(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('main button, main .btn')]
             .filter(b => b.offsetParent !== null)
             .map(b => ({id: b.id, text: b.textContent.trim(), tag: b.tagName,
                         type: b.getAttribute('type'), inForm: !!b.form,
                         href: b.getAttribute('href')}))"""
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_phone_journey(app, live_server, browser, publish, tmp_path, language, javascript):
    words = WORDS[language]
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    pages = Pages(page, context, f"{language}-{'js' if javascript else 'nojs'}", javascript)
    page.goto(live_server + "/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]", state="attached")
    pages.check("home")

    page.goto(live_server + "/lapor")
    pages.check("form")
    page.get_by_role("radio", name=words["category"]).check()
    if not javascript:  # the category comes first, then the form with its questions
        page.get_by_role("button", name=words["continue"]).click()
        page.locator("#questions-asn-medsos-posting").wait_for()
        pages.check("form-category-chosen")
    block = page.locator("#questions-asn-medsos-posting")
    block.locator("select").select_option("instagram")
    block.locator("input[type=text]").fill("@diskominfo.kota")
    page.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
    page.locator("#region").select_option(label="Kota Lubuk Linggau")
    page.locator("#learned_on").fill("2026-01-05")
    page.locator("#description").fill("Terlalu pendek")  # refused: under 20 characters
    shot = screenshot_file(tmp_path / "layar-dengan-nama-berkas-yang-sangat-panjang-sekali.png")
    page.locator("#screenshots").set_input_files(shot)
    page.locator("#links").fill(IG_LINK)
    page.get_by_role("button", name=words["send"]).click()
    page.locator(".error-summary").wait_for()
    assert page.locator(".error-summary").count() == 1
    assert page.locator(".error-summary a[href='#description']").count() == 1
    pages.check("form-refused")

    assert page.locator("#held-files .held-name").count() == 1  # kept: not chosen again
    page.locator("#description").fill(DESCRIPTION)
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/laporan/tanda-terima")
    code = page.locator("#tracking-code").inner_text().strip()
    reference = page.locator("#case-reference").inner_text().strip()
    for button in visible_buttons(page):  # each visible button does something
        if button["tag"] == "A":
            assert button["href"], button
        elif button["id"] not in ("copy-code", "print-receipt"):
            assert button["inForm"] and button["type"] == "submit", button
    assert page.locator("#print-receipt").is_visible() == javascript
    assert page.locator("#print-hint").is_visible() != javascript
    if not javascript:
        assert not page.locator("#copy-code").is_visible()
    pages.check("receipt")

    page.goto(live_server + "/lacak")
    page.locator("#code").fill(code)
    page.get_by_role("button", name=words["show"]).click()
    page.wait_for_url("**/lacak/status")
    assert DESCRIPTION in page.locator("#own-description").inner_text()
    assert IG_LINK in page.locator(".own-links").inner_text()
    assert page.locator(".own-report img.thumb").count() == 1
    pages.check("status")
    page.locator("#body").fill("Unggahan dihapus sekitar pukul 14.00 WIB.")
    page.get_by_role("button", name=words["reply"]).click()
    page.wait_for_url("**/lacak/status#messages")
    assert words["sent"] in page.locator("#reply-sent").inner_text()
    assert "14.00 WIB" in page.locator("#messages + .messages").inner_text()
    pages.check("status-replied")

    publish_filed_case(app, publish, reference)
    page.goto(f"{live_server}/kasus/{reference}")
    image = page.locator(".evidence-gallery a img")
    assert image.count() == 1
    assert "/gambar" in page.locator(".evidence-gallery a:has(img)").get_attribute("href")
    image.scroll_into_view_if_needed()
    assert image.bounding_box()["width"] >= 280  # readable on the phone, not a thumbnail
    assert "2026-" not in page.locator(".case-facts").inner_text()  # days in words
    pages.check("case")

    page.goto(f"{live_server}/transparansi")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.bars text')].map(t =>
             parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 12, sizes
    labels = page.locator("svg.bars").first.text_content()
    assert "…" not in page.locator(".chart").all_inner_texts()[1]
    assert labels
    pages.check("transparency")
    pages.report()
    context.close()


@pytest.mark.parametrize("width", [360, 1366])
def test_transparency_filters_line_up_on_a_laptop_and_stack_on_a_phone(
    app, live_server, browser, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/transparansi")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/transparency-{width}.png")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.filters .filter')]"
        ".map(f => Math.round(f.getBoundingClientRect().bottom))"
    )
    if width > 1000:  # one row: every field and the button end on the same line
        assert len(set(tops)) == 1, tops
    else:  # stacked, one under the other
        assert tops == sorted(tops) and len(set(tops)) == len(tops), tops
    wide, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert wide <= inner
    context.close()
