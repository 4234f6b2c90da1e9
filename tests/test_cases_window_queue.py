"""The officers' queue shows each case's legal reporting window and sorts by it: the nearest
closing window first, cases without one (public service) last, across keyset pages."""

from datetime import timedelta

from portal.db import db
from tests.test_cases_queue import refs, row_of, walk


def test_queue_sorts_by_the_nearest_closing_window(app, client, make_case, make_user, login_as):
    from portal.clock import local_today

    with app.app_context():
        today = local_today()
    later = make_case(learned_on=today - timedelta(days=1))  # closes in 6 days
    soonest = make_case(learned_on=today - timedelta(days=5))  # closes in 2 days
    middle = make_case(learned_on=today - timedelta(days=3))  # closes in 4 days
    service = make_case(category="pungli", region="16.71")  # public service: no window
    login_as(client, make_user(role="admin", team=None))
    client.post("/bahasa", data={"lang": "en"})
    html = client.get("/petugas/kasus/?sort=window").text
    order = [soonest.reference, middle.reference, later.reference, service.reference]
    assert refs(html) == order
    assert "(2 days left)" in row_of(html, soonest.reference)
    assert 'class="case-window">—</td>' in row_of(html, service.reference)
    app.config["CASES_PAGE_SIZE"] = 1
    assert [ref for page in walk(client, "/petugas/kasus/?sort=window") for ref in page] == order


def test_a_later_report_with_an_earlier_date_known_brings_the_window_forward(app, make_case):
    from portal.cases.models import Case
    from portal.cases.operations import attach_report
    from portal.clock import local_today
    from portal.intake.models import Report
    from portal.legal.queries import report_window_closes_at

    with app.app_context():
        today = local_today()
    made = make_case(learned_on=today - timedelta(days=1))
    with app.test_request_context(method="POST"):
        case = db.session.get(Case, made.id)
        before = case.window_closes_at
        report = Report(
            tracking_hash="f" * 64,
            category=case.category,
            category_id=case.category_id,
            description="x",
            learned_on=today - timedelta(days=4),
        )
        report.window_closes_at = report_window_closes_at(report, now=case.created_at)
        attach_report(case, report)
        db.session.commit()
        assert db.session.get(Case, made.id).window_closes_at == before - timedelta(days=3)
