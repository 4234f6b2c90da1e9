"""Choosing the category on a 360 px phone (Chromium), with and without JavaScript, in both
languages: every card's name shown whole, the keyboard reaches and marks the cards, choosing
the scenario's card shows only its questions, no sideways scrolling, under 50 KB, and no
axe-core violation on the form before and after the choice."""

import pytest

from tests.test_phone_journey import AXE_SCRIPT, AXE_TAGS, BUDGET, PHONE, SHOTS

pytestmark = pytest.mark.e2e

SCENARIO = {
    "id": ("Netralitas ASN: posting kampanye di media sosial", "Lanjut", "Ganti kategori"),
    "en": (
        "Civil-servant neutrality: posting campaign material on social media",
        "Continue",
        "Change category",
    ),
}


def open_form(context, live_server: str, language: str, query: str = ""):
    page = context.new_page()
    page.goto(live_server + "/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]", state="attached")
    page.goto(f"{live_server}/lapor{query}")
    return page


def assert_fits_the_phone(page, context) -> int:
    wide, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert wide <= inner, f"the page scrolls sideways ({wide} > {inner} px)"
    html = page.evaluate("() => performance.getEntriesByType('navigation')[0].decodedBodySize")
    assets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
        ".map(e => e.href || e.src)"
    )
    weight = html + sum(len(context.request.get(url).body()) for url in assets)
    assert weight < BUDGET, f"{weight} bytes of HTML, CSS and JS"
    return weight


def assert_no_axe_violation(page, *, as_without_scripts: bool = False) -> None:
    if as_without_scripts:  # the layout a browser without scripts gets (intake.css)
        page.evaluate("() => document.documentElement.classList.remove('js')")
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"axe-core found {problems}"


def assert_cards_shown_whole(page) -> None:
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.category-card')].filter(card => {
             const box = card.getBoundingClientRect();
             const name = card.querySelector('.card-name');
             return box.left < 0 || box.right > innerWidth || box.height < 40
               || name.scrollWidth > name.clientWidth || name.offsetParent === null;
           }).map(card => card.textContent.trim().slice(0, 40))"""
    )
    assert cut == []
    assert page.locator(".category-card").count() == 9
    assert page.locator(".category-group legend").count() == 3


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_choosing_the_scenario_category_on_a_phone(app, live_server, browser, language, javascript):
    name, continue_label, change_label = SCENARIO[language]
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = open_form(context, live_server, language)
    assert_fits_the_phone(page, context)
    assert_cards_shown_whole(page)
    assert page.locator("#reported_party").is_visible() == javascript
    assert page.get_by_role("button", name=continue_label).is_visible() != javascript

    # the keyboard reaches the cards and the focused card is marked
    page.locator("#category-asn-medsos-posting").focus()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == "category-akun-resmi-kampanye"
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement.closest('.category-card')).outlineStyle"
    )
    assert outline != "none"

    page.locator(".category-card", has_text=name).click()  # anywhere on the card
    assert page.get_by_role("radio", name=name).is_checked()
    label = f"{language}-{'js' if javascript else 'nojs'}"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/categories-{label}.png", full_page=True)
    if not javascript:
        page.get_by_role("button", name=continue_label).click()
        page.get_by_role("button", name=change_label).wait_for()
        assert page.locator(".category-card").count() == 1  # the chosen one, shown whole
        assert page.locator("#questions-fasilitas-negara").count() == 0
        # change of mind: back to the cards and on with another one, nothing typed lost
        page.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
        page.get_by_role("button", name=change_label).click()
        page.get_by_role("button", name=continue_label).wait_for()
        assert page.get_by_role("radio", name=name).is_checked()
        page.locator("#category-fasilitas-negara").check()
        page.get_by_role("button", name=continue_label).click()
        page.locator("#questions-fasilitas-negara").wait_for()
        assert page.locator("#reported_party").input_value() == "Diskominfo Kota Lubuk Linggau"
        assert page.locator("#questions-asn-medsos-posting").count() == 0
        page.get_by_role("button", name=change_label).click()
        page.locator(".category-card", has_text=name).click()
        page.get_by_role("button", name=continue_label).click()
        page.get_by_role("button", name=change_label).wait_for()
    else:
        assert page.locator("#questions-fasilitas-negara").is_hidden()
    assert page.locator("#questions-asn-medsos-posting").is_visible()
    assert page.locator("#reported_party").is_visible()
    assert_fits_the_phone(page, context)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/categories-{label}-chosen.png", full_page=True)
    if javascript:
        assert_no_axe_violation(page)
    context.close()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_category_form_has_no_axe_violation_with_or_without_scripts(
    app, live_server, browser, language
):
    """axe-core needs scripts, so the no-script layout is checked by taking the page's `js`
    class away (intake.css keys on it): cards alone, then the chosen category's form."""
    context = browser.new_context(viewport=PHONE)
    for query, as_without_scripts in [
        ("", False),
        ("", True),
        ("?kategori=asn-medsos-posting", True),
        ("?kategori=asn-medsos-posting", False),
    ]:
        page = open_form(context, live_server, language, query)
        assert_no_axe_violation(page, as_without_scripts=as_without_scripts)
        if as_without_scripts and not query:
            assert page.locator("#reported_party").is_hidden()
        page.close()
    context.close()
