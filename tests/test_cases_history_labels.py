"""The case history says why a report joined the case by itself."""

import sqlalchemy as sa

from portal.cases.models import Case
from portal.db import db
from tests.fixtures.intake import IG_LINK, post_report


def test_history_says_a_report_joined_on_the_same_link(
    app, client, report_form, make_user, login_as
):
    post_report(client, report_form())
    post_report(client, report_form(links=IG_LINK.replace("igsh=", "utm_medium=x&igsh=")))
    with app.app_context():
        cases = db.session.scalars(sa.select(Case)).all()
    assert len(cases) == 1 and cases[0].report_count == 2
    officer = app.test_client()
    login_as(officer, make_user(role="admin", team=None))
    html = officer.get(f"/petugas/kasus/{cases[0].id}").text
    assert html.count("bergabung otomatis: tautan sama dengan") == 1
    assert "https://www.instagram.com/p/C9xYz12AbCd/" in html
