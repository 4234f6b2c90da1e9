"""The case page as a workspace: each report a card (platform by name and account once, the
screenshots opening full size, each link with its capture state), the timeline with the text
of messages, the next legal moves only, the message form opened for one reporter, and the two
columns that other areas add their sections to."""

import re

import sqlalchemy as sa

from portal.cases.models import Case
from portal.cases.page import Section, register_case_section
from portal.cases.workflow import allowed_moves
from portal.db import db
from tests.fixtures.intake import REFERENCE_RE, post_report
from tests.test_capture_worker import work

pytest_plugins = ("tests.fixtures.capture",)


def _card(html: str, label: str) -> str:
    match = re.search(
        rf'<article class="report card"[^>]*data-label="{label}">(.*?)</article>', html, re.S
    )
    assert match, f"no card for reporter {label}"
    return match.group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _file(app, report_form, **overrides) -> int:
    response = post_report(app.test_client(), report_form(**overrides), follow=True)
    assert response.status_code == 200, response.text[:500]
    reference = REFERENCE_RE.search(response.text).group(1)
    with app.app_context():
        return db.session.scalar(sa.select(Case.id).where(Case.reference == reference))


def test_a_report_card_names_the_platform_once_and_opens_screenshots_full_size(
    app, client, report_form, make_user, login_as
):
    case_id = _file(app, report_form)
    login_as(client, make_user())
    html = client.get(f"/petugas/kasus/{case_id}").text
    card = _card(html, "A")
    about = _text(re.search(r'<p class="card-about">(.*?)</p>', card, re.S).group(1))
    assert about.strip() == "Instagram · @diskominfo.lubuklinggau · Diskominfo Kota Lubuk Linggau"
    text = _text(card)
    assert text.count("Instagram") == 1 and text.count("@diskominfo.lubuklinggau") == 1
    assert "Platform media sosial" not in text  # not repeated among the answers
    full = re.findall(r'<ul class="gallery".*?</ul>', card, re.S)[0]
    links = re.findall(r'<a href="(/bukti/\d+/gambar)"><img src="/bukti/\d+/kecil"', full)
    assert len(links) == 2  # both screenshots, each a link to its full-size clean copy
    image = client.get(links[0])
    assert image.status_code == 200 and image.mimetype.startswith("image/")
    assert "Dalam antrean" in text  # the link's capture state, under the link in the card
    assert "Unduh berkas asli tersegel" in card


def test_a_captured_link_is_told_in_the_card(
    capture_app, link_report, make_case, make_user, login_as, post_server
):
    app = capture_app()
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    client = app.test_client()
    login_as(client, make_user())
    card = _card(client.get(f"/petugas/kasus/{made.id}").text, "A")
    assert "capture-state-captured" in card and "Dalam antrean" not in card


def test_only_the_next_legal_moves_are_offered(app, client, make_case, make_user, login_as):
    made = make_case()
    login_as(client, make_user())
    for status in ("new", "investigating", "resolved"):
        with app.app_context():
            case = db.session.get(Case, made.id)
            case.status = status
            expected = {str(m) for m in allowed_moves(case)} - {"assigned"}
            db.session.commit()
        html = client.get(f"/petugas/kasus/{made.id}").text
        status_panel = re.search(r'<section id="status".*?</section>', html, re.S).group(0)
        offered = set(re.findall(r'name="to" value="([a-z_]+)"', status_panel))
        assert offered == expected, status


def test_write_to_a_reporter_opens_the_form_for_that_reporter(
    app, client, make_case, make_user, login_as
):
    made, other = make_case(reports=3), make_case()
    login_as(client, make_user())
    b = made.report_ids[1]
    card = _card(client.get(f"/petugas/kasus/{made.id}").text, "B")
    assert f'href="/petugas/kasus/{made.id}?to={b}#messages"' in card
    html = client.get(f"/petugas/kasus/{made.id}?to={b}").text
    panel = re.search(r'<section class="panel fold " id="messages">.*?</section>', html, re.S)[0]
    assert "<details open>" in panel and "kepada Pelapor B" in panel
    assert re.findall(r'<option value="(\d+)"[^>]* selected>', panel) == [str(b)]
    with app.app_context():
        db.session.get(Case, made.id).status = "investigating"
        db.session.commit()
    refused = client.post(f"/petugas/kasus/{made.id}/pesan", data={"report": b, "body": " "})
    assert refused.location.endswith(f"/petugas/kasus/{made.id}?to={b}#messages")  # reopened
    stranger = client.get(f"/petugas/kasus/{made.id}?to={other.report_ids[0]}").text
    panel = re.search(r'<section class="panel fold " id="messages">.*?</section>', stranger, re.S)
    assert "<details open>" not in panel[0] and " selected>" not in panel[0]


def test_the_timeline_carries_the_message_and_its_reporter(
    app, client, make_case, make_user, login_as
):
    made = make_case(reports=2)
    officer = make_user()
    with app.app_context():
        db.session.get(Case, made.id).status = "investigating"
        db.session.commit()
    login_as(client, officer)
    body = "Jam berapa unggahan itu Anda lihat?"
    client.post(
        f"/petugas/kasus/{made.id}/pesan", data={"report": made.report_ids[1], "body": body}
    )
    html = client.get(f"/petugas/kasus/{made.id}").text
    entry = re.search(r'<li class="event event-message_sent.*?</li>', html, re.S).group(0)
    assert "Pelapor B" in entry and body in entry and officer.name in entry
    assert body not in _card(html, "B")  # messages live in the timeline, not in the cards


def test_an_area_section_goes_in_the_column_it_names(app, client, make_case, make_user, login_as):
    made = make_case()
    main = {"merged_into": None, "merged": [], "suggestion_count": 5}
    register_case_section(
        app, lambda case, user: Section("cases/duplicates/_section.html", main, place="main")
    )
    login_as(client, make_user())
    html = client.get(f"/petugas/kasus/{made.id}").text
    side_starts = html.index('<aside class="work-side"')
    shown = html.index("5 kemungkinan duplikat")
    assert html.index('id="reports"') < shown < html.index('id="history"') < side_starts
