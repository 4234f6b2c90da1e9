"""How the templates are put together: one layout per side, helpers that never query, and a
case page whose sections the view builds (templates only show what they are given)."""

import re
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, before_render_template, template_rendered

from portal.cases.page import Section, register_case_section
from portal.db import db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Pure helpers only: whatever a page shows from the database, its view passes in.
PORTAL_GLOBALS = {
    "capture_error_label",
    "case_status_label",
    "email_url",
    "liveness_label",
    "priority_label",
    "staff_link",
    "wall_labels",
}
PORTAL_CONTEXT_PROCESSORS = {"portal.i18n._inject_language", "portal.intake.views._labels"}
PUBLIC_PAGES = {
    "errors/error.html",
    "intake/home.html",
    "intake/receipt.html",
    "intake/report.html",
    "intake/status.html",
    "intake/track.html",
    "privacy/notice.html",
    "privacy/rights.html",
    "public/case.html",
    "public/case_list.html",
    "public/data.html",
    "public/transparency.html",
    "staff.html",
}
# Following a many-to-one relationship loads one row by its key; a query of its own never does.
ONE_ROW_BY_KEY = re.compile(r"WHERE \w+\.id = (\?|%\(\w+\)s(::INTEGER)?)\s*$")


@contextmanager
def statements(app: Flask, while_rendering: str | None = None):
    """The SQL run inside the block (only while that template renders, when one is named)."""
    seen: list[str] = []
    state = {"on": while_rendering is None}

    def start(sender, template, context, **extra):
        state["on"] = state["on"] or template.name == while_rendering

    def stop(sender, template, context, **extra):
        if template.name == while_rendering:
            state["on"] = False

    def record(conn, cursor, statement, *args):
        if state["on"]:
            seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with (
            before_render_template.connected_to(start, app),
            template_rendered.connected_to(stop, app),
        ):
            yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def extended(template: Path) -> str | None:
    match = re.search(r'{%\s*extends\s+"([^"]+)"', template.read_text())
    return match and match.group(1)


def test_template_globals_are_pure_helpers_that_never_query(app):
    ours = {
        name: value
        for name, value in app.jinja_env.globals.items()
        if getattr(value, "__module__", "").startswith("portal.")
    }
    assert set(ours) == PORTAL_GLOBALS
    processors = {
        f"{f.__module__}.{f.__name__}"
        for functions in app.template_context_processors.values()
        for f in functions
        if f.__module__.startswith("portal.")
    }
    assert processors == PORTAL_CONTEXT_PROCESSORS
    with app.test_request_context("/petugas/"), statements(app) as seen:
        assert ours["case_status_label"]("new") != "new"
        assert ours["liveness_label"]("removed") and ours["capture_error_label"]("dns") != "dns"
        assert ours["staff_link"]("cases.queue", "/elsewhere") == "/petugas/kasus/"
        assert ours["priority_label"](2) != "2" and ours["priority_label"](None)
        assert ours["email_url"]("intake.track").endswith("/lacak")
        for functions in app.template_context_processors.values():
            for processor in functions:
                processor()
    assert seen == []


def test_every_staff_page_extends_the_staff_layout_and_public_pages_base(app):
    pages = {
        str(path.relative_to(TEMPLATES)): extended(path)
        for path in TEMPLATES.rglob("*.html")
        if not path.name.startswith("_") and "emails" not in path.parts
    }
    on_base = {name for name, parent in pages.items() if parent == "base.html"}
    on_staff = {name for name, parent in pages.items() if parent == "staff.html"}
    assert on_base == PUBLIC_PAGES
    assert {"cases/detail.html", "accounts/login.html", "public/apikeys.html"} <= on_staff
    # Documents of their own, not pages: the bundle's summary and BKN report (HTML and PDF).
    documents = {
        "capture/bundle_summary.html",
        "capture/laporan_asn.html",
        "cases/registration/laporan_form.html",  # the official laporan form (page and PDF)
    }
    assert on_base | on_staff | {"base.html", "macros.html"} | documents == set(pages)


def test_case_page_shows_each_section_from_the_view_context(
    app, client, make_case, make_user, login_as, add_private_details
):
    made = make_case(reports=2)
    add_private_details(made.id)
    login_as(client, make_user())
    shown: list[dict] = []

    def keep(sender, template, context, **extra):
        if template.name == "cases/detail.html":
            shown.append(context)

    with (
        template_rendered.connected_to(keep, app),
        statements(app, while_rendering="cases/detail.html") as while_rendering,
    ):
        page = client.get(f"/petugas/kasus/{made.id}")
    assert page.status_code == 200
    assert all(ONE_ROW_BY_KEY.search(sql) for sql in while_rendering), while_rendering
    sections = shown[0]["sections"]
    assert {column: [s.template for s in found] for column, found in sections.items()} == {
        "side": [
            "cases/duplicates/_section.html",
            "cases/triage/_section.html",
            "cases/identity/_section.html",
            "intake/findings/_case_section.html",
            "cases/referrals/_section.html",
            "cases/registration/_section.html",
            "cases/publishing/_section.html",
            "privacy/_case_hold.html",
        ],
        "main": ["capture/_case_section.html"],
    }
    capture = sections["main"][0].data
    assert [item.url for item in capture["links"]] and capture["officials"] == []
    html = page.text
    # The main column (what happened), then the side column (what to do), each in its order.
    anchors = ("reports", "captures", "history", "summary", "status", "assignment", "messages")
    anchors += ("notes", "duplicates", "triage", "referrals", "publikasi")
    positions = [html.index(f'id="{anchor}"') for anchor in anchors]
    assert positions == sorted(positions)  # each section in its place


def test_an_area_adds_a_section_where_it_says_and_may_show_none(
    app, client, make_case, make_user, login_as
):
    made = make_case()
    register_case_section(app, lambda case, user: None)
    register_case_section(
        app,
        lambda case, user: Section(
            "cases/duplicates/_section.html",
            {"merged_into": None, "merged": [], "suggestion_count": 7},
            place="before_history",
        ),
    )
    login_as(client, make_user())
    html = client.get(f"/petugas/kasus/{made.id}").text
    assert html.count('id="duplicates"') == 2
    assert html.index("7 kemungkinan duplikat") > html.index('id="publikasi"')
