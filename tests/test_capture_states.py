"""What an officer is told about each link's capture: queued, captured, failed with the reason
and the next try, login wall, removed; and "retry now", which the worker then runs."""

import sqlalchemy as sa

from portal.capture.models import Capture, Job, JobKind, JobState
from portal.cases.models import CaseEvent
from portal.db import db, utcnow
from tests.conftest import free_port
from tests.test_capture_worker import capture_row, make_due, render_section, work

pytest_plugins = ("tests.fixtures.capture",)


def _job(app) -> Job:
    with app.app_context():
        job = db.session.scalar(sa.select(Job).where(Job.kind == JobKind.CAPTURE))
        db.session.expunge(job)
        return job


def test_a_queued_link_and_a_capture_with_its_time(
    capture_app, link_report, make_case, post_server
):
    app = capture_app()
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    assert "Queued: the worker will fetch this link shortly." in render_section(app, made.id)
    work(app)
    page = render_section(app, made.id)
    assert "capture-state-captured" in page and "Retry now" not in page


def test_a_failed_try_shows_the_reason_and_the_next_try(capture_app, link_report, make_case):
    app = capture_app(WORKER_MAX_ATTEMPTS=3, WORKER_RETRY_SECONDS=600)
    made = make_case()
    link_report(app, made.report_ids[0], f"http://127.0.0.1:{free_port()}/p/1")
    assert work(app).failed == 1
    page = render_section(app, made.id)
    assert "Failed, will be tried again:" in page
    assert "The connection failed" in page and "(connection)" in page
    assert "Next try:" in page and "Retry now" in page
    assert "waiting" not in page.lower()


def test_login_wall_and_removed_are_told_apart(capture_app, link_report, make_case, post_server):
    app = capture_app()
    walled, removed = make_case(), make_case()
    post_server.mode = "login"
    link_report(app, walled.report_ids[0], post_server.url)
    work(app)
    assert "Login wall:" in render_section(app, walled.id)
    post_server.mode = "post"
    other = post_server.url.replace("/p/1", "/p/2")
    link_report(app, removed.report_ids[0], other)
    work(app)
    post_server.mode = "removed"
    make_due(app, capture_row(app, other).id)
    work(app)
    page = render_section(app, removed.id)
    assert "Removed:" in page and "then found removed" in page


def test_retry_now_requeues_the_job_and_the_worker_runs_it(
    capture_app, link_report, make_case, make_user, login_as, post_server
):
    app = capture_app()
    made = make_case()
    post_server.mode = "broken"  # the site answers 500: a stored failure
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    assert capture_row(app, post_server.url).error == "http_error"
    client = app.test_client()
    login_as(client, make_user())
    client.post("/bahasa", data={"lang": "en"})
    page = client.get(f"/petugas/kasus/{made.id}").get_data(as_text=True)
    assert "Failed:" in page and "The site answered with an error" in page and "Retry now" in page
    response = client.post(
        f"/petugas/kasus/{made.id}/tangkapan/ulang", data={"url": post_server.url}
    )
    assert response.status_code == 303
    job = _job(app)
    assert (job.state, job.attempts, job.last_error) == (JobState.QUEUED, 0, None)
    assert job.run_after <= utcnow()
    post_server.mode = "post"
    assert work(app).captured == 1
    capture = capture_row(app, post_server.url)
    assert (capture.status_code, capture.error, capture.state) == (200, None, "captured")
    with app.app_context():
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == "capture_retried"))
        assert event.data["previous"]["error"] == "http_error"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Capture)) == 1


def test_retry_now_refuses_a_captured_link(
    capture_app, link_report, make_case, make_user, login_as, post_server
):
    app = capture_app()
    made = make_case()
    link_report(app, made.report_ids[0], post_server.url)
    work(app)
    client = app.test_client()
    login_as(client, make_user())
    client.post("/bahasa", data={"lang": "en"})
    response = client.post(
        f"/petugas/kasus/{made.id}/tangkapan/ulang",
        data={"url": post_server.url},
        follow_redirects=True,
    )
    assert "This link has nothing to try again." in response.get_data(as_text=True)
    assert _job(app).state == JobState.DONE
