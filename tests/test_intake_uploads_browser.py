"""Files survive a refusal and a bad network, on a 360 px phone, with and without JavaScript,
in both languages: choose two screenshots, the form is refused, the screenshots are still
listed, fix the form and send it without choosing them again; the receipt shows. With
JavaScript each file goes ahead in pieces, and a piece whose answer is lost is not sent again:
the upload asks the server where it stands and goes on from there."""

import pytest
import sqlalchemy as sa

from portal.db import db
from tests.fixtures.images import encode, screenshot
from tests.test_phone_journey import AXE_SCRIPT, AXE_TAGS, DESCRIPTION, PHONE, WORDS

pytestmark = pytest.mark.e2e

LONG_NAME = "tangkapan-layar-dengan-nama-berkas-yang-sangat-panjang-sekali-{}.png"
PIECE = 8 * 1024


def no_sideways_scroll(page) -> None:
    wide, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert wide <= inner, f"the page scrolls sideways ({wide} > {inner} px)"


def axe_violations(page) -> list:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def fill_form(page, words, description: str, javascript: bool) -> None:
    page.get_by_role("radio", name=words["category"]).check()
    if not javascript:  # the category comes first, then the form with its questions
        page.get_by_role("button", name=words["continue"]).click()
    block = page.locator("#questions-asn-medsos-posting")
    block.locator("select").select_option("instagram")
    block.locator("input[type=text]").fill("@diskominfo.kota")
    page.locator("#reported_party").fill("Diskominfo Kota Lubuk Linggau")
    page.locator("#region").select_option(label="Kota Lubuk Linggau")
    page.locator("#learned_on").fill("2026-01-05")
    page.locator("#description").fill(description)


def evidence_names(app) -> list[str]:
    from portal.evidence.models import Evidence
    from portal.intake.models import HeldUpload

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HeldUpload)) == 0
        return list(db.session.scalars(sa.select(Evidence.original_filename).order_by(Evidence.id)))


def drop_one_answer(page, offsets: list[int]) -> list[str]:
    """Record the offset of every piece sent; the answer to the second piece of the first file
    is lost on the way back (the server has the piece, the page hears nothing)."""
    dropped: list[str] = []

    def handle(route):
        request = route.request
        if request.method != "PATCH":
            route.continue_()
            return
        offsets.append(int(request.headers["upload-offset"]))
        if not dropped and offsets[-1] == PIECE:
            route.fetch()  # the piece reaches the server ...
            dropped.append(request.url)
            route.abort("connectionreset")  # ... and its answer is lost
            return
        route.continue_()

    page.route("**/lapor/unggah/*", handle)
    return dropped


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_files_survive_a_refusal_on_a_phone(
    app, live_server, browser, tmp_path, language, javascript
):
    app.config["UPLOAD_CHUNK_BYTES"] = PIECE  # several pieces per screenshot
    words = WORDS[language]
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server + "/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]", state="attached")
    page.goto(live_server + "/lapor")
    offsets: list[int] = []
    dropped = drop_one_answer(page, offsets) if javascript else []

    fill_form(page, words, "Terlalu pendek", javascript)  # refused: under 20 characters
    shots = []
    for seed in (1, 2):
        path = tmp_path / LONG_NAME.format(seed)
        path.write_bytes(encode(screenshot(seed=seed)))
        shots.append(str(path))
    page.locator("#screenshots").set_input_files(shots)
    if javascript:  # each file goes ahead; the form waits for both
        page.locator("#held-files input[name=held_upload]").nth(1).wait_for(state="attached")
        assert len(dropped) == 1
        starts = [i for i, offset in enumerate(offsets) if offset == 0]
        assert len(starts) == 2, offsets  # one start per file: nothing restarted
        runs = [offsets[a:b] for a, b in zip(starts, [*starts[1:], len(offsets)], strict=True)]
        assert all(run == sorted(set(run)) for run in runs), offsets  # no piece sent twice
    page.get_by_role("button", name=words["send"]).click()
    page.locator(".error-summary").wait_for()
    assert page.locator(".error-summary a[href='#description']").count() == 1
    listed = page.locator("#held-files .held-name")
    assert listed.count() == 2
    assert LONG_NAME.format(1) in listed.nth(0).inner_text()
    assert page.locator("#held-files input[name=remove_upload]").count() == 2
    assert not page.locator("#files-lost").count()
    no_sideways_scroll(page)
    if javascript:  # axe-core runs on timers, which never fire with scripts off
        assert axe_violations(page) == []

    page.locator("#description").fill(DESCRIPTION)
    page.get_by_role("button", name=words["send"]).click()  # nothing chosen again
    page.wait_for_url("**/laporan/tanda-terima")
    assert page.locator("#tracking-code").is_visible()
    no_sideways_scroll(page)
    assert evidence_names(app) == [LONG_NAME.format(1), LONG_NAME.format(2)]
    context.close()
